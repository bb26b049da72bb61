"""The records that flow between pipeline stages.

Every stage of kg takes and returns these plain, frozen dataclasses, so a
stage can be tested alone, its output cached or shipped to another process,
and no spaCy object ever leaves the extraction stage.

>>> p = Paper(id="abc", title="Longformer", abstract="We propose Longformer.")
>>> p.text("title")
'Longformer'
>>> m = Mention(paper="abc", field="abstract", start=11, end=21,
...             surface="Longformer", type="Model", role="proposes")
>>> p.text(m.field)[m.start:m.end] == m.surface
True
"""
from __future__ import annotations

from dataclasses import dataclass, field

ENTITY_TYPES = ("Model", "Dataset", "Technique", "Task", "Metric", "Repository")
"""The six entity types of the annotation guideline, in display order."""

ROLES = ("proposes", "evaluates_on", "has_code", "uses")
"""Roles of a paper towards an entity, strongest first."""

FIELDS = ("title", "abstract", "code_url")
"""The fields of a paper a mention can stand in (``code_url``: the record's, not the text's)."""


def role_rank(role: str) -> int:
    """Smaller is stronger: ``role_rank("proposes") < role_rank("uses")``.

    >>> sorted(["uses", "proposes", "has_code"], key=role_rank)
    ['proposes', 'has_code', 'uses']
    """
    return ROLES.index(role)


@dataclass(frozen=True)
class Source:
    """Where a paper was read: a file and the 1-based line it starts on."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Paper:
    """One paper, deduplicated across inputs; ``sources`` lists every listing."""

    id: str
    title: str
    abstract: str
    url: str | None = None
    sources: tuple[Source, ...] = ()
    arxiv_id: str = ""
    year: int | None = None
    date: str = ""  # ISO 8601 (YYYY-MM-DD) or ""
    venue: str = ""
    authors: tuple[str, ...] = ()
    code_url: str = ""  # the record's code repository (a ``has_code`` mention of field ``code_url``)
    record_id: str = ""  # the input record's own id, as written (``id`` is it escaped, or a title hash)

    def text(self, field_name: str) -> str:
        """The text of ``"title"``, ``"abstract"`` or ``"code_url"``."""
        if field_name == "title":
            return self.title
        if field_name == "abstract":
            return self.abstract
        if field_name == "code_url":
            return self.code_url
        raise ValueError(f"unknown field {field_name!r}")


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity in a paper's title or abstract.

    ``start``/``end`` are character offsets into the field's text (end
    exclusive); ``name`` is the name the extractor resolved the surface to
    inside the paper (e.g. the long form of an abbreviation), ``aliases`` the
    other forms the paper itself links to it.
    """

    paper: str
    field: str
    start: int
    end: int
    surface: str
    type: str
    role: str = "uses"
    name: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def canonical(self) -> str:
        return self.name or self.surface


@dataclass(frozen=True)
class Relation:
    """``subject`` is built from / adapts ``object`` (both names in one paper)."""

    paper: str
    subject: str
    object: str
    kind: str = "based_on"


@dataclass(frozen=True)
class Result:
    """A number the paper reports for a model with a metric, maybe on a dataset."""

    paper: str
    model: str
    metric: str
    value: float
    dataset: str | None = None
    evidence: str = ""
    evidence_field: str = ""
    evidence_start: int = -1
    evidence_end: int = -1
    """Where ``evidence`` stands: ``[evidence_start, evidence_end)`` of the title or abstract."""


@dataclass(frozen=True)
class Extraction:
    """Everything the extractor found in one paper."""

    paper: str
    mentions: tuple[Mention, ...] = ()
    relations: tuple[Relation, ...] = ()
    results: tuple[Result, ...] = ()


@dataclass(frozen=True)
class Entity:
    """One real thing: a stable id, its type, canonical name and every alias.

    ``same_as`` (IRIs of the same thing elsewhere, e.g. Linked Papers With Code) and
    ``higher_is_better`` (a metric's direction; None if unknown) come from the lexicon
    entry the canonical name is taken from.
    """

    id: str
    type: str
    name: str
    aliases: tuple[str, ...] = field(default=())
    same_as: tuple[str, ...] = ()
    higher_is_better: bool | None = None
    curated_by: tuple = ()  # the kg.curation.Rule objects that merged, renamed, retyped or split it


def extraction_to_tuple(ex: Extraction) -> tuple:
    """An extraction as nested tuples of plain values: compact, and fast to ``marshal``.

    The cache stores this form; decoding it is several times faster than JSON.

    >>> ex = Extraction("p", (Mention("p", "title", 0, 3, "ViT", "Model"),),
    ...                 (Relation("p", "A", "B"),), (Result("p", "A", "BLEU", 28.4, "WMT14"),))
    >>> extraction_from_tuple(extraction_to_tuple(ex)) == ex
    True
    """
    return (ex.paper,
            tuple((m.paper, m.field, m.start, m.end, m.surface, m.type, m.role, m.name, m.aliases)
                  for m in ex.mentions),
            tuple((r.paper, r.subject, r.object, r.kind) for r in ex.relations),
            tuple((r.paper, r.model, r.metric, r.value, r.dataset, r.evidence, r.evidence_field, r.evidence_start,
                   r.evidence_end) for r in ex.results))


def extraction_from_tuple(data: tuple) -> Extraction:
    paper, mentions, relations, results = data
    return Extraction(paper, tuple(Mention(*m) for m in mentions), tuple(Relation(*r) for r in relations),
                      tuple(Result(*r) for r in results))
