"""Named exceptions: every error kg raises is a :class:`KGError`.

The library raises these with a message a user can act on (naming the file
and line for input errors); only :mod:`kg.cli` turns them into ``Error: …``
and exit code 1.

>>> issubclass(NoPapersError, InputError) and issubclass(InputError, KGError)
True
>>> issubclass(QueryTimeoutError, QueryLimitError) and issubclass(ResultLimitError, QueryError)
True
"""
from __future__ import annotations


class KGError(Exception):
    """Base class of every error kg raises on purpose."""


class InputError(KGError):
    """An input file or record cannot be used."""


class NoPapersError(InputError):
    """The inputs hold no paper at all."""


class GraphNotFoundError(KGError):
    """No built graph where one was expected (run ``kg build`` first)."""


class QueryError(KGError):
    """A SPARQL query is malformed or cannot run."""


class QueryLimitError(QueryError):
    """A query went past one of its bounds (time limit or row cap)."""


class QueryTimeoutError(QueryLimitError):
    """A query was still running at its time limit and was stopped."""


class ResultLimitError(QueryLimitError):
    """A query's answer has more rows (or triples) than its cap."""


class QueryTooDeepError(QueryError):
    """A query nests brackets deeper, or chains more operators, than the engine can parse safely."""


class UnknownParameterError(QueryError):
    """A value was bound to a name the query does not declare as a parameter (or no variable name)."""


class FormatError(KGError):
    """An unknown export format, or a file that does not parse in its format."""


class CurationError(KGError):
    """A curation file that cannot be read or has a bad rule (the message names file and line)."""


class LookupFailed(KGError):
    """A node asked for by name is not in the graph."""


class ValidationError(KGError):
    """A built graph does not conform to the SHACL shapes; ``report`` holds the results."""

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


class ServerError(KGError):
    """The SPARQL endpoint cannot start (address in use, graph does not load, …)."""


class BuildLockedError(KGError):
    """Another build is writing the same output folder."""


class OutputError(KGError):
    """An output cannot be written (disk full, no permission, I/O error); the message names the path."""


class InputWarning(UserWarning):
    """A file, line or record was skipped; the message names file and line."""


class CacheWarning(UserWarning):
    """A cache, block index or store of a previous build was damaged or foreign and is rebuilt; names the path."""


WARNINGS_PER_FILE = 5
"""Input warnings shown per file; the rest are counted in one line."""


def summarise_warnings(messages: list[str], per_file: int = WARNINGS_PER_FILE) -> list[str]:
    """The first ``per_file`` warnings of each file (``FILE:LINE: …``), then how many more there were.

    >>> summarise_warnings(["a.jsonl:1: bad", "a.jsonl:2: bad", "a.jsonl:3: bad", "b.csv:1: x"], per_file=2)
    ['a.jsonl:1: bad', 'a.jsonl:2: bad', 'b.csv:1: x', 'a.jsonl: 1 more warning like these, not shown']
    """
    import re

    shown: dict[str, int] = {}
    hidden: dict[str, int] = {}
    out = []
    for message in messages:
        m = re.match(r"(.+?):(\d+): ", message)
        key = m.group(1) if m else message.split(": ", 1)[0]
        if shown.get(key, 0) < per_file:
            shown[key] = shown.get(key, 0) + 1
            out.append(message)
        else:
            hidden[key] = hidden.get(key, 0) + 1
    out += [f"{key}: {n} more warning{'s' if n > 1 else ''} like these, not shown" for key, n in hidden.items()]
    return out
