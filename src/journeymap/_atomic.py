"""Atomic file writes: a temp file of the writer's own beside the target, then a rename.

Every writer gets its own temp file (``.NAME.<pid>.<random>.tmp``, created exclusively), so
writers at once never share one: readers see the old file or a new one, never half of one.
:func:`atomic_write_new` never replaces a file: it claims the first of several names that is
free (for files that must each be kept, e.g. measurements saved by runs at once).

A failure raises the :class:`OSError` of its kind (``PermissionError``,
``NotADirectoryError``, ...) with the *target* as its ``filename`` and the system's reason as
its ``strerror`` (not a temp file's or a parent folder's name), and leaves no temp file.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["atomic_write_bytes", "atomic_write_new", "atomic_write_text"]

#: errors of a file system that has no hard links (FAT, some network shares)
_NO_LINKS = frozenset(
    {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EMLINK, errno.EXDEV}
)


def _located(e: OSError, target: Path) -> OSError:
    """``e`` told of ``target``: the same kind (from its errno) and reason, the target's name."""
    if e.filename == str(target):
        return e
    if e.errno is None:
        located = OSError(e.strerror or str(e))
        located.filename = str(target)
        return located
    return OSError(e.errno, e.strerror or os.strerror(e.errno), str(target))


def _folder(target: Path) -> None:
    """The target's folder, made when missing."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError as e:  # a file where a folder of the path goes
        notdir = NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), e.filename)
        raise _located(notdir, target) from e
    except OSError as e:
        raise _located(e, target) from e


@contextlib.contextmanager
def _temp(target: Path, data: bytes) -> Iterator[Path]:
    """``data`` in a temp file of this writer beside ``target``, synced; removed afterwards
    unless the caller renamed it."""
    _folder(target)
    try:
        fd, name = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent
        )
    except OSError as e:
        raise _located(e, target) from e
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        yield tmp
    except OSError as e:
        raise _located(e, target) from e
    finally:
        tmp.unlink(missing_ok=True)


def _mode(target: Path) -> int:
    """The permissions a new version of ``target`` gets: the old file's, else 0o644."""
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        return 0o644


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    target = Path(path)
    with _temp(target, data) as tmp:
        tmp.chmod(_mode(target))
        tmp.replace(target)


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_new(names: Iterable[str | Path], data: bytes) -> Path:
    """Write ``data`` under the first of ``names`` (one folder) that no file has, atomically
    and never over a file, even one another writer creates meanwhile; return that name.

    The name is claimed by hard-linking the written temp file to it, which fails when the
    name is taken. On a file system without hard links it is reserved by creating it
    exclusively, then replaced by the temp file (a reader may see it empty meanwhile).
    :class:`FileExistsError` when every name is taken."""
    targets = (Path(n) for n in names)  # taken one by one: the names may be many
    first = next(targets, None)
    if first is None:
        raise ValueError("atomic_write_new needs at least one name")
    target = first
    with _temp(first, data) as tmp:
        tmp.chmod(0o644)
        for target in itertools.chain([first], targets):
            if target.parent != first.parent:
                raise ValueError("atomic_write_new writes into one folder")
            try:
                _claim(tmp, target)
            except FileExistsError:
                continue
            except OSError as e:
                raise _located(e, target) from e
            return target
    raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target))


def _claim(tmp: Path, target: Path) -> None:
    """``target`` made ``tmp``'s content if no file has that name (else FileExistsError): a
    hard link; without hard links, created exclusively, then replaced by ``tmp``."""
    try:
        os.link(tmp, target)
        return
    except OSError as e:
        if e.errno not in _NO_LINKS:
            raise
    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    tmp.replace(target)
