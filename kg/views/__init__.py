"""Interactive HTML views of a kg graph.

* :func:`render_overview` — the whole graph (or its best-connected part) as
  one self-contained, offline HTML page with legend, type filters, search
  and a details panel;
* :func:`render_focus` — the same page for one node's neighbourhood or for
  one entity type;
* :func:`find_node` — resolve a name, alias, paper title or id to a node id;
* :func:`render_site` — a browsable static site (index, one page per entity
  and paper) under ``DIR/site/``;
* :func:`screenshot` — a PNG of any page, via Playwright and headless Chromium.

Modules: :mod:`~kg.views.overview`, :mod:`~kg.views.focus`,
:mod:`~kg.views.lookup`, :mod:`~kg.views.network` (pyvis assembly),
:mod:`~kg.views.layout` (positions for big graphs), :mod:`~kg.views.details`
(click panel data), :mod:`~kg.views.style`, :mod:`~kg.views.page` (HTML,
JSON escaping, atomic write), :mod:`~kg.views.site` (with
:mod:`~kg.views.leaderboard`, a dataset page's leaderboards, and
:mod:`~kg.views.paper_page`, a paper page's data), :mod:`~kg.views.shot`. Templates are in ``kg/views/templates/``.
"""
from kg.views.focus import render_focus
from kg.views.lookup import find_node
from kg.views.overview import render_overview
from kg.views.shot import screenshot
from kg.views.site import render_site

__all__ = ["render_overview", "render_focus", "find_node", "render_site", "screenshot"]
