"""Finding nodes and reading their neighbours in a kg graph.

The graph is the ``networkx.MultiDiGraph`` built by :mod:`kg.graph`: papers
(``paper/<pid>``), entities (``<type>/<slug>``), results (``result/<hash>``)
and ``mentions``/``based_on``/``reports``/``model``/``dataset``/``metric``
edges. These helpers only read it.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("model/bert", kind="Model", label="BERT", aliases=["Bert-base"])
>>> g.add_node("paper/1", kind="Paper", label="Attention", title="Attention")
>>> _ = g.add_edge("paper/1", "model/bert", kind="mentions", role="uses")
>>> find_node(g, "bert-BASE")
'model/bert'
>>> find_node(g, "attention")
'paper/1'
>>> papers_of(g, "model/bert")
{'paper/1': ['uses']}
"""
from __future__ import annotations

from typing import Iterable

import networkx as nx

from kg.records import ROLES

_ROLE_RANK = {r: i for i, r in enumerate(ROLES)}

__all__ = [
    "find_node", "names_of", "kind_of", "label_of", "paper_count",
    "papers_of", "entity_nodes", "is_entity", "role_key",
]


def kind_of(graph: nx.MultiDiGraph, node: str) -> str:
    """The node's ``kind`` attribute (``""`` when missing)."""
    return str(graph._node[node].get("kind") or "")


def is_entity(graph: nx.MultiDiGraph, node: str) -> bool:
    """True for Model/Dataset/... nodes, False for papers and results."""
    return kind_of(graph, node) not in ("Paper", "Result", "")


def label_of(graph: nx.MultiDiGraph, node: str) -> str:
    """Display name: ``label``, else a paper's ``title``, else the node id."""
    attrs = graph._node[node]
    return str(attrs.get("label") or attrs.get("title") or node)


def names_of(graph: nx.MultiDiGraph, node: str) -> list[str]:
    """Every name a user may type for ``node``: label, title, aliases, id.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("task/qa", kind="Task", label="QA", aliases=("question answering",))
    >>> names_of(g, "task/qa")
    ['QA', 'question answering', 'task/qa']
    """
    attrs = graph._node[node]
    names: list[str] = []
    for value in (attrs.get("label"), attrs.get("title"),
                  *(attrs.get("aliases") or ()), node):
        if isinstance(value, str) and value.strip() and value not in names:
            names.append(value)
    return names


def paper_count(graph: nx.MultiDiGraph, node: str) -> int:
    """``paper_count`` attribute, else the number of distinct papers linked.

    Results have no ``paper_count``; theirs is the papers reporting them.
    """
    value = graph._node[node].get("paper_count")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    if kind_of(graph, node) == "Paper":
        return 1
    return len(papers_of(graph, node)) or sum(
        1 for p in graph.predecessors(node) if kind_of(graph, p) == "Paper")


def papers_of(graph: nx.MultiDiGraph, node: str) -> dict[str, list[str]]:
    """Papers mentioning ``node`` → their roles, strongest role first."""
    out: dict[str, list[str]] = {}
    attrs = graph._node     # plain dict of node attributes (NodeView is slow per lookup)
    for paper, keyed in graph._pred[node].items():
        if attrs[paper].get("kind") != "Paper":
            continue
        roles: list[str] = []
        for data in keyed.values():
            if data.get("kind") == "mentions":
                role = str(data.get("role") or "uses")
                if role not in roles:
                    roles.append(role)
        if roles:  # kg's graphs give one role per (paper, entity): sorting one is a waste
            out[paper] = roles if len(roles) == 1 else sorted(roles, key=role_key)
    return out


def role_key(role: str) -> tuple[int, str]:
    """Sort key putting stronger roles first, unknown roles last."""
    return (_ROLE_RANK.get(role, len(ROLES)), role)


def entity_nodes(graph: nx.MultiDiGraph, kind: str | None = None) -> list[str]:
    """Entity node ids (of one ``kind`` if given)."""
    return [n for n in graph if is_entity(graph, n)
            and (kind is None or kind_of(graph, n) == kind)]


def _match_rank(query: str, names: Iterable[str]) -> int | None:
    """0 for an exact name, 1 for a prefix of a name, None otherwise."""
    best = None
    for name in names:
        low = name.casefold()
        if low == query:
            return 0
        if low.startswith(query):
            best = 1
    return best


def find_node(graph: nx.MultiDiGraph, name_or_alias: str) -> str:
    """The id of the node named ``name_or_alias`` (case-insensitive).

    Matches the node id, label, aliases and a paper's title. An exact match
    wins; among several, entities before papers, then the most-mentioned.
    Failing that, a unique prefix of a name is accepted.

    Raises ``LookupError`` naming the query (and close candidates) if no
    node matches, or if a prefix is ambiguous.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("model/bert", kind="Model", label="BERT", paper_count=3)
    >>> g.add_node("model/bart", kind="Model", label="BART", paper_count=1)
    >>> find_node(g, "model/bart")
    'model/bart'
    >>> find_node(g, "gpt")
    Traceback (most recent call last):
    ...
    LookupError: no node named 'gpt' (matched case-insensitively against ids, labels, aliases and paper titles)
    >>> find_node(g, "b")
    Traceback (most recent call last):
    ...
    LookupError: 'b' is ambiguous: BERT (model/bert), BART (model/bart)
    """
    if not isinstance(name_or_alias, str) or not name_or_alias.strip():
        raise LookupError("empty node name")
    if name_or_alias in graph:
        return name_or_alias
    query = " ".join(name_or_alias.split()).casefold()
    exact: list[str] = []
    prefix: list[str] = []
    for node in graph:
        names = [" ".join(n.split()) for n in names_of(graph, node)]
        rank = _match_rank(query, names)
        if rank == 0:
            exact.append(node)
        elif rank == 1:
            prefix.append(node)

    def order(n: str) -> tuple:
        return (not is_entity(graph, n), -paper_count(graph, n), n)

    if exact:
        return min(exact, key=order)
    if len(prefix) == 1:
        return prefix[0]
    if prefix:
        shown = ", ".join(f"{label_of(graph, n)} ({n})"
                          for n in sorted(prefix, key=order)[:8])
        more = f" and {len(prefix) - 8} more" if len(prefix) > 8 else ""
        raise LookupError(f"{name_or_alias!r} is ambiguous: {shown}{more}")
    raise LookupError(
        f"no node named {name_or_alias!r} (matched case-insensitively against "
        "ids, labels, aliases and paper titles)")
