"""What a SPARQL text would do, read without running it: the two guards of ``kg serve``.

* :func:`is_update`: SPARQL Update sent as a query (refused: the endpoint is read-only).
* :func:`uses_service`: a federated query, one with a ``SERVICE`` clause (refused unless
  ``kg serve --allow-service``): it makes the server send requests to an address the client
  chose, from inside the server's network (server-side request forgery).

How :func:`uses_service` decides, erring on the side of refusing:

1. No ``service`` in the text (any case, also after ``\\u`` escapes are expanded): not federated.
   Only this shortcut runs for almost every query.
2. rdflib parses the text (``rdflib.plugins.sparql.parser.parseQuery``); a
   ``ServiceGraphPattern`` anywhere in the tree (OPTIONAL, UNION, MINUS, GRAPH, subqueries,
   EXISTS in FILTER, BIND, HAVING or ORDER BY, ``SERVICE SILENT``, a variable or prefixed
   service name) means federated.
3. Then a token reading backs it: the word ``SERVICE`` outside strings, IRIs, comments,
   variables, language tags, blank node labels and prefixed names means federated too.
   rdflib is not the engine, and where the two read a text differently the engine's reading
   must not slip through: Oxigraph ends a comment at a carriage return where rdflib reads on, and expands
   ``\\u`` escapes only inside strings and IRIs where rdflib expands them everywhere first
   (both found, and tested).  When rdflib rejects the text (Oxigraph accepts more: LATERAL,
   RDF 1.2 triple terms, VERSION, …) or the text holds a carriage return or a ``\\u``
   escape, the token reading is strict: it reads into prefixed names, so ``SERVICE:x`` counts
   (it is ``SERVICE :x`` to a SPARQL parser), and so do a prefix named ``service:`` and
   ``ex:a.service`` (refused, wrongly but safely, only in such a text).

>>> uses_service("SELECT * WHERE { SeRvIcE SILENT <http://10.0.0.1/sparql> { ?s ?p ?o } }")
True
>>> uses_service('SELECT * WHERE { ?s ?p "SERVICE <http://x/> {}" } # SERVICE')
False
"""
from __future__ import annotations

import re

SERVICE_REFUSED = ("federated queries (SERVICE) are disabled: this endpoint does not send requests on a "
                   "client's behalf; run the query with `kg query` on your own machine, or start the "
                   "endpoint with `kg serve --allow-service` (then anyone who can reach it can make it "
                   "call any address its network reaches)")

_UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s+[^\s:]*:\s*<>|BASE\s*<>)\s*)*([A-Za-z]+)", re.IGNORECASE)
_STRING = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                     r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', re.DOTALL)


def is_update(text: str) -> bool:
    """Whether SPARQL text is an update operation (its first keyword after the prologue).

    >>> is_update("PREFIX ex: <http://x/> DELETE WHERE { ?s ex:p ?o }")
    True
    >>> is_update("SELECT * { ?s ?p 'INSERT' }")
    False
    """
    text = _STRING.sub('""', text)
    text = re.sub(r"<[^<>\s]*>", "<>", text)
    text = re.sub(r"#[^\n]*", " ", text)
    match = _PROLOGUE.match(text)
    return bool(match) and match.group(1).upper() in _UPDATE_KEYWORDS


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_DIFFERS = re.compile(r"\r|\\[uU]")  # where rdflib and Oxigraph are known to read a text differently
_NAME = r"\w\-.\u00B7\u0300-\u036F\u203F\u2040"  # characters of SPARQL names, roughly (PN_CHARS and '.')
_SKIP = [  # what SERVICE inside is no keyword, found left to right (a '#' in a string is no comment)
    r"'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''", r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""',
    r"'(?:[^'\\\n\r]|\\.)*'", r'"(?:[^"\\\n\r]|\\.)*"',  # strings
    r"<[^<>\"{}|^`\\\x00-\x20]*>",  # IRIs (a '<' with a space after is less-than)
    r"#[^\r\n]*",  # comments end at CR or LF, as in the SPARQL grammar and Oxigraph
    rf"[?$][{_NAME}]+", r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*",  # variables, language tags
    rf"_:[{_NAME}]*",  # blank node labels
]
_PNAME = rf"(?:[^\W\d_][{_NAME}]*)?:(?:[{_NAME}:]|%[0-9A-Fa-f]{{2}}|\\\S)*"  # prefixed names (lenient mode)
_STRICT = re.compile("|".join(_SKIP), re.DOTALL)
_LENIENT = re.compile("|".join(_SKIP + [_PNAME]), re.DOTALL)
_KEYWORD = re.compile(r"(?<![\w\-:])SERVICE(?![\w\-])", re.IGNORECASE)


def expand_escapes(text: str) -> str:
    r"""The text with its ``\uXXXX`` and ``\UXXXXXXXX`` escapes replaced, as SPARQL 1.1 reads them.

    >>> expand_escapes(r"\u0053ERVICE \U0000003F")
    'SERVICE ?'
    """
    def char(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else m.group(0)

    return _ESCAPE.sub(char, text)


def has_service_token(text: str, strict: bool = True) -> bool:
    """Whether the keyword SERVICE stands outside strings, IRIs, comments and names.

    ``strict``: prefixed names are not skipped (``SERVICE:x`` is the keyword and a name).

    >>> has_service_token("SELECT * { ?service <urn:SERVICE> 'SERVICE' } # SERVICE")
    False
    >>> has_service_token("SELECT * { ?s ?p ?o .SERVICE<http://x/>{} }")
    True
    >>> q = "SELECT * { SERVICE:x {} }"
    >>> has_service_token(q), has_service_token(q, strict=False)
    (True, False)
    """
    masked = (_STRICT if strict else _LENIENT).sub(" ", text)
    return bool(_KEYWORD.search(masked))


def _parse_has_service(text: str) -> bool | None:
    """Whether rdflib's parse tree of the text holds a SERVICE pattern; None if rdflib rejects it."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        tree = parseQuery(text)
    except Exception:  # noqa: BLE001 - any failure (ParseException, RecursionError, …) means "cannot tell"
        return None
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                return True
            stack.extend(node.values())
        elif isinstance(node, (ParseResults, list, tuple)):
            stack.extend(node)
    return False


def uses_service(text: str) -> bool:
    """Whether a SPARQL query is federated: would it call another endpoint? (see the module doc)

    >>> uses_service("SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE ?endpoint { ?s ?p ?x } } }")
    True
    >>> uses_service("PREFIX service: <http://x/> SELECT ?service WHERE { ?s service:p ?service }")
    False
    """
    expanded = expand_escapes(text)
    if "service" not in text.casefold() and "service" not in expanded.casefold():
        return False
    parsed = _parse_has_service(text)
    if parsed:
        return True
    strict = parsed is None or bool(_DIFFERS.search(text))
    return any(has_service_token(t, strict) for t in {text, expanded})


# --- nesting and chains: what would overflow the engine's stack -----------------------------

MAX_NESTING = 200
"""Brackets (``(``, ``[``, ``{``) a query may nest; Oxigraph's parser recursion overflows past some thousands."""
MAX_CHAIN = 1000
"""Operators and clauses a query may chain (``||``, ``&&``, ``!``, ``/``, ``|``, ``^``, ``+``, ``-``, ``*``,
``UNION``, ``OPTIONAL``, ``MINUS``, ``FILTER``, ``BIND``, ``EXISTS``, each ``{``): Oxigraph builds and walks
them as one deep tree, and its stack overflowed (a crash, not an error) at about 3,000 ``BIND`` or
``MINUS`` clauses and 10,000 ``||``."""

_NUMBER = r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_WORD = r"[^\W\d]\w*(?:\.+\w+)*"  # a keyword or a name's prefix; one token, so a long run is read once
_OPEN_STRINGS = [  # strings; one left open runs to the end of its line (or text), so no text is read twice
    r"'''(?:[^'\\]|\\.|\\\Z|'(?!''))*(?:'''|\Z)", r'"""(?:[^"\\]|\\.|\\\Z|"(?!""))*(?:"""|\Z)',
    r"'(?:[^'\\\n\r]|\\.)*'?", r'"(?:[^"\\\n\r]|\\.)*"?']
_SHAPE = re.compile("|".join(_OPEN_STRINGS + _SKIP[4:6] + [  # IRIs, comments (not _SKIP's names: '.' may end them)
    r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*", r"[?$]\w+",  # language tags, variables
    rf"(?:{_WORD})?:(?:[\w\-:%]|\\\S|\.(?=[\w\-:%\\]))*",  # prefixed names and blank node labels
    _NUMBER, _WORD, r"\^\^|!=|<=|>=|\|\||&&|[!/|^*+\-]", r"[(\[{)\]}]"]), re.DOTALL)
_CHAINED = {"UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "EXISTS", "||", "&&", "!", "/", "|", "^", "*", "+",
            "-", "{"}


def query_shape(text: str) -> tuple[int, int]:
    """``(deepest nesting of brackets, operators and clauses chained)`` of SPARQL text, in one linear scan.

    Strings, IRIs, comments, variables and names are skipped whole, so brackets inside them do not count.

    >>> query_shape("SELECT * { ?s (<p>/(<p>|^<q>)) ?o FILTER(?o != '((((') }")
    (3, 6)
    """
    depth = deepest = chained = 0
    for match in _SHAPE.finditer(text):
        token = match.group()
        if token in ("(", "[", "{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (")", "]", "}"):
            depth = max(0, depth - 1)
        if token.upper() in _CHAINED:
            chained += 1
    return deepest, chained


def check_shape(text: str, max_nesting: int = MAX_NESTING, max_chain: int = MAX_CHAIN) -> None:
    """Raise :class:`~kg.errors.QueryTooDeepError` for a query nested or chained past the limits.

    Such a query would crash the engine (a stack overflow ends the process), so it is refused before
    it reaches Oxigraph.

    >>> check_shape("SELECT * { ?s " + "(<p>/" * 300 + "<p>" + ")" * 300 + " ?o }")
    Traceback (most recent call last):
    ...
    kg.errors.QueryTooDeepError: query too deeply nested: 301 levels of brackets (the limit is 200); flatten it
    """
    from .errors import QueryTooDeepError

    deepest, chained = query_shape(text)
    if deepest > max_nesting:
        raise QueryTooDeepError(f"query too deeply nested: {deepest} levels of brackets (the limit is "
                                f"{max_nesting}); flatten it")
    if chained > max_chain:
        raise QueryTooDeepError(f"query too long a chain: {chained} operators and clauses (||, &&, UNION, "
                                f"OPTIONAL, FILTER, BIND, path steps, …; the limit is {max_chain}); use VALUES "
                                "or IN (…) for long lists of alternatives")
