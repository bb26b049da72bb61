"""The Oxigraph store of a build: patched from the previous build's when that is safe, else loaded.

A rebuild that changed little takes a checkpoint of the previous store (hard
links, nearly free) and applies the changed blocks' triples (:func:`update_store`).
That reuses the previous store's bytes, so they are verified first: every
build records the size and SHA-256 of each of its store's files in
``.kg-cache-store`` beside it (:func:`seal`), and a store whose files no longer
match (damaged, truncated, changed by hand), or whose patched copy does not
hold exactly the new build's triples, is given up with one
:class:`~kg.errors.CacheWarning` and the store loaded afresh from ``graph.nt``.

>>> import tempfile, pathlib
>>> gen = pathlib.Path(tempfile.mkdtemp())
>>> store = pyoxigraph.Store(str(gen / "store"))
>>> store.add(pyoxigraph.Quad(pyoxigraph.NamedNode("urn:s"), pyoxigraph.NamedNode("urn:p"), pyoxigraph.Literal("o")))
>>> store.flush(); del store
>>> seal(gen / "store")
>>> damage(gen / "store") is None
True
"""
from __future__ import annotations

import marshal
import os
import shutil
import warnings
from pathlib import Path

import pyoxigraph

from . import cachefile
from .errors import CacheWarning
from .fsutil import sha256_file

MANIFEST = ".kg-cache-store"
MAGIC = b"kg store manifest 1\n"
_UNSEALED = ("LOCK", "LOG")  # RocksDB's lock and info log: not the data


def _listing(store: Path) -> dict[str, tuple[int, str]]:
    return {f.name: (f.stat().st_size, sha256_file(f)) for f in sorted(store.iterdir())
            if f.is_file() and not f.name.startswith(_UNSEALED)}


def seal(store: Path) -> None:
    """Record the size and SHA-256 of every data file of ``store`` in ``MANIFEST`` beside it."""
    cachefile.dump(store.parent / MANIFEST, MAGIC, marshal.dumps(_listing(store)))


def damage(store: Path) -> str | None:
    """Why ``store`` cannot be trusted (its files differ from its manifest), or ``None`` if it can."""
    body, why = cachefile.read(store.parent / MANIFEST, MAGIC)
    if body is None:
        return why or "no manifest of its files"
    try:
        recorded = marshal.loads(body)
        listing = _listing(store)
    except (ValueError, EOFError, TypeError, OSError) as exc:
        return f"cannot be checked ({exc})"
    if listing != recorded:
        changed = sorted(n for n in set(listing) | set(recorded) if listing.get(n) != recorded.get(n))
        return f"{len(changed)} file(s) changed since it was built ({', '.join(changed[:3])})"
    return None


class _Mismatch(Exception):
    """A patched store does not hold the triples the new build's files hold."""


def update_store(previous: Path | None, target: Path, nt_file: Path, written) -> None:
    """The Oxigraph store of the new build at ``target``, sealed.

    ``written`` (:class:`kg.outputs.Written`) says whether the files were written
    incrementally and which blocks' triples changed: then ``previous/store`` is
    checked, checkpointed and patched; otherwise (or if that fails) ``nt_file``
    is bulk-loaded.
    """
    old = previous / "store" if previous is not None else None
    if written.incremental and old is not None and old.is_dir():
        why = damage(old)
        try:
            if why is None:
                _patched(old, target, written)
        except (OSError, ValueError, SyntaxError, RuntimeError, _Mismatch) as exc:
            why = str(exc)
        if why is None:
            seal(target)
            return
        warnings.warn(CacheWarning(f"{old}: the previous build's store cannot be reused ({why}); "
                                   f"loading the store afresh"), stacklevel=2)
        shutil.rmtree(target, ignore_errors=True)
    store = pyoxigraph.Store(str(target))
    store.bulk_load(path=str(nt_file), format=pyoxigraph.RdfFormat.N_TRIPLES)
    store.flush()
    del store
    seal(target)


def _patched(old: Path, target: Path, written) -> None:
    """``target``: a checkpoint of the store ``old`` with ``written``'s changes applied, checked by its size."""
    pyoxigraph.Store.read_only(str(old)).backup(str(target))
    store = pyoxigraph.Store(str(target))
    for quad in pyoxigraph.parse(b"".join(written.removed), format=pyoxigraph.RdfFormat.N_TRIPLES):
        store.remove(quad)
    store.bulk_extend(pyoxigraph.parse(b"".join(written.added), format=pyoxigraph.RdfFormat.N_TRIPLES))
    store.flush()
    if len(store) != written.triples:
        raise _Mismatch(f"{len(store)} triples where the files hold {written.triples}")
