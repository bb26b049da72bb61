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
from .extract.names import match_key, singular_key, strip_size
from .records import ENTITY_TYPES, Entity, Mention
from . import curation as curated
from .curation import Curation
from .tally import Tally


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
                eid = self.index.get((t, name))  # None: a name a curation rule rejected
                if eid is not None and self.entities[eid].type in types:  # a name retyped corpus-wide may not fit
                    return eid
        return None


def _decide_types(counts: dict[tuple[str, str], int], key_of: dict[str, str]) -> dict[str, str]:
    """One type per name key across the corpus: the most frequent (ties: the earlier type).

    ``key_of`` maps each name to its :func:`~kg.extract.names.singular_key`.
    """
    votes: dict[str, dict[str, int]] = {}  # name key → type → mentions
    for (t, canon), n in counts.items():
        if t != "Repository":
            key = key_of[canon]
            by_type = votes.get(key)
            if by_type is None:
                votes[key] = {t: n}
            else:
                by_type[t] = by_type.get(t, 0) + n
    decided = {}
    for key, by_type in votes.items():
        if len(by_type) == 1:  # most names are written with one type
            decided[key] = next(iter(by_type))
        else:
            decided[key] = min(by_type, key=lambda t: (-by_type[t], _TYPE_ORDER[t]))
    return decided


_TYPE_ORDER = {t: i for i, t in enumerate(ENTITY_TYPES)}


PARALLEL_AT = 20_000
"""Distinct names from which ``resolve(..., jobs=2+)`` splits the work over two processes."""


def resolve(mentions: Iterable[Mention], lexicon: Lexicon | None = None, *, jobs: int = 1,
            tally: Tally | None = None, curation: Curation | None = None) -> Resolution:
    """Group mentions into entities; see the module docstring.

    ``tally``, if given, is the :class:`~kg.tally.Tally` of ``mentions`` (which are then not read).
    ``curation`` holds a user's rules (:mod:`kg.curation`): rejected names resolve to no entity.

    Names of different types never merge and entity ids start with the type,
    so each type is resolved on its own: with ``jobs`` > 1 and many names,
    a forked child resolves about half of the types while this process does
    the rest.  The result is the same either way.
    """
    if tally is None:
        tally = Tally.of(mentions)
    counts, forms_seen, key_of = tally.counts, tally.forms, tally.keys  # per (written type, name); per name
    curation = curation or None
    if curation is not None:
        counts, forms_seen = curated.filter_tally(curation, counts, forms_seen)
    types = _decide_types(counts, key_of)
    if curation is not None:
        types = curated.retyped(curation, types)
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)  # (type, name) → written pairs
    for pair in counts:
        t, canon = pair
        if t != "Repository":
            t = types.get(key_of[canon], t)
        groups[(t, canon)].append(pair)
    keys = _sorted_pairs(groups)  # the order that decides which of two same-named entities gets "-2"
    split = _split(keys) if jobs > 1 and len(keys) >= PARALLEL_AT else set()
    args = (groups, forms_seen, counts, lexicon, curation)
    if split:
        from .engine.memory import Forked

        child = Forked(_resolve_keys, [k for k in keys if k[0] in split], *args, what="resolving entities")
        try:  # the rest, built into a Resolution while the child finishes
            rest = _resolution(_resolve_keys([k for k in keys if k[0] not in split], *args), lexicon=lexicon)
        except BaseException:
            child.cancel()
            raise
        return _resolution(child.wait(), rest, lexicon)  # the dicts' order differs from one process's: nothing reads it
    return _resolution(_resolve_keys(keys, *args), lexicon=lexicon)


def _resolution(parts: list[tuple], result: Resolution | None = None, lexicon: Lexicon | None = None) -> Resolution:
    """The :class:`Resolution` of :func:`_resolve_keys`' tuples (added to ``result`` if given).

    Each entity gets the ``same_as`` links and metric direction of its lexicon entry (:func:`_entry_facts`).
    """
    result = Resolution() if result is None else result
    entities, index = result.entities, result.index
    for eid, t, name, aliases, pairs, rules, known_as in parts:
        entities[eid] = Entity(id=eid, type=t, name=name, aliases=aliases, curated_by=rules,
                               **_entry_facts(lexicon, t, known_as))
        for pair in pairs:
            index[pair] = eid
    return result


def _entry_facts(lexicon: Lexicon | None, type_: str, name: str) -> dict:
    """The :class:`Entity` fields taken from the lexicon entry that ``name`` (a canonical name) is.

    Only an entry of the entity's type whose own name it is counts: a canonical
    name comes from the lexicon as the entry's name (see :func:`_canonical`).

    >>> lex = Lexicon.from_entries([{"type": "Metric", "name": "WER", "aliases": ["word error rate"],
    ...                              "higher_is_better": False}])
    >>> _entry_facts(lex, "Metric", "WER"), _entry_facts(lex, "Task", "WER"), _entry_facts(None, "Metric", "WER")
    ({'same_as': (), 'higher_is_better': False}, {}, {})
    """
    if lexicon is None:
        return {}
    for _form, entry in lexicon.by_key.get(match_key(name), ()):
        if entry.type == type_ and entry.name == name:
            return {"same_as": entry.same_as, "higher_is_better": entry.higher_is_better}
    return {}


def _sorted_pairs(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """``sorted(pairs)``, sorting each type's names as strings (3 times faster than comparing tuples).

    >>> _sorted_pairs([("Task", "b"), ("Model", "z"), ("Task", "a")])
    [('Model', 'z'), ('Task', 'a'), ('Task', 'b')]
    """
    names: dict[str, list[str]] = defaultdict(list)
    for t, name in pairs:
        names[t].append(name)
    return [(t, name) for t in sorted(names) for name in sorted(names[t])]


CHILD_SHARE = 0.48
"""The forked child's share of the work: touching memory it shares copy-on-write slows it, and its
result must be sent back."""
COST = {"Model": 1.25, "Repository": 0.7}
"""Work per name relative to the other types (measured on 101k papers: models 18 µs, for their size
variants; repositories 10 µs, no lexicon; others 13-15 µs)."""


def _split(keys: list[tuple[str, str]]) -> set[str]:
    """The types the child resolves: the set whose cost is nearest :data:`CHILD_SHARE` (empty if one type).

    >>> sorted(_split([("Model", "a"), ("Model", "b"), ("Task", "c")]))
    ['Task']
    """
    cost: Counter = Counter()
    for t, _name in keys:
        cost[t] += 1
    for t in cost:
        cost[t] *= COST.get(t, 1.0)
    types = sorted(cost)
    target = CHILD_SHARE * sum(cost.values())
    best: tuple[float, list[str]] = (float("inf"), [])
    for mask in range(1, (1 << len(types)) - 1):  # every proper, non-empty subset (6 types: 62)
        chosen = [t for i, t in enumerate(types) if mask >> i & 1]
        best = min(best, (abs(sum(cost[t] for t in chosen) - target), chosen))
    return set(best[1])


def _resolve_keys(keys: list[tuple[str, str]], groups: dict, forms_seen: dict, counts: Counter,
                  lexicon: Lexicon | None, curation: Curation | None = None) -> list[tuple]:
    """Entities of the (type, name) ``keys`` (whole types only), as plain tuples.

    Each is ``(id, type, name, aliases, [(type, name) pairs that resolve to it], curation rules applied,
    the name before curation renamed it)``.
    """
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
        alone = curated.isolated(curation, t, name) if curation is not None else None
        for form in forms:
            ks = {alone} if alone else form_keys(t, form) if t != "Repository" else {name.lower()}
            if lexicon is not None and t != "Repository" and not alone:
                entry = known(form)
                if entry is not None and entry.type == t:
                    ks.add("lex:" + entry.name)
            if curation is not None and not alone:
                ks.update(curated.merge_keys(curation, t, form))
            for k in ks:
                if (t, k) in owner:
                    uf.union(i, owner[(t, k)])
                else:
                    owner[(t, k)] = i
    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(len(keys)):
        clusters[uf.find(i)].append(i)
    out = []
    taken: set[str] = set()
    for members in sorted(clusters.values()):
        t = keys[members[0]][0]
        sizes = [sum(counts[pair] for pair in groups[keys[i]]) for i in members]
        name = _canonical(t, [keys[i][1] for i in members], sizes, known if lexicon is not None else None)
        forms = set().union(*(forms_of[i] for i in members))
        rules, known_as = (), name  # known_as: the name the lexicon's facts are looked up by
        if curation is not None:
            name, rules = curated.decide(curation, t, name, forms | {keys[i][1] for i in members})
        eid = f"{t.lower()}/{slug(name)}"
        n = 2
        while eid in taken:
            eid, n = f"{t.lower()}/{slug(name)}-{n}", n + 1
        taken.add(eid)
        aliases = tuple(sorted(f for f in forms if f != name and f.strip()))
        pairs = []
        for i in members:
            pairs.append(keys[i])
            pairs.extend(groups[keys[i]])
        out.append((eid, t, name, aliases, pairs, rules, known_as))
    return out


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
