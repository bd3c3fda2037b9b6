"""Files in and out: the input checks every reader passes and the one atomic writer.

The lowest layer of geoflows that touches the file system (it imports only
:mod:`geoflows.errors`), so that every part that reads or writes files — flows, places' index
cache, builds — shares one set of rules. :mod:`geoflows.io` re-exports the public names.
"""

from __future__ import annotations

import glob
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from geoflows.errors import GeoflowsError, InputFileError

__all__ = [
    "MAX_INPUT_BYTES",
    "CacheWarner",
    "atomic_output",
    "cache_dir",
    "check_input_file",
    "file_stamp",
    "read_input_bytes",
    "remove_stale_temporaries",
    "write_atomic",
    "write_text_atomic",
]


# --------------------------------------------------------------------------- the cache folder
def cache_dir() -> Path:
    """Return the folder of geoflows' disk caches.

    ``$GEOFLOWS_CACHE_DIR`` if set, else the platform's user cache folder for ``geoflows``
    (:func:`platformdirs.user_cache_path`: ``$XDG_CACHE_HOME/geoflows``, by default
    ``~/.cache/geoflows``, on Linux; ``~/Library/Caches/geoflows`` on macOS; the local
    application data folder on Windows). The place index, the routes and the clipped basemaps
    are kept there, each file named by its format and data version, so two installs sharing
    the folder keep their own files; each is checked when read and rebuilt when damaged, so
    deleting the folder only costs time.

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"GEOFLOWS_CACHE_DIR": "/tmp/gf-cache"}):
    ...     str(cache_dir())
    '/tmp/gf-cache'
    """
    env = os.environ.get("GEOFLOWS_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_path

    return user_cache_path("geoflows", appauthor=False)


class CacheWarner:
    """Warn about one disk cache at most once per process (a batch build must not repeat it).

    The warning is a :class:`~geoflows.errors.CacheWarning` at the user's line.

    Parameters
    ----------
    kept : str
        What the cache keeps, for the message ("routes", "basemaps").

    Examples
    --------
    >>> import warnings
    >>> warn = CacheWarner("routes")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn("cannot write the route cache to /x"); warn("again")
    >>> len(caught), str(caught[0].message).split(";")[0]
    (1, 'geoflows: cannot write the route cache to /x')
    """

    def __init__(self, kept: str) -> None:
        self.kept = kept
        self.warned = False

    def __call__(self, message: str) -> None:
        """Warn with ``message``, unless this cache warned already in this process."""
        if self.warned:
            return
        from geoflows.errors import CacheWarning, warn

        self.warned = True
        warn(
            f"geoflows: {message}; {self.kept} are kept in memory only. "
            "Set GEOFLOWS_CACHE_DIR to a writable directory to keep them.",
            CacheWarning,
        )


# --------------------------------------------------------------------------- input files
#: Largest file geoflows reads as input (flows, gazetteers), in bytes. Set the environment
#: variable ``GEOFLOWS_MAX_INPUT_MB`` (or pass ``max_bytes=``) for more.
MAX_INPUT_BYTES = 2 << 30


def _input_limit(max_bytes: int | None, default: int | None = None) -> int:
    if max_bytes is not None:
        return int(max_bytes)
    env = os.environ.get("GEOFLOWS_MAX_INPUT_MB", "").strip()
    if env:
        try:
            return int(float(env) * (1 << 20))
        except ValueError:
            raise GeoflowsError(
                f"GEOFLOWS_MAX_INPUT_MB={env!r} is not a number of megabytes; e.g. 4096"
            ) from None
    return MAX_INPUT_BYTES if default is None else default


def _file_kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _check_stat(p: Path, st: os.stat_result, what: str, limit: int) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise InputFileError(
            f"{p}: is {_file_kind(st.st_mode)}; a {what} must be a regular file (geoflows does "
            "not read pipes, devices or sockets, which may never end); copy the data to a file"
        )
    if st.st_size > limit:
        raise InputFileError(
            f"{p}: {st.st_size:,} bytes is more than the {limit:,} bytes geoflows reads from a "
            f"{what}; if the file is meant to be this large, raise the limit with "
            f"GEOFLOWS_MAX_INPUT_MB={-(-st.st_size // (1 << 20))} (or max_bytes=)"
        )


def check_input_file(
    path: str | os.PathLike, *, what: str = "input file", max_bytes: int | None = None
) -> Path:
    """Check that ``path`` is a readable regular file no larger than the input size limit.

    Every file geoflows reads (flow files, gazetteers, build files) passes here first, so that
    a device (``/dev/zero``), a FIFO or a socket is refused instead of read forever, and an
    unexpectedly huge file is refused before it fills memory.

    Parameters
    ----------
    path : str or path-like
        The file (a symlink to a regular file is fine).
    what : str
        What the file is, for messages: ``"flow file"``, ``"gazetteer"``, ``"build file"``.
    max_bytes : int, optional
        Size limit; default ``GEOFLOWS_MAX_INPUT_MB`` from the environment, else
        :data:`MAX_INPUT_BYTES` (2 GiB).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputFileError
        Naming the file, what it is instead, or its size and the limit, and what to do.

    Examples
    --------
    >>> check_input_file("data/dprk_russia_2023_2024.csv", what="flow file").name
    'dprk_russia_2023_2024.csv'
    >>> try:
    ...     check_input_file("/dev/zero", what="gazetteer")
    ... except InputFileError as e:
    ...     print(str(e)[:50])
    /dev/zero: is a character device; a gazetteer must
    """
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputFileError(
            f"{p}: no such file; check the path (relative to {Path.cwd()})"
        ) from None
    except OSError as exc:
        raise InputFileError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    _check_stat(p, st, what, _input_limit(max_bytes))
    return p


def read_input_bytes(
    path: str | os.PathLike, *, what: str = "input file", max_bytes: int | None = None
) -> bytes:
    """Read a whole input file after :func:`check_input_file`'s checks, never past the limit.

    The file is opened without blocking (a FIFO swapped in after the check cannot hang the
    read), checked on the open handle, and read up to the limit only, so a file that grows
    while it is read is refused rather than followed.

    Examples
    --------
    >>> read_input_bytes("data/dprk_russia_2023_2024.csv", what="flow file")[:6]
    b'id,ori'
    """
    p = check_input_file(path, what=what, max_bytes=max_bytes)
    limit = _input_limit(max_bytes)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(p, flags)
    except OSError as exc:
        raise InputFileError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        _check_stat(p, st, what, limit)
        # Bounded chunks, never one buffer of ``limit + 1`` bytes: under ``ulimit -v`` or
        # strict overcommit asking for 2 GiB to read a 3-byte file raises MemoryError.
        chunk = max(1 << 16, min(st.st_size + 1, 1 << 24))
        parts: list[bytes] = []
        size = 0
        while size <= limit:
            part = fh.read(min(chunk, limit + 1 - size))
            if not part:
                break
            parts.append(part)
            size += len(part)
        data = b"".join(parts)
    if len(data) > limit:
        raise InputFileError(
            f"{p}: grew past the {limit:,} bytes geoflows reads from a {what} while it was read; "
            "read it once it is complete (or raise GEOFLOWS_MAX_INPUT_MB)"
        )
    return data


# --------------------------------------------------------------------------- cache keys
def file_stamp(paths: Iterable[str | os.PathLike]) -> str:
    """Return a short key of files' names, sizes and modification times, without reading them.

    The caches keyed on shipped or installed data (the place index, the route cache) use it
    instead of a hash of the content: a ``stat`` per file instead of reading megabytes in
    every new process. Any rewrite of a file (a new version installed, an edit) changes its
    modification time or size, and so the stamp; a change that restores both is not seen.

    Parameters
    ----------
    paths : iterable of str or path-like
        The files, in a fixed order (the order is part of the stamp).

    Returns
    -------
    str
        12 hex digits.

    Raises
    ------
    OSError
        When a file cannot be ``stat``-ed (missing).

    Examples
    --------
    >>> import os, pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "data.bin"
    >>> _ = f.write_bytes(b"abc")
    >>> os.utime(f, ns=(1_000_000_000, 1_000_000_000))
    >>> before = file_stamp([f])
    >>> len(before), before == file_stamp([f])
    (12, True)
    >>> os.utime(f, ns=(2_000_000_000, 2_000_000_000))
    >>> before == file_stamp([f])
    False
    """
    import hashlib

    parts = []
    for f in paths:
        st = os.stat(f)
        parts.append(f"{Path(f).name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


# --------------------------------------------------------------------------- writing
@contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[Path]:
    r"""Give a temporary path to write; on success it replaces ``path`` in one step.

    Every file geoflows writes goes through here. The temporary path lies in a new private
    folder (``tempfile.mkdtemp``: created exclusively, mode 0700) beside ``path``, so nothing
    planted in advance (a symlink at a predictable name) can be written through, and the
    rename stays on one file system. When the ``with`` block ends without error the file is
    flushed to disk and renamed over ``path``; a symlink at ``path`` is replaced by the new
    file, never followed, and the file keeps the permissions the writer created it with (the
    user's umask), never a mode or special bit copied from what was there. On any error or
    interruption the temporary folder is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or path-like
        The file to (re)place; missing parent folders are created.

    Yields
    ------
    pathlib.Path
        Where to write: same file name as ``path``, inside the private folder.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "flows.csv"
    >>> with atomic_output(out) as tmp:
    ...     _ = tmp.write_text("origin,destination\n")
    >>> out.read_text()
    'origin,destination\n'
    >>> [p.name for p in out.parent.iterdir()]
    ['flows.csv']
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    try:
        tmp = folder / path.name
        yield tmp
        if tmp.is_symlink() or not tmp.is_file():
            raise GeoflowsError(f"{path}: the writer did not produce a file; nothing was written")
        fd = os.open(tmp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    _fsync_dir(path.parent)


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a part.

    See :func:`atomic_output`: a private temporary folder beside ``path``, the file created
    exclusively with the user's umask permissions, flushed, renamed over ``path`` (a symlink
    there is replaced, not followed); on any error or interruption nothing is left behind.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = write_atomic(pathlib.Path(tempfile.mkdtemp()) / "x.html", b"<html></html>")
    >>> p.read_bytes()
    b'<html></html>'
    """
    path = Path(path)
    with atomic_output(path) as tmp:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(tmp, flags, 0o666), "wb") as fh:
            fh.write(data)
    return path


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; see :func:`write_atomic`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_text_atomic(pathlib.Path(tempfile.mkdtemp()) / "a.txt", "hi")
    >>> p.read_text()
    'hi'
    """
    return write_atomic(path, text.encode("utf-8"))


def remove_stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Remove what an interrupted :func:`atomic_output` for ``path`` left beside it.

    A process killed in the middle of a write (``SIGKILL``, power loss) cannot clean up its
    private temporary folder; the next writer of the same file calls this first.

    Returns
    -------
    list of pathlib.Path
        The folders (or files) removed.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "map.html"
    >>> left = pathlib.Path(tempfile.mkdtemp(dir=out.parent, prefix=".map.html.", suffix=".tmp"))
    >>> [p.name == left.name for p in remove_stale_temporaries(out)], left.exists()
    ([True], False)
    """
    path = Path(path)
    removed = []
    for p in sorted(path.parent.glob(f".{glob.escape(path.name)}.*.tmp")):
        try:
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
        except OSError:
            continue
        removed.append(p)
    return removed
