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
    """Entities by id, and the entity id of every (type, in-paper name).

    A name written with a type resolves the same way in every paper (the
    type decided for the name corpus-wide applies everywhere), so the index
    needs no paper.
    """

    entities: dict[str, Entity] = field(default_factory=dict)
    index: dict[tuple[str, str], str] = field(default_factory=dict)

    def entity_of(self, type_: str, name: str) -> str | None:
        return self.index.get((type_, name))

    def names_in(self, mentions: Iterable[Mention]) -> set[tuple[str, str]]:
        """The (type, name) pairs a paper's mentions stand for: as written and as decided."""
        seen = set()
        for m in mentions:
            canon = m.name or m.surface
            seen.add((m.type, canon))
            eid = self.index.get((m.type, canon))
            if eid is not None:
                seen.add((self.entities[eid].type, canon))
        return seen

    def lookup(self, within: set[tuple[str, str]], name: str, types: Iterable[str] = ENTITY_TYPES) -> str | None:
        """The entity id a name of a paper (whose :meth:`names_in` is ``within``) resolved to.

        Types are tried in order; only a name the paper mentions with that type counts.
        """
        types = tuple(types)
        for t in types:
            if (t, name) in within:
                eid = self.index[(t, name)]
                if self.entities[eid].type in types:  # a name retyped corpus-wide may not fit
                    return eid
        return None


def _decide_types(counts: dict[tuple[str, str], int]) -> dict[str, str]:
    """One type per name key across the corpus: the most frequent (ties: the earlier type)."""
    votes: Counter = Counter()
    for t, canon in counts:
        if t != "Repository":
            votes[(singular_key(canon), t)] += counts[(t, canon)]
    best: dict[str, tuple[int, int, str]] = {}
    for (key, t), n in votes.items():
        rank = (-n, ENTITY_TYPES.index(t), t)
        if key not in best or rank < best[key]:
            best[key] = rank
    return {key: rank[2] for key, rank in best.items()}


def resolve(mentions: Iterable[Mention], lexicon: Lexicon | None = None) -> Resolution:
    """Group mentions into entities; see the module docstring."""
    written = [((m.type, m.name or m.surface), m.surface, m.aliases) for m in mentions]
    counts = Counter(pair for pair, _s, _a in written)  # mentions per (written type, name)
    forms_seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    for pair, surface in {(pair, surface) for pair, surface, _a in written}:
        forms_seen[pair].add(surface)
    for pair, _s, aliases in written:
        if aliases:
            forms_seen[pair].update(aliases)
    types = _decide_types(counts)
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)  # (type, name) → written pairs
    for pair in counts:
        t, canon = pair
        if t != "Repository":
            t = types.get(singular_key(canon), t)
        groups[(t, canon)].append(pair)
    keys = sorted(groups)
    entries: dict[str, object] = {}

    def known(form: str):
        """The lexicon entry of a form, looked up once per form."""
        if form not in entries:
            entries[form] = lexicon.lookup(form)
        return entries[form]

    uf = _UnionFind()
    owner: dict[tuple[str, str], int] = {}
    forms_of: list[set[str]] = []
    for i, (t, name) in enumerate(keys):
        uf.find(i)
        forms = {name}.union(*(forms_seen[pair] for pair in groups[(t, name)]))
        forms_of.append(forms)
        for form in forms:
            ks = form_keys(t, form) if t != "Repository" else {name.lower()}
            if lexicon is not None and t != "Repository":
                entry = known(form)
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
        sizes = [sum(counts[pair] for pair in groups[keys[i]]) for i in members]
        name = _canonical(t, [keys[i][1] for i in members], sizes, known if lexicon is not None else None)
        eid = f"{t.lower()}/{slug(name)}"
        n = 2
        while eid in taken:
            eid, n = f"{t.lower()}/{slug(name)}-{n}", n + 1
        taken.add(eid)
        forms = set().union(*(forms_of[i] for i in members))
        aliases = tuple(sorted(f for f in forms if f != name and f.strip()))
        result.entities[eid] = Entity(id=eid, type=t, name=name, aliases=aliases)
        for i in members:
            index[keys[i]] = eid
            for pair in groups[keys[i]]:
                index[pair] = eid
    return result


def _canonical(type_: str, names: list[str], sizes: list[int], known=None) -> str:
    """The lexicon's name if it knows the thing (``known`` looks names up), else the most written name.

    ``sizes[i]`` is how many mentions were written as ``names[i]``.
    """
    if type_ == "Repository":
        return min(names)
    if known is not None:
        for n in sorted(names):
            entry = known(n)
            if entry is not None and entry.type == type_:
                return entry.name
    counts: Counter = Counter()
    for n, size in zip(names, sizes):
        counts[strip_size(n) if type_ == "Model" else n] += size
    return min(counts, key=lambda n: (-counts[n], -len(n), n))
