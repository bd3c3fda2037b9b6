"""Files in and out: the input checks every reader passes and the one atomic writer.

The lowest layer of geoflows that touches the file system (it imports only
:mod:`geoflows.errors`), so that every part that reads or writes files — flows, places' index
cache, builds — shares one set of rules. :mod:`geoflows.io` re-exports the public names.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import stat
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from geoflows.errors import GeoflowsError, InputFileError

if TYPE_CHECKING:
    import numpy as np

T = TypeVar("T")

__all__ = [
    "CACHE_FILE_ERRORS",
    "MAX_INPUT_BYTES",
    "STALE_TEMPORARY_SECONDS",
    "CacheWarner",
    "atomic_output",
    "cache_dir",
    "check_cache_array",
    "check_cache_lonlat",
    "check_input_file",
    "check_output_is_not_an_input",
    "file_stamp",
    "read_cache_arrays",
    "read_cache_file",
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

    def __call__(self, message: str, *, advice: str | None = None) -> None:
        """Warn with ``message``, unless this cache warned already in this process.

        ``advice`` replaces the default ending (the cache kept in memory only, and
        ``GEOFLOWS_CACHE_DIR``), e.g. for a damaged file that is rebuilt.
        """
        if self.warned:
            return
        from geoflows.errors import CacheWarning, warn

        self.warned = True
        if advice is None:
            advice = (
                f"{self.kept} are kept in memory only. "
                "Set GEOFLOWS_CACHE_DIR to a writable directory to keep them."
            )
        warn(f"geoflows: {message}; {advice}", CacheWarning)


# --------------------------------------------------------------------------- cache files
#: What reading and checking a damaged or planted cache file may raise: each one makes the
#: file a cache miss (rebuilt and replaced), never an error of the map. ``MemoryError`` is
#: among them: a file that passes the size bounds may still not fit under a tight limit.
CACHE_FILE_ERRORS: tuple[type[BaseException], ...] = (
    OSError, ValueError, TypeError, KeyError, IndexError, EOFError, OverflowError,
    MemoryError, zipfile.BadZipFile,
)  # fmt: skip


def read_cache_file(
    path: Path, read: Callable[[Path], T], warn: Callable[..., None], what: str
) -> T | None:
    """Read one cache file with ``read``: ``None`` when it is missing or fails its check.

    Every disk cache (routes, basemaps, the rail graph) reads through here, so a damaged or
    planted file is treated the same everywhere: a cache miss with one
    :class:`~geoflows.errors.CacheWarning` naming the file and what is wrong with it; the
    caller builds the value again and writes the file afresh.

    Parameters
    ----------
    path : pathlib.Path
        The cache file.
    read : callable
        Reads and checks the file by value (see :func:`read_cache_arrays`,
        :func:`check_cache_array`), raising one of :data:`CACHE_FILE_ERRORS` when it is bad.
    warn : callable
        The cache's :class:`CacheWarner`.
    what : str
        The cache, for the message ("route cache").

    Examples
    --------
    >>> import pathlib, tempfile, warnings
    >>> bad = pathlib.Path(tempfile.mkdtemp()) / "routes.npz"
    >>> _ = bad.write_bytes(b"not a zip")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     read_cache_file(bad, lambda p: read_cache_arrays(p, ["x"], max_bytes=1 << 20),
    ...                     CacheWarner("routes"), "route cache")
    >>> "failed its check (BadZipFile" in str(caught[0].message)
    True
    >>> read_cache_file(bad.with_name("new.npz"), Path.read_bytes, CacheWarner("x"), "cache")
    """
    try:
        return read(path)
    except (FileNotFoundError, NotADirectoryError):  # not written yet (or cannot be: warned then)
        return None
    except CACHE_FILE_ERRORS as exc:
        warn(
            f"{what} {path} failed its check ({type(exc).__name__}: {exc})",
            advice="it is treated as missing: built again and replaced",
        )
        return None


def read_cache_arrays(
    path: str | os.PathLike, names: Iterable[str], *, max_bytes: int
) -> dict[str, np.ndarray]:
    """Read plain arrays from a cache ``.npz``, every size bounded before it is allocated.

    The file must be a regular file of at most ``max_bytes``; the sizes its zip directory
    declares for the members (``ZipInfo.file_size``) must add up to at most ``max_bytes``
    **before** any member is decompressed, so a planted deflate bomb (a megabyte that
    inflates to gigabytes) is refused unread; each member's ``.npy`` header must declare no
    more bytes than the member holds, and no Python objects (nothing is unpickled). The
    values are not checked here: see :func:`check_cache_array`.

    Parameters
    ----------
    path : path-like
        The ``.npz`` file.
    names : iterable of str
        The arrays to read (others in the file are ignored).
    max_bytes : int
        Bound on the file's size and on the sum of its members' declared sizes.

    Returns
    -------
    dict of str to numpy.ndarray

    Raises
    ------
    FileNotFoundError
        When there is no file.
    ValueError, KeyError, zipfile.BadZipFile
        When the file is not such an ``.npz`` or breaks a bound (see
        :data:`CACHE_FILE_ERRORS`).

    Examples
    --------
    >>> import io, pathlib, tempfile
    >>> import numpy as np
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "c.npz"
    >>> np.savez(f, x=np.arange(3.0))
    >>> read_cache_arrays(f, ["x"], max_bytes=1 << 20)["x"].tolist()
    [0.0, 1.0, 2.0]
    >>> try:
    ...     read_cache_arrays(f, ["x"], max_bytes=100)
    ... except ValueError as e:
    ...     print(str(e).split(", ")[-1])
    more than the 100 this cache may hold
    """
    import io

    import numpy as np

    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"is {_file_kind(st.st_mode)}, not a file")
        if st.st_size > max_bytes:
            raise ValueError(
                f"the file holds {st.st_size:,} bytes, more than the {max_bytes:,} this cache "
                "may hold"
            )
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"the file grew past the {max_bytes:,} bytes this cache may hold")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = {info.filename: info for info in zf.infolist()}
        declared = sum(info.file_size for info in infos.values())
        if declared > max_bytes:
            raise ValueError(
                f"its members would expand to {declared:,} bytes, more than the {max_bytes:,} "
                "this cache may hold (not decompressed)"
            )
        return {name: _read_member(zf, infos, name, np) for name in names}


def _read_member(zf: zipfile.ZipFile, infos: dict, name: str, np: Any) -> np.ndarray:
    """Read one ``.npy`` member whose header's size is checked against the member's."""
    info = infos.get(f"{name}.npy")
    if info is None:
        raise KeyError(f"no array {name!r}")
    with zf.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(member)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(member)
        if dtype.hasobject:
            raise ValueError(f"array {name!r} holds Python objects; refusing to unpickle it")
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes > info.file_size:
            raise ValueError(
                f"array {name!r} declares {nbytes:,} bytes in a member of {info.file_size:,}"
            )
        buf = bytearray(nbytes)
        if member.readinto(buf) != nbytes:
            raise ValueError(f"array {name!r} is truncated")
    return np.frombuffer(buf, dtype=dtype).reshape(shape, order="F" if fortran else "C")


def check_cache_array(
    arrays: dict[str, np.ndarray],
    name: str,
    kind: str,
    *,
    ndim: int = 1,
    low: float | None = None,
    high: float | None = None,
) -> np.ndarray:
    """Return ``arrays[name]`` after checking it by value: its kind, rank and range.

    Parameters
    ----------
    arrays : dict of str to numpy.ndarray
        As :func:`read_cache_arrays` returns them.
    name : str
        The array.
    kind : {"f", "i", "U"}
        Real numbers (float; every value finite), integers (signed or unsigned) or text.
    ndim : int
        Number of dimensions.
    low, high : float, optional
        Bounds every value must lie within (numbers only).

    Raises
    ------
    ValueError
        Naming the array and what is wrong.

    Examples
    --------
    >>> import numpy as np
    >>> check_cache_array({"x": np.array([1.0, 2.0])}, "x", "f", low=0).tolist()
    [1.0, 2.0]
    >>> try:
    ...     check_cache_array({"x": np.array(["1", "2"])}, "x", "f")
    ... except ValueError as e:
    ...     print(e)
    array 'x' holds <U1 values, not real numbers
    """
    import numpy as np

    a = arrays[name]
    kinds = {"f": ("f", "real numbers"), "i": ("iu", "integers"), "U": ("U", "text")}
    allowed, wanted = kinds[kind]
    if a.dtype.kind not in allowed:
        raise ValueError(f"array {name!r} holds {a.dtype.str} values, not {wanted}")
    if a.ndim != ndim:
        raise ValueError(f"array {name!r} has {a.ndim} dimensions, not {ndim}")
    if kind == "f" and a.size and not np.isfinite(a).all():
        raise ValueError(f"array {name!r} holds a value that is not finite (NaN or infinity)")
    if kind != "U" and a.size:
        lo, hi = a.min().item(), a.max().item()
        if (low is not None and lo < low) or (high is not None and hi > high):
            raise ValueError(f"array {name!r} holds {lo!r} to {hi!r}, outside {low!r} to {high!r}")
    return a


def check_cache_lonlat(
    lon: np.ndarray, lat: np.ndarray, what: str, *, lon_limit: float = 360.0
) -> None:
    """Check cached coordinates: finite, latitude within ±90°, longitude within ±``lon_limit``.

    The limit is 360° by default, as for lines brought in: geoflows keeps a line crossing 180°
    unwrapped.

    Examples
    --------
    >>> import numpy as np
    >>> check_cache_lonlat(np.array([190.0]), np.array([43.0]), "route")
    >>> try:
    ...     check_cache_lonlat(np.array([1e308]), np.array([43.0]), "route")
    ... except ValueError as e:
    ...     print(e)
    route longitude 1e+308 is off the globe (beyond ±360°)
    """
    import numpy as np

    for values, label, limit in ((lon, "longitude", lon_limit), (lat, "latitude", 90.0)):
        values = np.asarray(values)
        if values.dtype.kind not in "fiu":
            raise ValueError(f"{what} {label}s are {values.dtype.str} values, not numbers")
        bad = ~np.isfinite(values) | (np.abs(values) > limit)
        if bad.any():
            v = float(values[bad][0])
            raise ValueError(f"{what} {label} {v!r} is off the globe (beyond ±{limit:g}°)")


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
#: A temporary left beside an output is swept by a later writer once it is this old (seconds)
#: and the process that made it is gone.
STALE_TEMPORARY_SECONDS = 600
#: ``.<name>.<pid>.<random>.geoflows-tmp``: the private folder :func:`atomic_output` writes in.
_TEMP_SUFFIX = ".geoflows-tmp"
_TEMP_RE = re.compile(r"\A\..+\.(\d+)\.[A-Za-z0-9_]{8}" + re.escape(_TEMP_SUFFIX) + r"\Z", re.S)


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

    A process killed in the middle (``SIGKILL``, power loss) cannot remove its folder; its name
    holds the writer's process id, and every later writer into the same folder first sweeps
    such leftovers (:func:`remove_stale_temporaries`: older than
    :data:`STALE_TEMPORARY_SECONDS`, their process gone).

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
    remove_stale_temporaries(path)
    folder = Path(
        tempfile.mkdtemp(
            dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=_TEMP_SUFFIX
        )
    )
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


def _process_gone(pid: int | None) -> bool:
    """Tell whether no process ``pid`` runs here (None: an old name without one)."""
    if pid is None:
        return True
    if pid == os.getpid() or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):  # another user's process: alive
        return False
    return False


def _newest_mtime(p: Path) -> float:
    """Return the newest modification time of ``p`` and (a folder) of the entries in it."""
    newest = os.lstat(p).st_mtime
    if stat.S_ISDIR(os.lstat(p).st_mode):
        with os.scandir(p) as it:
            for entry in it:
                newest = max(newest, entry.stat(follow_symlinks=False).st_mtime)
    return newest


def remove_stale_temporaries(
    path: str | os.PathLike, *, min_age: float | None = None
) -> list[Path]:
    """Remove what interrupted :func:`atomic_output` writes left in ``path``'s folder.

    A process killed in the middle of a write (``SIGKILL``, power loss) cannot clean up its
    private temporary folder; the next writer into the same folder calls this first. Only our
    own names are touched (``.<name>.<pid>.<8 characters>.geoflows-tmp``, and the
    ``.<name>.<…>.tmp`` of older versions for ``path`` itself), only when the process that
    made one no longer runs (the process id is in the name; this process's own are kept) and
    nothing in it changed for ``min_age`` seconds (:data:`STALE_TEMPORARY_SECONDS`, so a
    writer on another machine sharing the folder is not swept). A symlink is removed, never
    followed.

    Parameters
    ----------
    path : str or path-like
        The file being written; its folder is swept.
    min_age : float, optional
        Seconds since the last change; default :data:`STALE_TEMPORARY_SECONDS`.

    Returns
    -------
    list of pathlib.Path
        The folders (or files) removed.

    Examples
    --------
    >>> import os, pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "map.html"
    >>> left = out.parent / ".map.html.999999999.abcd1234.geoflows-tmp"  # a killed writer's
    >>> left.mkdir()
    >>> os.utime(left, (0, 0))
    >>> [p.name == left.name for p in remove_stale_temporaries(out)], left.exists()
    ([True], False)
    """
    path = Path(path)
    min_age = STALE_TEMPORARY_SECONDS if min_age is None else float(min_age)
    legacy = f".{path.name}."
    try:
        with os.scandir(path.parent) as it:
            names = sorted(e.name for e in it if e.name.startswith("."))
    except OSError:
        return []
    removed = []
    now = time.time()
    for name in names:
        m = _TEMP_RE.match(name)
        if m:
            pid: int | None = int(m.group(1))
        elif name.startswith(legacy) and name.endswith(".tmp") and len(name) > len(legacy) + 4:
            pid = None
        else:
            continue
        p = path.parent / name
        try:
            if not _process_gone(pid) or now - _newest_mtime(p) < min_age:
                continue
            if stat.S_ISDIR(os.lstat(p).st_mode):
                shutil.rmtree(p)
            else:
                p.unlink()
        except OSError:
            continue
        removed.append(p)
    return removed


def check_output_is_not_an_input(
    output: str | os.PathLike, inputs: Iterable[str | os.PathLike | None], *, what: str = "output"
) -> Path:
    """Refuse an output path that is one of the inputs (the same file by name or by inode).

    A map named ``m`` built from ``m.html``, or ``geoflows map f.csv -o f.csv``, would
    replace the data it is made from; it is refused before anything is read.

    Parameters
    ----------
    output : path-like
        The file about to be written.
    inputs : iterable of path-like or None
        The files it is made from (``None`` items are skipped).
    what : str
        The output, for the message ("map 'm'").

    Returns
    -------
    pathlib.Path
        ``output``.

    Raises
    ------
    InputFileError
        Naming the output, the input and what to do.

    Examples
    --------
    >>> try:
    ...     check_output_is_not_an_input("data/../data/a.csv", ["data/a.csv"])
    ... except InputFileError as e:
    ...     print(str(e)[:60])
    data/../data/a.csv: the output would replace its input data/
    """
    out = Path(output)
    out_real = os.path.realpath(out)
    for given in inputs:
        if given is None:
            continue
        src = Path(given)
        same = os.path.realpath(src) == out_real
        if not same:
            try:
                same = os.path.samefile(src, out)
            except OSError:  # either is missing: not the same file
                same = False
        if same:
            raise InputFileError(
                f"{out}: the {what} would replace its input {src}; write it elsewhere (another "
                "name or output folder) or rename the input"
            )
    return out
