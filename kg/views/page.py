"""Writing a view as one self-contained, offline HTML page.

The page inlines the vis-network JS and CSS that pyvis ships (pyvis's own
template links cdnjs/jsdelivr even in its "local" and "in_line" modes), plus
our script and stylesheet from ``kg/views/templates/``. The graph data goes
in a ``<script type="application/json">`` element as JSON in which ``<``,
``>``, ``&``, U+2028 and U+2029 are ``\\u`` escapes, so no string in the
data can close the element or start markup, and the script reads it with
``JSON.parse``. The page's Content-Security-Policy lets no inline script
run but the two that kg writes: their SHA-256 hashes, computed from the
rendered page, are listed in ``script-src`` (see :func:`with_script_hashes`),
so a ``<script>`` smuggled into the page, were one ever to get past the
escaping, would be refused by the browser. Files are written atomically.

>>> script_json({"t": "</script><b>&"})
'{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
>>> "</script" in script_json("</script>")
False
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Sequence

import jinja2
import networkx as nx
from markupsafe import Markup

from kg.fsutil import write_text
from kg.views.network import view_data

__all__ = ["script_json", "vis_assets", "inline_script_hashes", "with_script_hashes",
           "page_csp", "render_html", "write_atomic", "write_view"]

VIS_DIR = "templates/lib/vis-9.1.2"
TEMPLATE = "page.html.j2"

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                 "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_UNSAFE = re.compile("[<>&\u2028\u2029]")
# The template's script-src until the hashes are known: a quoted keyword that
# autoescaped text can never spell (' becomes &#39;), replaced once, in <head>.
_HASH_SLOT = "'kg-script-hashes'"
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_DATA_TYPE = re.compile(r"""\btype\s*=\s*["']?application/json\b""", re.I)


def script_json(data: object) -> str:
    """``data`` as compact JSON safe to place inside a ``<script>`` element.

    The escaped characters only ever occur inside JSON strings, where
    ``\\uXXXX`` means the same character, so ``JSON.parse`` gets ``data``
    back unchanged. NaN and infinities are refused (not valid JSON).
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: _JSON_ESCAPES[m.group()], text)


def _inline_safe(code: str, tag: str) -> str:
    """Code to inline in a ``<script>``/``<style>``: no ``</tag`` can end it early.

    >>> _inline_safe('s="</script>"', "script")
    's="<\\\\/script>"'
    """
    return re.sub(rf"</(?={tag})", r"<\\/", code, flags=re.IGNORECASE)


def inline_script_hashes(html: str) -> list[str]:
    """CSP sources (``'sha256-…'``) for each inline script ``html`` runs.

    Scripts with a ``src`` and JSON data blocks (never executed) need none.
    The hash is of the element's text as written, which is what the browser
    hashes (the pages are UTF-8 with ``\\n`` line ends).

    >>> inline_script_hashes('<script src="a.js"></script><script type="application/json">{}</script>'
    ...                      '<script>alert(1)</script>')
    ["'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"]
    """
    out = []
    for m in _SCRIPT.finditer(html):
        attrs, body = m.groups()
        if re.search(r"\bsrc\s*=", attrs, re.I) or _DATA_TYPE.search(attrs):
            continue
        digest = hashlib.sha256(body.encode("utf-8")).digest()
        out.append(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
    return out


def with_script_hashes(html: str) -> str:
    """``html`` with its CSP slot replaced by the hashes of its inline scripts.

    The slot sits in ``<head>`` before anything interpolated, so only its
    first occurrence is replaced; a page without the slot is an error.
    """
    if _HASH_SLOT not in html:
        raise ValueError("page has no script-src slot to fill")
    sources = " ".join(dict.fromkeys(inline_script_hashes(html))) or "'none'"
    return html.replace(_HASH_SLOT, sources, 1)


_META_CSP = re.compile(rb'<meta http-equiv="Content-Security-Policy" content="([^"]*)"')


def page_csp(html: bytes) -> str:
    """The policy to send as a header with a page kg wrote: its own meta CSP,
    plus ``frame-ancestors 'none'``, which only a header can carry.

    >>> page_csp(b'<meta http-equiv="Content-Security-Policy" content="img-src data:">')
    "img-src data:; frame-ancestors 'none'"
    """
    m = _META_CSP.search(html[:4096])
    own = m.group(1).decode("utf-8").replace("&#39;", "'") + "; " if m else ""
    return own + "frame-ancestors 'none'"


def _lf(code: str) -> str:
    """Line ends as the HTML parser leaves them, so hashes match the browser's."""
    return code.replace("\r\n", "\n").replace("\r", "\n")


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """The vis-network ``(js, css)`` bundled with pyvis, ready to inline."""
    base = resources.files("pyvis").joinpath(VIS_DIR)
    js = base.joinpath("vis-network.min.js").read_text(encoding="utf-8")
    css = base.joinpath("vis-network.css").read_text(encoding="utf-8")
    return _inline_safe(_lf(js), "script"), _inline_safe(css, "style")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("kg.views", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


@lru_cache(maxsize=1)
def _own_assets() -> tuple[str, str]:
    base = resources.files("kg.views").joinpath("templates")
    js = base.joinpath("app.js").read_text(encoding="utf-8")
    css = base.joinpath("app.css").read_text(encoding="utf-8")
    return _inline_safe(_lf(js), "script"), _inline_safe(css, "style")


def render_html(data: dict) -> str:
    """The page for ``data`` (as made by :func:`kg.views.network.view_data`)."""
    vis_js, vis_css = vis_assets()
    app_js, app_css = _own_assets()
    meta = data["meta"]
    return with_script_hashes(_environment().get_template(TEMPLATE).render(
        meta=meta, data_json=Markup(script_json(data)), script_src=Markup(_HASH_SLOT),
        vis_js=Markup(vis_js),
        vis_css=Markup(vis_css),
        app_js=Markup(app_js),
        app_css=Markup(app_css)))


def write_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (:func:`kg.fsutil.write_text`): readers see the
    old file or the complete new one, never a part."""
    return write_text(path, text)


def write_view(graph: nx.MultiDiGraph, nodes: Sequence[str], path: str | os.PathLike,
               *, title: str, subtitle: str = "", omitted: int = 0,
               focus: str | None = None, hub_first: bool = False) -> Path:
    """Render ``nodes`` of ``graph`` (with the edges among them) to ``path``."""
    data = view_data(graph, nodes, omitted=omitted, title=title,
                     subtitle=subtitle, focus=focus, hub_first=hub_first)
    return write_atomic(path, render_html(data))
