"""What resolution counts over all mentions, kept between builds.

:func:`kg.resolve.resolve` starts from a :class:`Tally` of the corpus's
mentions: how many mentions each (type, name) has, every form it was seen
under, and each name's comparison key.  A tally only adds up, so a build that
only adds papers to the previous one starts from the previous tally (saved
beside the output, see :func:`save` and :func:`load`) plus the new papers'
mentions, instead of counting 700,000 mentions again.  The resolution is the
same either way: it is a function of the tally alone.  The saved file carries
a checksum (:mod:`kg.cachefile`): a damaged or foreign one is counted afresh
with one :class:`~kg.errors.CacheWarning`, as is a tally that cannot be saved.

>>> from kg.records import Mention
>>> a = Mention("p1", "title", 0, 4, "BERT", "Model")
>>> b = Mention("p2", "title", 0, 9, "BERT-base", "Model", name="BERT")
>>> t = Tally.of([a])
>>> t.add([b])
>>> t == Tally.of([a, b]), t.counts[("Model", "BERT")], sorted(t.forms[("Model", "BERT")])
(True, 2, ['BERT', 'BERT-base'])
"""
from __future__ import annotations

import functools
import hashlib
import marshal
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import cachefile
from .extract.names import singular_key
from .records import Mention

TALLY_FILE = ".kg-cache-tally"
MAGIC = b"kg mention tally 2\n"
"""Starts a saved tally: names the file and its format (format 1 had no header and no checksum)."""


@dataclass
class Tally:
    """Mentions per (type, name), the forms each was seen under, and each name's key."""

    counts: Counter = field(default_factory=Counter)  # (type, name) → mentions
    forms: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (type, name) → surfaces and aliases
    keys: dict[str, str] = field(default_factory=dict)  # name → singular_key(name)

    @classmethod
    def of(cls, mentions: Iterable[Mention]) -> Tally:
        tally = cls()
        tally.add(mentions)
        return tally

    def names(self) -> set[str]:
        """Every name and form counted."""
        return {name for _t, name in self.counts}.union(*self.forms.values())

    def add(self, mentions: Iterable[Mention]) -> None:
        """Count ``mentions`` in (in place)."""
        written = Counter((m.type, m.name or m.surface, m.surface, m.aliases) for m in mentions)
        counts, forms, keys = self.counts, self.forms, self.keys
        for (t, name, surface, aliases), n in written.items():
            pair = (t, name)
            counts[pair] += n
            seen = forms.get(pair)
            if seen is None:
                seen = forms[pair] = set()
            seen.add(surface)
            if aliases:
                seen.update(aliases)
            if name not in keys:
                keys[name] = singular_key(name)


@functools.lru_cache(maxsize=1)
def _format() -> str:
    """What a saved tally depends on besides the mentions: this module and the key function."""
    from . import __version__
    from .extract import names

    h = hashlib.sha256(__version__.encode())
    for module in (__file__, names.__file__):
        h.update(Path(module).read_bytes())
    return h.hexdigest()


def save(path: str | os.PathLike, tally: Tally, papers: Sequence[str]) -> None:
    """Write ``tally``, the tally of the papers whose extraction cache keys are ``papers``, to ``path``."""
    pairs = list(tally.counts)
    data = {"format": _format(), "papers": list(papers), "types": [t for t, _ in pairs],
            "names": [name for _, name in pairs], "counts": [tally.counts[p] for p in pairs],
            "forms": [tuple(tally.forms[p]) for p in pairs], "keys": [tally.keys[name] for _, name in pairs]}
    why = cachefile.write(path, MAGIC, marshal.dumps(data))
    if why is not None:
        cachefile.warn(path, why, "the next build counts every mention again")


def load(path: str | os.PathLike, papers: Sequence[str]) -> tuple[Tally, list[int]] | None:
    """The saved tally at ``path`` and the positions in ``papers`` (cache keys) it lacks.

    ``None`` unless the file is whole, of this code, and covers a subset of
    ``papers``: a tally cannot take a paper out, so a build that drops or
    changes a paper counts everything again.  A damaged file is also a
    :class:`~kg.errors.CacheWarning` naming it (a missing one is not).
    """
    body, why = cachefile.read(path, MAGIC)
    if body is None:
        if why is not None:
            cachefile.warn(path, why, "every mention is counted again")
        return None
    try:
        data = marshal.loads(body)
        if data.get("format") != _format():  # other code: a plain miss
            return None
        saved = set(data["papers"])
        pairs = list(zip(data["types"], data["names"]))
        tally = Tally(Counter(dict(zip(pairs, data["counts"]))), {p: set(f) for p, f in zip(pairs, data["forms"])},
                      dict(zip(data["names"], data["keys"])))
        whole = len(saved) == len(data["papers"]) and all(len(data[k]) == len(pairs)
                                                          for k in ("counts", "forms", "keys"))
    except (ValueError, EOFError, TypeError, KeyError, AttributeError):
        whole = False
    if not whole:  # a checksum that matches a body this code cannot use: not written by this kg
        cachefile.warn(path, "not a tally this kg can read", "every mention is counted again")
        return None
    missing = [i for i, key in enumerate(papers) if key not in saved]
    if len(papers) - len(missing) != len(saved):  # a saved paper is gone (or changed: a new key)
        return None
    return tally, missing
