"""Resolution: mentions from all papers become entities, one per real thing.

Mentions are grouped by type and by every form they were seen under (the
in-paper name, the surface, aliases such as an abbreviation's long form),
compared by a key that ignores case, hyphens, a plural ``s`` and, for
models, size variants (BERT-base is BERT).  A name the lexicon knows goes to
its lexicon entry, so "ViT" and "Vision Transformer" are one node even in
papers that never define the abbreviation.  The entity id is a slug of type
and canonical name: it depends on what the thing is, not on input order.

>>> from kg.records import Mention
>>> ms = [Mention("p1", "abstract", 0, 9, "BERT-base", "Model", name="BERT"),
...       Mention("p2", "abstract", 0, 4, "BERT", "Model"),
...       Mention("p2", "abstract", 9, 27, "Vision Transformer", "Model", aliases=("ViT",)),
...       Mention("p3", "title", 0, 3, "ViT", "Model")]
>>> r = resolve(ms)
>>> sorted((e.id, e.name, e.aliases) for e in r.entities.values())
[('model/bert', 'BERT', ('BERT-base',)), ('model/vision-transformer', 'Vision Transformer', ('ViT',))]
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .extract.lexicon import Lexicon
from .extract.names import singular_key, strip_size
from .records import ENTITY_TYPES, Entity, Mention


def slug(text: str) -> str:
    """A readable, IRI-safe slug.

    >>> slug("Swin Transformer"), slug("https://github.com/thuml/iTransformer"), slug("ImageNet-1K")
    ('swin-transformer', 'github-com-thuml-itransformer', 'imagenet-1k')
    """
    text = re.sub(r"^https?://(www\.)?", "", text.strip().lower())
    return re.sub(r"[^0-9a-z]+", "-", text).strip("-") or "x"


def form_keys(type_: str, form: str) -> set[str]:
    """The comparison keys of one form of a name."""
    keys = {singular_key(form)}
    if type_ == "Model":
        keys.add(singular_key(strip_size(form)))
        m = _GENERIC_TAIL.match(form)
        if m and (sum(ch.isupper() for ch in m.group(1)) >= 2 or any(ch.isdigit() for ch in m.group(1))):
            keys.add(singular_key(m.group(1)))  # "Sparse-VQ Transformer" is Sparse-VQ
    return {k for k in keys if k}


_GENERIC_TAIL = re.compile(r"^(\S+)\s+(?:Transformer|Network|Model|Net)s?$")


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass
class Resolution:
    """Entities by id, and the entity id of every (paper, type, in-paper name)."""

    entities: dict[str, Entity] = field(default_factory=dict)
    index: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def entity_of(self, paper: str, type_: str, name: str) -> str | None:
        return self.index.get((paper, type_, name))

    def lookup(self, paper: str, name: str, types: Iterable[str] = ENTITY_TYPES) -> str | None:
        """The entity id a name in a paper resolved to, trying types in order."""
        types = tuple(types)
        for t in types:
            eid = self.index.get((paper, t, name))
            if eid and self.entities[eid].type in types:  # a name retyped corpus-wide may not fit
                return eid
        return None


def _decide_types(rows: list[tuple], lexicon: Lexicon | None) -> dict[str, str]:
    """One type per name key across the corpus: the lexicon's, else the most frequent."""
    votes = Counter((singular_key(canon), t) for _p, t, canon, _s, _a in rows if t != "Repository")
    best: dict[str, tuple[int, int, str]] = {}
    for (key, t), n in votes.items():
        rank = (-n, ENTITY_TYPES.index(t), t)
        if key not in best or rank < best[key]:
            best[key] = rank
    return {key: rank[2] for key, rank in best.items()}


def resolve(mentions: Iterable[Mention], lexicon: Lexicon | None = None) -> Resolution:
    """Group mentions into entities; see the module docstring."""
    rows = [(m.paper, m.type, m.name or m.surface, m.surface, m.aliases) for m in mentions]
    types = _decide_types(rows, lexicon)
    groups: dict[tuple[str, str], list[tuple]] = defaultdict(list)  # (type, in-paper name) → rows
    for row in rows:
        t = row[1]
        if t != "Repository":
            t = types.get(singular_key(row[2]), t)
        groups[(t, row[2])].append(row)
    keys = sorted(groups)
    uf = _UnionFind()
    owner: dict[tuple[str, str], int] = {}
    forms_of: list[set[str]] = []
    for i, (t, name) in enumerate(keys):
        uf.find(i)
        forms = {name}
        for row in groups[(t, name)]:
            forms.add(row[3])
            forms.update(row[4])
        forms_of.append(forms)
        for form in forms:
            ks = form_keys(t, form) if t != "Repository" else {name.lower()}
            if lexicon is not None and t != "Repository":
                entry = lexicon.lookup(form)
                if entry is not None and entry.type == t:
                    ks.add("lex:" + entry.name)
            for k in ks:
                if (t, k) in owner:
                    uf.union(i, owner[(t, k)])
                else:
                    owner[(t, k)] = i
    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(len(keys)):
        clusters[uf.find(i)].append(i)
    result = Resolution()
    index = result.index
    taken: set[str] = set()
    for members in sorted(clusters.values()):
        t = keys[members[0]][0]
        name = _canonical(t, [keys[i][1] for i in members], [len(groups[keys[i]]) for i in members], lexicon)
        eid = f"{t.lower()}/{slug(name)}"
        n = 2
        while eid in taken:
            eid, n = f"{t.lower()}/{slug(name)}-{n}", n + 1
        taken.add(eid)
        forms = set().union(*(forms_of[i] for i in members))
        aliases = tuple(sorted(f for f in forms if f != name and f.strip()))
        result.entities[eid] = Entity(id=eid, type=t, name=name, aliases=aliases)
        for i in members:
            for paper, mtype, canon, _s, _a in groups[keys[i]]:
                index[(paper, mtype, canon)] = eid
                index[(paper, t, canon)] = eid
    return result


def _canonical(type_: str, names: list[str], sizes: list[int], lexicon: Lexicon | None) -> str:
    """The lexicon's name if it knows the thing, else the most written in-paper name.

    ``sizes[i]`` is how many mentions were written as ``names[i]``.
    """
    if type_ == "Repository":
        return min(names)
    if lexicon is not None:
        for n in sorted(names):
            entry = lexicon.lookup(n)
            if entry is not None and entry.type == type_:
                return entry.name
    counts: Counter = Counter()
    for n, size in zip(names, sizes):
        counts[strip_size(n) if type_ == "Model" else n] += size
    return min(counts, key=lambda n: (-counts[n], -len(n), n))
