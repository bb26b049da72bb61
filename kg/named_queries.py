"""Shipped queries and query parameters: ``kg query NAME --bind KEY=VALUE``.

A query names its parameters in comment lines of its own text (a shipped
``kg/queries/NAME.rq``, any ``.rq`` file, or SPARQL text)::

    # param: dataset = "ImageNet" — the dataset's name or alias, any case

Each parameter binds the SPARQL variable of its name (``?dataset``), or the one
written after the name (``# param: dataset ?name = …``), to its default or to
the value given.  Values are bound as RDF terms through Oxigraph's
``substitutions`` (SEP-0007), never pasted into the text, so no value can change
the query's structure.  A value is a plain string literal, except ``<IRI>``,
which binds that IRI.  Oxigraph substitutes only variables of the SELECT
clause, so a query projects its parameters; their columns, the same on every
row, are left out of the answer.

Without ``# param:`` lines any variable of the SELECT clause may be bound
(``--bind x=…`` binds ``?x``) and its column stays in the answer; with them,
only the declared names may be, and another is :class:`UnknownParameterError`.

>>> [(p.name, p.variable, p.default.value) for p in parse_params('# param: d = "GLUE" — a name\\nASK {}')]
[('d', 'd', 'GLUE')]
>>> to_term("<https://example.org/x>")
<NamedNode value=https://example.org/x>
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Mapping

import pyoxigraph

from .errors import QueryError, UnknownParameterError

QUERIES = resources.files("kg") / "queries"
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_PARAM = re.compile(rf"^\s*#\s*param:\s*(?P<name>{_NAME})(?:\s+\?(?P<var>{_NAME}))?\s*=\s*"
                    r'(?P<default>"(?:[^"\\]|\\.)*"|<[^<>"\s]*>)\s*(?:(?:—|--)\s*(?P<about>.*))?$')
_VARIABLE = re.compile(rf"^{_NAME}$")

Term = pyoxigraph.NamedNode | pyoxigraph.Literal


@dataclass(frozen=True)
class Param:
    """One declared parameter: the name to bind, its SPARQL variable, default and description."""

    name: str
    variable: str
    default: Term
    description: str = ""

    def __str__(self) -> str:
        """``name = "default"``, as written in the query (shown by ``kg query --list``)."""
        return f"{self.name} = {self.default}"


def to_term(value: str | Term) -> Term:
    """A bound value as an RDF term: ``<IRI>`` is that IRI, any other text a string literal.

    >>> to_term('x" } ?s ?p ?o {')
    <Literal value=x" } ?s ?p ?o { datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>
    """
    if not isinstance(value, str):
        return value
    if len(value) > 2 and value.startswith("<") and value.endswith(">"):
        try:
            return pyoxigraph.NamedNode(value[1:-1])
        except ValueError as exc:
            raise QueryError(f"cannot bind {value}: not an IRI ({exc})") from None
    return pyoxigraph.Literal(value)


def parse_params(text: str) -> list[Param]:
    """The parameters a query's ``# param:`` comment lines declare, in order.

    A ``# param:`` line that does not parse is :class:`~kg.errors.QueryError`, so that
    a typo in a query file is not silently a query without that parameter.
    """
    params = []
    for line in text.splitlines():
        if not re.match(r"\s*#\s*param:", line):
            continue
        m = _PARAM.match(line)
        if not m or not _json_string(m["default"]):
            raise QueryError(f"cannot read the parameter line {line.strip()!r}: write it as "
                             '`# param: NAME = "default" — description` (or a default <IRI>)')
        raw = m["default"]
        default = to_term(raw) if raw.startswith("<") else pyoxigraph.Literal(json.loads(raw))
        params.append(Param(m["name"], m["var"] or m["name"], default, (m["about"] or "").strip()))
    return params


def _json_string(raw: str) -> bool:
    """Whether a default is an ``<IRI>`` or a string in JSON's escapes (``"a \\"b\\" c"``)."""
    try:
        return raw.startswith("<") or isinstance(json.loads(raw), str)
    except ValueError:
        return False


def substitutions(text: str, bind: Mapping[str, str | Term] | None = None, *, declared_only: bool = False
                  ) -> tuple[dict[str, Term], list[str]]:
    """``(variable → term, hidden columns)`` for running ``text`` with the values of ``bind``.

    Declared parameters get their defaults, overridden by ``bind``; their columns are hidden.
    Without declarations, ``bind`` names variables directly and hides nothing, unless
    ``declared_only`` (a shipped query: its parameters are its interface).

    >>> substitutions('# param: d ?x = "GLUE"\\nSELECT ?x {}', {"d": "COCO"})[0]["x"].value
    'COCO'
    """
    bind = dict(bind or {})
    params = parse_params(text)
    if not params and bind and declared_only:
        raise UnknownParameterError(f"the query has no parameters: it cannot bind {next(iter(bind))!r}")
    if not params:
        bad = [k for k in bind if not _VARIABLE.match(k)]
        if bad:
            raise UnknownParameterError(f"cannot bind {bad[0]!r}: not a SPARQL variable name")
        return {k: to_term(v) for k, v in bind.items()}, []
    by_name = {p.name: p for p in params}
    unknown = [k for k in bind if k not in by_name]
    if unknown:
        listed = ", ".join(str(p) for p in params)
        raise UnknownParameterError(f"the query has no parameter {unknown[0]!r}; its parameters: {listed}")
    values = {p.variable: to_term(bind[p.name]) if p.name in bind else p.default for p in params}
    return values, [p.variable for p in params]


def description(text: str) -> str:
    """A query's first line without its ``#``: what ``kg query --list`` prints for it."""
    first = text.splitlines()[0] if text else ""
    return first.lstrip("# ").strip()


def named_queries() -> dict[str, str]:
    """The shipped competency queries by name, with their first comment line."""
    return {name: description(text) for name, text in _shipped().items()}


def query_catalogue() -> dict[str, tuple[str, list[Param]]]:
    """The shipped queries by name: ``(description, parameters)``, for ``kg query --list``."""
    return {name: (description(text), parse_params(text)) for name, text in _shipped().items()}


def catalogue_text() -> str:
    """The lines of ``kg query --list``: each query, then its parameters indented under it."""
    lines = []
    for name, (about, params) in query_catalogue().items():
        lines.append(f"{name:28} {about}")
        lines += [f"    {str(p):32} {p.description}".rstrip() for p in params]
    return "\n".join(lines)


def _shipped() -> dict[str, str]:
    """The text of every ``kg/queries/*.rq`` by name, sorted."""
    files = sorted((f for f in QUERIES.iterdir() if f.name.endswith(".rq")), key=lambda f: f.name)
    return {f.name[:-3]: f.read_text(encoding="utf-8") for f in files}


def shipped_text(name: str) -> str | None:
    """The text of the shipped query ``name``, or ``None`` if there is none (or ``name`` is no name)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        return None
    f = QUERIES / f"{name}.rq"
    return f.read_text(encoding="utf-8") if f.is_file() else None
