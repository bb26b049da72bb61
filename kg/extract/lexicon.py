"""The lexicon of well-known entities, loaded into spaCy phrase matchers.

The lexicon is data (``data/lexicon.jsonl``, built by
``scripts/build_lexicon.py``): one entry a line with ``type``, ``name``,
``aliases``, ``source`` and ``case_sensitive`` (and ``higher_is_better`` for
metrics, ``same_as`` links to Linked Papers With Code).  Case-sensitive entries
(GLUE, LN, OPT, Lion) match on the exact text; the others match lower-cased.
``data/generic.txt`` lists generic phrases that are never entities.

>>> lex = Lexicon.from_entries([{"type": "Model", "name": "BERT", "aliases": [],
...                              "case_sensitive": True}], generic={"transformer"})
>>> lex.lookup("BERT").name, lex.is_generic("Transformers")
('BERT', True)
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .names import match_key, singular_key

DATA = resources.files("kg.extract") / "data"


@dataclass(frozen=True)
class LexEntry:
    """One lexicon entry; ``same_as`` and ``higher_is_better`` describe the thing, not its matching."""

    type: str
    name: str
    aliases: tuple[str, ...]
    case_sensitive: bool
    source: str = ""
    same_as: tuple[str, ...] = ()  # Linked Papers With Code IRIs, from the source data
    higher_is_better: bool | None = None  # metrics: the direction of a better value; None if unknown


class Lexicon:
    """Entries by surface form, plus the generic phrases to reject."""

    def __init__(self, entries: list[LexEntry], generic: set[str]):
        self.entries = entries
        self.generic = {singular_key(g) for g in generic} | {match_key(g) for g in generic}
        self.by_key: dict[str, list[tuple[str, LexEntry]]] = {}
        for entry in entries:
            for form in (entry.name, *entry.aliases):
                self.by_key.setdefault(match_key(form), []).append((form, entry))

    @classmethod
    def from_entries(cls, rows: list[dict], generic: set[str] = frozenset()) -> "Lexicon":
        entries = [LexEntry(r["type"], r["name"], tuple(r.get("aliases", ())),
                            bool(r.get("case_sensitive", False)), r.get("source", ""),
                            tuple(r.get("same_as", ())), r.get("higher_is_better"))
                   for r in rows]
        return cls(entries, set(generic))

    @classmethod
    def load(cls, lexicon: str | Path | None = None, generic: str | Path | None = None) -> "Lexicon":
        """Read the lexicon (default: the packaged one)."""
        lex_path = Path(lexicon) if lexicon else DATA / "lexicon.jsonl"
        gen_path = Path(generic) if generic else DATA / "generic.txt"
        rows = [json.loads(line) for line in lex_path.read_text(encoding="utf-8").splitlines()
                if line.strip()]
        phrases = set()
        if gen_path.is_file():
            for line in gen_path.read_text(encoding="utf-8").splitlines():
                line = line.split("#", 1)[0].strip()
                if line:
                    phrases.add(line)
        return cls.from_entries(rows, phrases)

    def lookup(self, surface: str) -> LexEntry | None:
        """The entry a surface form names, respecting case where it matters.

        "VITS" (a speech model) is not "ViTs" (vision transformers); a plural
        falls back to its singular ("ViTs" → ViT).
        """
        for key in (match_key(surface), singular_key(surface)):
            found = self.by_key.get(key, ())
            exact = [e for form, e in found if form == surface]
            if exact:
                return exact[0]
            loose = [e for form, e in found if not exact_case(form, e.case_sensitive)
                     or form.lower() == surface.lower() and not exact_case(surface, False)
                     or _case_variant(form, surface)]
            if loose:
                return loose[0]
        return None

    def is_generic(self, surface: str) -> bool:
        return match_key(surface) in self.generic or singular_key(surface) in self.generic

    def patterns(self) -> list[tuple[str, str, bool]]:
        """``(match id, surface, case_sensitive)`` for every form worth matching.

        The match id is ``"TYPE|canonical name"``.  Variants people write are
        added: plurals of multi-word technique, task and metric names
        ("scaling laws") and of model names ("Vision Transformers",
        "Performers"), and the all-capitals spelling of a long mixed-case name
        ("SQUAD" for SQuAD).
        """
        out = []
        for entry in self.entries:
            mid = f"{entry.type}|{entry.name}"
            for form in dict.fromkeys((entry.name, *entry.aliases)):
                if not form.strip() or self.is_generic(form):
                    continue
                cs = exact_case(form, entry.case_sensitive)
                out.append((mid, form, cs))
                for variant in variants(entry.type, form):
                    if not self.is_generic(variant):
                        out.append((mid, variant, exact_case(variant, entry.case_sensitive)))
        return out


def variants(type_: str, form: str) -> list[str]:
    """Other spellings of a lexicon form that still name the same thing.

    >>> variants("Model", "Vision Transformer"), variants("Dataset", "SQuAD")
    (['Vision Transformers'], ['SQUAD'])
    >>> variants("Technique", "scaling law"), variants("Model", "GPT-3")
    (['scaling laws'], [])
    """
    out = []
    plural_ok = form[-1:].isalpha() and not form.endswith(("s", "S", "x", "X"))
    if plural_ok and type_ in ("Technique", "Metric", "Task") and form.islower() and \
            (" " in form or type_ == "Metric"):
        out.append(form + "s")
    elif plural_ok and type_ == "Model" and form[-1].islower() and len(form) >= 4:
        out.append(form + "s")
    if " " not in form and len(form) >= 5 and form != form.upper() and form[1:] != form[1:].lower():
        out.append(form.upper())
    return out


def _case_variant(form: str, surface: str) -> bool:
    """"GeLU" for "GELU", "SwiGLU" for "SWIGLU": an acronym of 4+ letters in mixed case.

    >>> _case_variant("GELU", "GeLU"), _case_variant("VITS", "ViTs"), _case_variant("GLUE", "glue")
    (True, False, False)
    """
    return (len(form) >= 4 and form.isupper() and form.lower() == surface.lower()
            and surface != surface.lower() and surface[-1:].isupper())


def exact_case(form: str, case_sensitive: bool) -> bool:
    """Must ``form`` match with its exact case?

    Acronyms and inner capitals always do (ComplEx is not "complex", VITS is
    not "vits"); other forms of a case-sensitive entry do when they have a
    capital; lower-case phrases never do.

    >>> exact_case("ComplEx", False), exact_case("GLUE", False), exact_case("Adam", False)
    (True, True, True)
    >>> exact_case("machine translation", True), exact_case("Layer Normalization", False)
    (False, False)
    """
    if form == form.lower():
        return False
    if " " not in form.strip() and any(ch.isupper() for ch in form):
        return True  # one token with a capital: "Shifts" is a dataset, "shifts" a verb
    return case_sensitive


@lru_cache(maxsize=4)
def default_lexicon() -> Lexicon:
    return Lexicon.load()


EXTRACTOR_VERSION = "0.1"


def extractor_version() -> str:
    """Changes whenever the code version or any data file changes (the extraction cache's key).

    Here rather than in :mod:`kg.extract.pipeline` so that a build whose papers
    are all cached never imports spaCy.
    """
    return f"{EXTRACTOR_VERSION}+{version_of_data()}"


FITTING_ONLY = ("training.py", "clustering.py")
"""Modules of :mod:`kg.extract` that fit the model and the clusters and never run in a build: what
they produce is hashed as data, so a change to them alone leaves every cached extraction valid."""


def rule_modules() -> list:
    """The modules of :mod:`kg.extract` whose code decides what is extracted (all but :data:`FITTING_ONLY`).

    >>> names = [m.name for m in rule_modules()]
    >>> "pipeline.py" in names and "training.py" not in names
    True
    """
    package = resources.files("kg.extract")
    return sorted((p for p in package.iterdir() if p.name.endswith(".py") and p.name not in FITTING_ONLY),
                  key=lambda p: p.name)


def version_of_data() -> str:
    """A hash of the extractor's data files and rule code: changes with any lexicon or rule change.

    It keys the extraction cache, so a cached result is never reused by a different extractor.
    """
    import hashlib

    h = hashlib.sha256()
    for f in rule_modules():
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    for path in sorted(p for p in DATA.rglob("*") if p.is_file()):  # the trained model too
        h.update(path.relative_to(DATA).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]
