"""The one file container: an atomic, versioned zip archive.

Both kinds of skbinary file are written and read here: the estimator's model
file (:mod:`skbinary._persistence`) and the command line's tabular model
(:mod:`skbinary.tabular`). Each is a zip archive of named members, one of them
a JSON header that carries a ``format`` name and a ``format_version``.

- :func:`atomic_write` writes through a temporary file in the same folder that
  is renamed over the target, so a crash never leaves a broken file where a
  good one was; the file gets the permissions a plain ``open`` would give.
- :func:`read_archive` turns every way a file can be unreadable into either the
  ``OSError`` of opening it (naming the file) or a :class:`ModelFileError`. It
  refuses a zip bomb before inflating it: an archive whose members would
  inflate beyond :data:`MAX_JSON_BYTES` (a JSON member) or
  :data:`MAX_TOTAL_BYTES` (all members together) is refused from its header,
  and each member is read in bounded chunks, so one inflating to more than its
  header says is refused after at most one byte too many.
  :func:`check_archive_sizes` applies the same limits to an archive held in
  memory (the Keras network inside a model file) without keeping its members.
- :func:`check_format` refuses another format or another version.

This module imports only the standard library.
"""

import contextlib
import copy
import io
import os
import tempfile
import threading
import zipfile
import zlib

from ._version import __version__

#: Most bytes a JSON member of an archive may inflate to (64 MiB): a model's
#: metadata, its training history included, takes kilobytes to a few MiB.
MAX_JSON_BYTES = 64 << 20
#: Most bytes all the members of an archive may inflate to together (1 GiB):
#: a Keras network of about 250 million float32 weights.
MAX_TOTAL_BYTES = 1 << 30
_CHUNK = 1 << 20  # bytes inflated at a time


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
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as fh:
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


def _limit(name):
    return MAX_JSON_BYTES if name.endswith(".json") else MAX_TOTAL_BYTES


def _check_declared_sizes(zf, source, kind):
    """Refuse ``zf`` when its header says it inflates beyond the limits.

    ``source`` names the archive in the messages (the quoted file name).
    """
    total = 0
    for info in zf.infolist():
        limit = _limit(info.filename)
        if info.file_size > limit:
            what = "a JSON member" if limit == MAX_JSON_BYTES else "a model file"
            raise ModelFileError(
                f"{source} is not a loadable {kind}: its member {info.filename!r} "
                f"inflates to {info.file_size:,} bytes, beyond the limit of {limit:,} "
                f"bytes for {what} (a zip bomb?)."
            )
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise ModelFileError(
            f"{source} is not a loadable {kind}: its members inflate to {total:,} bytes "
            f"in all, beyond the limit of {MAX_TOTAL_BYTES:,} bytes (a zip bomb?)."
        )


def _inflate(zf, info, source, kind, keep=True):
    """The bytes of member ``info``, inflated at most one byte past its stated size.

    ``zipfile`` inflates as much of a member as it is asked for at once, cut to
    the size its header states. Read in chunks under a header stating one byte
    more (its CRC checked here, on the bytes read), a member inflating to more
    than its header says is refused after that one byte. Returns the bytes
    when ``keep``, else None.
    """
    probe = copy.copy(info)
    probe.file_size = info.file_size + 1
    probe.CRC = None  # checked below: zipfile would check it on the cut bytes
    chunks, n, crc = [], 0, 0
    with zf.open(probe) as fh:
        while n <= info.file_size:
            chunk = fh.read(min(_CHUNK, info.file_size + 1 - n))
            if not chunk:
                break
            n += len(chunk)
            crc = zlib.crc32(chunk, crc)
            if keep:
                chunks.append(chunk)
    if n > info.file_size:
        raise ModelFileError(
            f"{source} is corrupted (or a zip bomb): its member {info.filename!r} "
            f"inflates to more than the {info.file_size:,} bytes its header says; "
            f"it is not a loadable {kind}."
        )
    if n < info.file_size or crc != info.CRC:
        raise ModelFileError(
            f"{source} is not a readable {kind} (truncated or corrupted?): its member "
            f"{info.filename!r} does not inflate to the {info.file_size:,} bytes of "
            "CRC-32 its header says."
        )
    return b"".join(chunks) if keep else None


def read_archive(path, required=(), *, kind="skbinary model file"):
    """Every member of the zip archive at ``path``, as a dict name -> bytes.

    A zip bomb is refused before it is inflated: a JSON member may inflate to
    at most :data:`MAX_JSON_BYTES` (64 MiB) and all the members together to at
    most :data:`MAX_TOTAL_BYTES` (1 GiB), as the archive's header says; each
    member is read in chunks of 1 MiB, so one inflating to more than its
    header says is refused after one byte too many.

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
        If it is not a zip archive, is truncated or corrupted, lacks a
        required member, or would inflate beyond the limits.
    """
    path = os.fspath(path)
    try:
        zf = zipfile.ZipFile(path)
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        raise _naming(exc, path, "read") from None
    except Exception as exc:  # noqa: BLE001 (whatever the bytes make zipfile raise)
        raise ModelFileError(
            f"{path!r} is not a readable {kind} (not a zip archive, truncated or "
            f"corrupted?): {type(exc).__name__}: {exc}"
        ) from None
    with _damage_named(path, kind), zf:
        names = zf.namelist()
        missing = [n for n in required if n not in names]
        if missing:
            raise ModelFileError(
                f"{path!r} is not a readable {kind}: it lacks {', '.join(missing)}."
            )
        _check_declared_sizes(zf, repr(path), kind)
        return {info.filename: _inflate(zf, info, repr(path), kind) for info in zf.infolist()}


def check_archive_sizes(data, path, *, kind="skbinary model file", what="member"):
    """Refuse the zip archive ``data`` (bytes) if it would inflate beyond the limits.

    The limits of :func:`read_archive`, for an archive that another reader
    (Keras) inflates: its header is checked, then every member is inflated in
    chunks and dropped, so none inflates to more than its header says. Bytes
    that are not a zip archive pass unchecked (the other reader refuses them).

    Parameters
    ----------
    data : bytes
        The archive.
    path : str
        The file that holds it, for the messages.
    kind : str, default="skbinary model file"
        What that file should be, for the messages.
    what : str, default="member"
        What ``data`` is in that file, for the messages.

    Raises
    ------
    ModelFileError
        If it would inflate beyond the limits, or is truncated or corrupted.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # noqa: BLE001 (not a zip archive: for the other reader to refuse)
        return
    source = f"{os.fspath(path)!r} (its {what})"
    with _damage_named(path, kind, f"its {what} is unreadable: "), zf:
        _check_declared_sizes(zf, source, kind)
        for info in zf.infolist():
            _inflate(zf, info, source, kind, keep=False)


@contextlib.contextmanager
def _damage_named(path, kind, inside=""):
    """Turn what zipfile or zlib raise on damaged bytes into a ModelFileError."""
    try:
        yield
    except ModelFileError:
        raise
    except Exception as exc:  # noqa: BLE001 (zlib.error, BadZipFile, NotImplementedError...)
        raise ModelFileError(
            f"{path!r} is not a readable {kind} (truncated or corrupted?): {inside}"
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
