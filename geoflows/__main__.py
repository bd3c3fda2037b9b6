"""``python -m geoflows``: the same as the ``geoflows`` command."""

from geoflows.cli import main

if __name__ == "__main__":
    main()
