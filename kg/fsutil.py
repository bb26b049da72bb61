"""Atomic file writes: a crash leaves the previous file intact.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_write(d / "a.txt") as f:
...     _ = f.write("hello")
>>> (d / "a.txt").read_text()
'hello'
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO


def umask() -> int:
    """The process's file-mode creation mask (reading it means setting it, so it is set back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8", *,
                 sync: bool = True) -> Iterator[IO]:
    """Write to a temporary file in the same folder, then ``os.replace`` it.

    ``sync=False`` skips the ``fsync`` before the rename: only for files in a
    staging folder that :class:`Syncing` flushes before they are published.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding,
                       newline=None if "b" in mode else "\n") as handle:
            yield handle
            try:
                handle.flush()
                if sync:
                    os.fsync(handle.fileno())
            except OSError as exc:
                exc.filename = exc.filename or str(path)  # the error names the file being written
                raise
        os.chmod(tmp, 0o666 & ~umask())  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


class Syncing:
    """``fsync`` files in a background thread (the call releases the GIL); :meth:`wait` joins it.

    A build flushes its big staged files to disk this way while it updates
    the store, and waits before moving them into place.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "a"
    >>> _ = f.write_text("x")
    >>> Syncing([f]).wait()
    """

    def __init__(self, paths: Iterable[str | os.PathLike]):
        import threading

        self.paths = list(paths)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for path in self.paths:
                fd = os.open(path, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        except BaseException as exc:  # noqa: BLE001 - raised again by wait()
            self.error = exc

    def wait(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error


def write_text(path: str | os.PathLike, text: str) -> Path:
    with atomic_write(path) as handle:
        handle.write(text)
    return Path(path)


def sha256_file(path: str | os.PathLike) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def remove(path: str | os.PathLike) -> None:
    """Remove a file, a link or a whole folder (not a link's target); one already gone is no error.

    A folder's contents are removed as far as they can be (``shutil.rmtree(ignore_errors=True)``).
    """
    import shutil

    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
