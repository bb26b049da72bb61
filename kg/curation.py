"""A user's corrections to the graph, kept in ``curation.toml`` and applied at every resolution.

The file is a list of rules, each a TOML array-of-tables entry::

    [[merge]]                  # these names of one type are one entity (named like the first)
    type = "Dataset"
    names = ["ImageNet", "ImageNet-1K", "ImageNet-2012"]

    [[rename]]                 # the entity a name resolves to gets a new canonical name
    name = "MS COCO 2017"
    to = "COCO 2017"

    [[retype]]                 # the entity is of another type
    name = "LLaMA2-7B"
    to = "Model"

    [[reject]]                 # a name that is never an entity (of any type, or of ``type``)
    name = "seeds"

    [[split]]                  # a name that is not another entity's alias: it stands alone
    name = "MoEs"

``type`` narrows rename, retype, reject and split to names written with that
type.  Names compare as resolution compares them (case, hyphens and a
plural ``s`` ignored).  :func:`load` reads and checks a file (a bad rule is a
:class:`~kg.errors.CurationError` naming file and line); :func:`kg.resolve.resolve`
applies it; :func:`unmatched` names the rules that matched nothing;
:func:`append` adds a rule (``kg curate …``), so nobody edits TOML by hand.

>>> c = parse('[[reject]]\\nname = "seeds"\\n', "curation.toml")
>>> c.rules[0].kind, c.rules[0].names, c.rules[0].source, c.rules[0].label
('reject', ('seeds',), 'curation.toml:1', 'reject "seeds"')
"""
from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import CurationError
from .fsutil import atomic_write
from .extract.names import singular_key
from .records import ENTITY_TYPES

KINDS = ("merge", "rename", "retype", "reject", "split")
_KEYS = {"merge": ({"names"}, {"type"}), "rename": ({"name", "to"}, {"type"}),
         "retype": ({"name", "to"}, {"type"}), "reject": ({"name"}, {"type"}), "split": ({"name"}, {"type"})}
"""Per rule kind: required and optional keys (``merge`` requires ``type`` too, checked apart)."""


@dataclass(frozen=True)
class Rule:
    """One rule: its kind, the names it is about, an optional type, its target, and where it was written."""

    kind: str
    names: tuple[str, ...]
    type: str | None = None
    to: str | None = None
    source: str = ""  # FILE:LINE

    @property
    def label(self) -> str:
        """The rule as a sentence, for the graph's provenance."""
        names = ", ".join(json.dumps(n, ensure_ascii=False) for n in self.names)
        typed = f" {self.type}" if self.type else ""
        target = f" → {json.dumps(self.to, ensure_ascii=False)}" if self.to else ""
        return f"{self.kind}{typed} {names}{target}"

    @property
    def id(self) -> str:
        """A stable id for the rule's node in the graph (``curation/…``)."""
        return "curation/" + hashlib.sha1(f"{self.source}|{self.label}".encode()).hexdigest()[:16]

    def keys(self) -> set[str]:
        return {singular_key(n) for n in self.names} - {""}

    def applies(self, type_: str) -> bool:
        return self.type is None or self.type == type_


@dataclass(frozen=True)
class Curation:
    """The rules of one curation file, in file order."""

    rules: tuple[Rule, ...] = ()
    path: str = ""

    def of(self, kind: str) -> list[Rule]:
        return [r for r in self.rules if r.kind == kind]

    def __bool__(self) -> bool:
        return bool(self.rules)


DEFAULT_FILE = "curation.toml"


def find(output: str | Path, path: str | Path | None = None) -> Curation:
    """The curation of a build into ``output``: ``path`` (which must exist), else ``curation.toml``
    beside the output folder if there is one, else none."""
    if path is not None:
        if not Path(path).is_file():
            raise CurationError(f"{path}: no such curation file")
        return load(path)
    default = Path(output).absolute().parent / DEFAULT_FILE
    return load(default) if default.is_file() else Curation()


def load(path: str | Path) -> Curation:
    """Read and check a curation file; raises :class:`CurationError` naming file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CurationError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise CurationError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return parse(text, str(path))


_LINE = re.compile(r"at line (\d+), column (\d+)")


def parse(text: str, file: str = "curation.toml") -> Curation:
    """The :class:`Curation` of a file's text (``file`` names it in errors and sources)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _LINE.search(str(exc))
        where = f"{file}:{m.group(1)}" if m else file
        raise CurationError(f"{where}: not valid TOML ({_LINE.sub('', str(exc)).rstrip(' ()')})") from None
    lines = _header_lines(text)
    for key in data:
        if key not in KINDS:
            raise CurationError(f"{file}:{_key_line(text, key)}: unknown rule kind {key!r} "
                                f"(kinds: {', '.join(KINDS)})")
    rules = []
    for kind in KINDS:
        entries = data.get(kind, [])
        if not isinstance(entries, list):
            raise CurationError(f"{file}:{_key_line(text, kind)}: write rules as [[{kind}]] tables")
        for n, entry in enumerate(entries):
            line = lines[kind][n] if n < len(lines[kind]) else 1
            rules.append(_rule(kind, entry, f"{file}:{line}"))
    rules.sort(key=lambda r: int(r.source.rsplit(":", 1)[1]))
    return Curation(tuple(rules), file)


def _header_lines(text: str) -> dict[str, list[int]]:
    """The line of each ``[[kind]]`` header, per kind, in file order."""
    found: dict[str, list[int]] = {k: [] for k in KINDS}
    for number, line in enumerate(text.splitlines(), start=1):
        m = re.match(r"\s*\[\[\s*([A-Za-z_-]+)\s*\]\]", line)
        if m and m.group(1) in found:
            found[m.group(1)].append(number)
    return found


def _key_line(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*\[*\s*{re.escape(key)}\b", line):
            return number
    return 1


def _rule(kind: str, entry: object, source: str) -> Rule:
    """One checked rule; every problem names ``source``."""
    if not isinstance(entry, dict):
        raise CurationError(f"{source}: a [[{kind}]] rule is a table of keys")
    required, optional = _KEYS[kind]
    if kind == "merge":
        required = required | {"type"}
    missing, unknown = required - set(entry), set(entry) - required - optional
    if missing or unknown:
        what = [f"needs {', '.join(sorted(missing))}"] if missing else []
        what += [f"has unknown key{'s' if len(unknown) > 1 else ''} {', '.join(sorted(unknown))}"] if unknown else []
        raise CurationError(f"{source}: [[{kind}]] {' and '.join(what)} (keys: {', '.join(sorted(required | optional))})")
    names = entry["names"] if kind == "merge" else [entry["name"]]
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names) or not names:
        raise CurationError(f"{source}: [[{kind}]] {'names must be a list of' if kind == 'merge' else 'name must be a'}"
                            " non-empty string" + ("s" if kind == "merge" else ""))
    if kind == "merge" and len(names) < 2:
        raise CurationError(f"{source}: [[merge]] needs at least two names")
    type_, to = entry.get("type"), entry.get("to")
    if type_ is not None and type_ not in ENTITY_TYPES[:-1]:
        raise CurationError(f"{source}: type {type_!r} is not an entity type ({', '.join(ENTITY_TYPES[:-1])})")
    if kind == "retype" and to not in ENTITY_TYPES[:-1]:
        raise CurationError(f"{source}: [[retype]] to {to!r} is not an entity type ({', '.join(ENTITY_TYPES[:-1])})")
    if kind == "rename" and (not isinstance(to, str) or not to.strip()):
        raise CurationError(f"{source}: [[rename]] to must be a non-empty string")
    return Rule(kind, tuple(n.strip() for n in names), type_, to.strip() if isinstance(to, str) else None, source)


# --- applying the rules (called by kg.resolve) ----------------------------------------------------

def filter_tally(curation: Curation, counts, forms: dict) -> tuple[dict, dict]:
    """``counts`` and ``forms`` without rejected names, and with split names taken out of other
    names' forms (the split names' own pairs stay: :func:`isolated` keeps them apart).

    >>> from collections import Counter
    >>> c = parse('[[reject]]\\nname = "seed"\\n[[split]]\\nname = "MoEs"\\n')
    >>> counts = Counter({("Dataset", "seeds"): 2, ("Technique", "Mixture of Experts"): 3, ("Model", "MoEs"): 1})
    >>> forms = {("Dataset", "seeds"): {"seeds"}, ("Technique", "Mixture of Experts"): {"MoEs", "MoE"},
    ...          ("Model", "MoEs"): {"MoEs"}}
    >>> kept, seen = filter_tally(c, counts, forms)
    >>> sorted(kept), sorted(seen[("Technique", "Mixture of Experts")])
    ([('Model', 'MoEs'), ('Technique', 'Mixture of Experts')], ['MoE'])
    """
    rejects, splits = curation.of("reject"), curation.of("split")
    if not rejects and not splits:
        return counts, forms

    def dropped(rules: list[Rule], type_: str, key: str) -> bool:
        return any(r.applies(type_) and key in r.keys() for r in rules)

    kept = type(counts)({pair: n for pair, n in counts.items()
                         if pair[0] == "Repository" or not dropped(rejects, pair[0], singular_key(pair[1]))})
    seen = {}
    for pair in kept:
        own = singular_key(pair[1])
        seen[pair] = {f for f in forms.get(pair, ()) if pair[0] == "Repository" or not (
            dropped(rejects, pair[0], singular_key(f)) or
            (singular_key(f) != own and dropped(splits, pair[0], singular_key(f))))}
    return kept, seen


def retyped(curation: Curation, types: dict[str, str]) -> dict[str, str]:
    """The corpus-wide type per name key after ``[[retype]]`` and ``[[merge]]`` rules (in file order)."""
    if not curation.of("retype") and not curation.of("merge"):
        return types
    types = dict(types)
    for rule in curation.rules:
        if rule.kind in ("retype", "merge"):
            target = rule.to if rule.kind == "retype" else rule.type
            for key in rule.keys():
                if key in types and (rule.kind == "merge" or rule.type is None or types[key] == rule.type):
                    types[key] = target
    return types


def isolated(curation: Curation, type_: str, name: str) -> str | None:
    """The only grouping key of a ``[[split]]`` name (no lexicon, no other forms), else ``None``."""
    key = singular_key(name)
    for rule in curation.of("split"):
        if rule.applies(type_) and key in rule.keys():
            return f"split:{key}"
    return None


def merge_keys(curation: Curation, type_: str, form: str) -> list[str]:
    """Extra grouping keys that tie a form to the other names of its ``[[merge]]`` rules."""
    key = singular_key(form)
    return [f"merge:{i}" for i, rule in enumerate(curation.rules)
            if rule.kind == "merge" and rule.type == type_ and key in rule.keys()]


def decide(curation: Curation, type_: str, name: str, forms: set[str]) -> tuple[str, tuple[Rule, ...]]:
    """The canonical name of an entity (whose names and forms are ``forms``) and the rules that shaped it.

    A merged entity is named like its rule's first name, a renamed one by ``to``; later rules win.
    """
    keys = {singular_key(f) for f in forms}
    applied = []
    for rule in curation.rules:
        hit = keys & rule.keys()
        if not hit or rule.kind == "reject":
            continue
        if rule.kind == "merge" and rule.type == type_:
            name = rule.names[0]
        elif rule.kind == "rename" and rule.applies(type_):
            name = rule.to
        elif rule.kind == "retype" and rule.to == type_:
            pass
        elif rule.kind == "split" and rule.applies(type_) and singular_key(name) in rule.keys():
            pass
        else:
            continue
        applied.append(rule)
    return name, tuple(applied)


def unmatched(curation: Curation, names: set[str]) -> list[str]:
    """A warning for each rule none of whose names was written in the corpus (``names``: every
    name and form of the tally)."""
    keys = {singular_key(n) for n in names}
    return [f"{r.source}: {r.label} matches no name in the papers, rule had no effect"
            for r in curation.rules if not r.keys() & keys]


def append(path: str | Path, kind: str, names: list[str], type_: str | None = None, to: str | None = None) -> Rule:
    """Append one rule to the curation file at ``path`` (created if missing); returns it, checked.

    The new text is checked with the whole file before it is written, so a bad
    rule never lands in the file.
    """
    path = Path(path)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    lines = [f"[[{kind}]]"]
    if type_:
        lines.append(f"type = {json.dumps(type_, ensure_ascii=False)}")
    if kind == "merge":
        lines.append(f"names = [{', '.join(json.dumps(n, ensure_ascii=False) for n in names)}]")
    else:
        lines.append(f"name = {json.dumps(names[0], ensure_ascii=False)}")
    if to is not None:
        lines.append(f"to = {json.dumps(to, ensure_ascii=False)}")
    text = old + ("\n" if old and not old.endswith("\n") else "") + ("\n" if old.strip() else "") + "\n".join(lines) + "\n"
    curation = parse(text, str(path))
    with atomic_write(path) as f:
        f.write(text)
    return curation.rules[-1]
