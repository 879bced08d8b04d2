"""The one file container: an atomic, versioned zip archive.

Both kinds of skbinary file are written and read here: the estimator's model
file (:mod:`skbinary._persistence`) and the command line's tabular model
(:mod:`skbinary.tabular`). Each is a zip archive of named members, one of them
a JSON header that carries a ``format`` name and a ``format_version``.

- :func:`atomic_write` writes through a temporary file in the same folder that
  is renamed over the target, so a crash never leaves a broken file where a
  good one was; the file gets the permissions a plain ``open`` would give.
- :func:`read_archive` turns every way a file can be unreadable into either the
  ``OSError`` of opening it (naming the file) or a :class:`ModelFileError`.
- :func:`check_format` refuses another format or another version.

This module imports only the standard library.
"""

import contextlib
import os
import tempfile
import threading
import zipfile

from ._version import __version__


class ModelFileError(ValueError):
    """Raised when a file is not a loadable skbinary model file.

    Examples
    --------
    >>> import os, tempfile
    >>> from skbinary import ModelFileError, load
    >>> path = os.path.join(tempfile.mkdtemp(), "junk.skb")
    >>> with open(path, "w") as fh:
    ...     _ = fh.write("not a model")
    >>> try:
    ...     load(path)
    ... except ModelFileError:
    ...     print("refused")
    refused
    """


_umask_lock = threading.Lock()


def _umask():
    """The process umask, read without changing it where the OS allows."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def _naming(exc, path, verb="write"):
    """``exc`` again, its message naming ``path`` (not a temporary file)."""
    reason = exc.strerror or str(exc)
    folder = os.path.dirname(os.path.abspath(path))
    if isinstance(exc, FileNotFoundError) and verb == "write" and not os.path.isdir(folder):
        reason += f" (there is no folder {folder!r})"
    message = f"cannot {verb} {path!r}: {reason}"
    return type(exc)(message) if exc.errno is None else type(exc)(exc.errno, message)


@contextlib.contextmanager
def atomic_write(path, mode="wb", **kwargs):
    """Write ``path`` through a temporary file renamed over it on success.

    The file gets the permissions a plain ``open(path, "w")`` would give (0o666
    less the umask), not the temporary file's 0o600. Errors name ``path``; on
    any error the temporary file is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or path-like
        The file to write.
    mode : str, default="wb"
        ``"wb"`` or ``"w"``; ``kwargs`` (encoding, newline) go to ``os.fdopen``.

    Yields
    ------
    file : file object
        Open for writing.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, partial = tempfile.mkstemp(dir=folder, prefix=".skbinary-", suffix=".part")
    except OSError as exc:
        raise _naming(exc, path) from None
    try:
        os.chmod(partial, 0o666 & ~_umask())
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
        os.replace(partial, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.remove(partial)
        if isinstance(exc, OSError):
            raise _naming(exc, path) from None
        raise


def write_text(path, text):
    """Write ``text`` to ``path`` as UTF-8, atomically (:func:`atomic_write`)."""
    with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def write_archive(path, members):
    """Write the zip archive ``members`` (name -> bytes or str) to ``path`` atomically.

    Members are written in the order of the mapping; a ``str`` is encoded as
    UTF-8.
    """
    with atomic_write(path) as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)


def read_archive(path, required=(), *, kind="skbinary model file"):
    """Every member of the zip archive at ``path``, as a dict name -> bytes.

    Parameters
    ----------
    path : str or path-like
        The file to read.
    required : sequence of str, default=()
        Members the file must hold.
    kind : str, default="skbinary model file"
        What the file should be, for the messages.

    Returns
    -------
    members : dict of str to bytes

    Raises
    ------
    FileNotFoundError, PermissionError, IsADirectoryError
        If the file cannot be opened; the message names it.
    ModelFileError
        If it is not a zip archive, is truncated or corrupted, or lacks a
        required member.
    """
    path = os.fspath(path)
    try:
        zf = zipfile.ZipFile(path)
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        raise _naming(exc, path, "read") from None
    except Exception as exc:  # whatever the bytes make zipfile raise
        raise ModelFileError(
            f"{path!r} is not a readable {kind} (not a zip archive, truncated or "
            f"corrupted?): {type(exc).__name__}: {exc}"
        ) from None
    try:
        with zf:
            names = zf.namelist()
            missing = [n for n in required if n not in names]
            if missing:
                raise ModelFileError(
                    f"{path!r} is not a readable {kind}: it lacks {', '.join(missing)}."
                )
            return {name: zf.read(name) for name in names}
    except ModelFileError:
        raise
    except Exception as exc:  # zlib.error, BadZipFile (CRC), NotImplementedError, ...
        raise ModelFileError(
            f"{path!r} is not a readable {kind} (truncated or corrupted?): "
            f"{type(exc).__name__}: {exc}"
        ) from None


def check_format(meta, path, *, format, version, kind="skbinary model file"):
    """Refuse a header ``meta`` of another format or another format version.

    Raises
    ------
    ModelFileError
        Naming the file, the version found and the version this skbinary reads.
    """
    if not isinstance(meta, dict) or meta.get("format") != format:
        raise ModelFileError(f"{os.fspath(path)!r} is not a {kind}.")
    if meta.get("format_version") != version:
        raise ModelFileError(
            f"{os.fspath(path)!r} has format version {meta.get('format_version')!r}; this "
            f"skbinary reads version {version}. It was written by {meta.get('versions')}."
        )


def versions(*packages):
    """The skbinary version and those of the named imported ``packages``."""
    import importlib

    found = {"skbinary": __version__}
    for name in packages:
        found[name] = importlib.import_module(name).__version__
    return found
