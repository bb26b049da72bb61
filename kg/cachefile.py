"""Cache files that vouch for themselves, and the one warning a damaged cache costs.

A cache is a hint, never the truth: a cache file that is truncated, changed
in place, foreign (another program's, an older kg's) or unreadable must cost
a re-computation and one :class:`~kg.errors.CacheWarning` naming its path,
never a crash or a wrong graph.  Size and modification time cannot tell a
byte flipped in place, so each file starts with a header (a magic string
naming the cache and its format, then the SHA-256 of the body) that
:func:`read` checks before the body is used.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "c"
>>> read(p, b"kg-example 1\\n")  # no file yet: a plain miss
(None, None)
>>> write(p, b"kg-example 1\\n", b"payload")  # None: written
>>> read(p, b"kg-example 1\\n")
(b'payload', None)
>>> data = p.read_bytes(); _ = p.write_bytes(data[:-1] + b"X")  # one byte changed, same size
>>> read(p, b"kg-example 1\\n")
(None, 'checksum mismatch (changed or truncated)')
>>> read(p, b"kg-example 2\\n")[1]
'not a cache file of this kg (an older format, or not written by kg)'
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import warnings
from pathlib import Path

from .errors import CacheWarning
from .fsutil import atomic_write, remove

DIGEST = 32  # bytes of SHA-256 after the magic


def read(path: str | os.PathLike, magic: bytes) -> tuple[bytes | None, str | None]:
    """``(body, None)`` for a whole file, ``(None, None)`` when there is none, ``(None, why)`` when damaged."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return None, None
    except IsADirectoryError:
        return None, "a folder where a cache file should be"
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or exc})"
    if not data:
        return None, "empty (truncated)"
    if not data.startswith(magic):
        return None, "not a cache file of this kg (an older format, or not written by kg)"
    digest, body = data[len(magic):len(magic) + DIGEST], data[len(magic) + DIGEST:]
    if hashlib.sha256(body).digest() != digest:
        return None, "checksum mismatch (changed or truncated)"
    return body, None


def write(path: str | os.PathLike, magic: bytes, body: bytes) -> str | None:
    """Write ``body`` under its header, atomically; ``None``, or why it could not be (full or read-only disk).

    The build never depends on a cache, so failing to keep one is for the caller to warn about, not an error.
    """
    try:
        dump(path, magic, body)
    except OSError as exc:
        return f"cannot be written ({exc.strerror or exc})"
    return None


def dump(path: str | os.PathLike, magic: bytes, body: bytes) -> None:
    """Write ``body`` under its header, atomically; raises ``OSError`` (for files a build cannot do without)."""
    with atomic_write(path, "wb") as handle:
        handle.write(magic)
        handle.write(hashlib.sha256(body).digest())
        handle.write(body)


def discard(path: str | os.PathLike) -> None:
    """Remove a damaged cache file, or a folder in its place; a failure is left for the next write to report."""
    with contextlib.suppress(OSError):
        remove(path)


def warn(path: str | os.PathLike, why: str, then: str = "ignored and rebuilt") -> None:
    """One :class:`~kg.errors.CacheWarning`: ``PATH: why; then``.

    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn("out/.kg-cache-tally", "empty (truncated)")
    >>> str(caught[0].message)
    'out/.kg-cache-tally: empty (truncated); ignored and rebuilt'
    """
    warnings.warn(CacheWarning(f"{os.fspath(path)}: {why}; {then}"), stacklevel=3)


class Once:
    """Warns about one cache at most once per kind of trouble (reading, writing) in a build.

    A cache of a thousand damaged entries gives one warning, naming the first.

    >>> once = Once()
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     for name in ("a", "b"):
    ...         once("read", name, "damaged")
    >>> [str(w.message) for w in caught]
    ['a: damaged; ignored and rebuilt']
    """

    def __init__(self) -> None:
        self.given: set[str] = set()

    def __call__(self, kind: str, path: str | os.PathLike, why: str, then: str = "ignored and rebuilt") -> None:
        if kind not in self.given:
            self.given.add(kind)
            warn(path, why, then)
