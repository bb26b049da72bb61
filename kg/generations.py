"""An output folder as a series of generations, one of them current, switched in one atomic step.

Every build writes a complete new *generation* folder, ``DIR/.kg-gen-<id>/``
(the RDF files, store, overview, site and the block index and tally that the
next build reuses).  ``DIR/.kg-current`` is a symbolic link to the current
generation, and the names people use (``DIR/graph.nt``, ``DIR/store``,
``DIR/site``, …) are fixed links through it (``graph.nt → .kg-current/graph.nt``).
Publishing a build is a single ``rename`` of a new ``.kg-current`` link over the
old one, so after a crash or ``kill -9`` at any moment every name shows the same
build: the previous one or the new one, never a mix.  A name the current build
did not write (``graph.html`` after ``--no-site --no-html``… or ``site/`` after
``--no-site``) is a dangling link: absent, never stale.

Generations other than the current one, and the staging folders of killed
builds, are removed by :func:`tidy` (under :func:`locked`, at the start of every
build and after publishing).  The extraction and input caches stay in ``DIR``
itself: they are shared by all generations.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> with locked(out):
...     gen = new_generation(out)
...     _ = (gen / "graph.nt").write_text("<urn:a> <urn:b> <urn:c> .\\n")
...     _ = publish(gen, out)
>>> (out / "graph.nt").read_text()
'<urn:a> <urn:b> <urn:c> .\\n'
>>> current(out) == gen.resolve()
True
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import BuildLockedError
from .fsutil import remove, umask

CURRENT = ".kg-current"
PREFIX = ".kg-gen-"
LOCK = ".kg-lock"
PUBLISHED = ("graph.nt", "graph.ttl", "graph.json", "graph.html", "store", "site")
"""The names in an output folder that are links into the current generation."""
CARRIED = (".kg-cache-blocks", ".kg-cache-tally", ".kg-cache-store")
"""Files of a build that describe its outputs: they move with them into a generation."""
LEFTOVERS = (".kg-build-", ".kg-current.", ".store.old", ".site.", PREFIX)
"""Name prefixes of what a killed build or an older kg may leave behind."""


def current(out: str | os.PathLike) -> Path | None:
    """The current generation folder of ``out`` (resolved), or ``None`` before the first build."""
    link = Path(out) / CURRENT
    if not link.is_symlink():
        return None
    target = link.resolve()
    return target if target.is_dir() else None


def new_generation(out: str | os.PathLike) -> Path:
    """A fresh, empty generation folder in ``out`` (not current until :func:`publish`)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    gen = Path(tempfile.mkdtemp(prefix=PREFIX, dir=out))
    os.chmod(gen, 0o777 & ~umask())  # mkdtemp makes 0700: a generation is read like any folder
    return gen


@contextlib.contextmanager
def locked(out: str | os.PathLike) -> Iterator[None]:
    """Hold ``out/.kg-lock`` for a build; a second build on ``out`` raises :class:`BuildLockedError`.

    The lock is an ``flock``: the kernel drops it when the process ends,
    however it ends, so a killed build never leaves a stale lock.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise BuildLockedError(f"{out}: another kg build (pid {holder}) is writing this folder; "
                                   f"wait for it to finish or build into another folder") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def _link(path: Path, target: str) -> None:
    """Make ``path`` a symbolic link to ``target`` in one rename (replacing a file or link there)."""
    tmp = path.with_name(f"{CURRENT}.{os.getpid()}.{path.name}.tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    os.symlink(target, tmp)
    os.replace(tmp, path)


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def adopt(out: str | os.PathLike) -> None:
    """Bring ``out`` into the generation layout, keeping what it shows.

    A folder built by an older kg (real ``graph.nt``, ``store/``, … in ``out``)
    becomes the current generation, so the next build still reuses it; a real
    file put where a link belongs since (``kg view`` rewrites ``graph.html``,
    ``kg site`` ``site/``) replaces that name in the current generation.
    Interrupted half-way, a later call completes it.
    """
    out = Path(out)
    gen = current(out)
    strays = [n for n in PUBLISHED + CARRIED
              if (out / n).exists() and not (out / n).is_symlink()]
    if gen is None and not strays:
        return
    if gen is None:
        gen = new_generation(out)
        _link(out / CURRENT, gen.name)
    for name in strays:
        if (gen / name).exists():
            trash = Path(tempfile.mkdtemp(prefix=".kg-build-", dir=out))
            os.replace(gen / name, trash / name)
        os.replace(out / name, gen / name)
    link_names(out)


def link_names(out: str | os.PathLike) -> None:
    """Create the links of :data:`PUBLISHED` that are missing in ``out`` (after a first build or a crash)."""
    out = Path(out)
    for name in PUBLISHED:
        path = out / name
        if not path.is_symlink() and not path.exists():
            _link(path, f"{CURRENT}/{name}")


def publish(gen: str | os.PathLike, out: str | os.PathLike) -> list[Path]:
    """Make the complete generation ``gen`` current in ``out``; returns the published names that exist.

    Everything written is flushed to disk first; then one ``rename`` switches
    every name at once; then the folder itself is flushed (so a power cut
    cannot undo the switch) and older generations are removed.
    """
    gen, out = Path(gen), Path(out)
    os.sync()  # the generation's files and folders reach the disk before anything points at them
    _link(out / CURRENT, gen.name)
    _sync_dir(out)
    link_names(out)
    tidy(out)
    return [out / n for n in PUBLISHED if (out / n).exists()]


def tidy(out: str | os.PathLike) -> list[Path]:
    """Remove every generation but the current one and what killed builds left; returns what went.

    Call it only while holding :func:`locked` (another build's generation in
    the making looks just like a leftover).
    """
    out = Path(out)
    keep = current(out)
    gone = []
    with os.scandir(out) as entries:
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith(LEFTOVERS) and (keep is None or path.resolve() != keep) \
                    and entry.name != CURRENT:
                remove(path)
                gone.append(path)
    return gone
