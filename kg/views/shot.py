"""Screenshots and open-to-interactive timings of a page, in headless Chromium.

Uses Playwright with the system Chromium (``/usr/bin/chromium``, or
``$KG_CHROMIUM``); no ``playwright install`` and no network: the browser is
started with background networking off, and the page is opened from a
``file://`` URL. A page counts as ready when the script has set
``<body data-ready="1">`` (after the layout has settled and the graph is
drawn).
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "READY", "screenshot", "open_browser", "time_to_ready"]

CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run")
READY = 'body[data-ready="1"]'


@contextmanager
def open_browser(executable: str | os.PathLike | None = None):
    """A Playwright Chromium browser, closed on exit.

    Raises ``RuntimeError`` if Playwright or the Chromium binary is missing.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("screenshots need Playwright: pip install playwright") from exc
    exe = Path(executable or CHROMIUM)
    if not exe.exists():
        raise RuntimeError(f"no Chromium at {exe} (set KG_CHROMIUM to its path)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(exe), args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


def _open(browser, html_path: Path, width: int, height: int, timeout_ms: float):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(html_path.resolve().as_uri(), wait_until="load", timeout=timeout_ms)
    page.wait_for_selector(READY, state="attached", timeout=timeout_ms)
    return context, page


def screenshot(html_path: str | os.PathLike, png_path: str | os.PathLike, *,
               width: int = 1400, height: int = 900, timeout: float = 60.0,
               full_page: bool = False) -> Path:
    """Open ``html_path`` in headless Chromium and save a PNG of it at ``png_path``.

    Waits until the page is ready (``body[data-ready="1"]``, at most
    ``timeout`` seconds) and lets one more frame draw. Returns the PNG path.
    """
    html = Path(html_path)
    if not html.is_file():
        raise FileNotFoundError(f"no page at {html}")
    png = Path(png_path)
    png.parent.mkdir(parents=True, exist_ok=True)
    with open_browser() as browser:
        context, page = _open(browser, html, width, height, timeout * 1000)
        try:
            page.wait_for_timeout(150)
            page.screenshot(path=str(png), full_page=full_page)
        finally:
            context.close()
    return png


def time_to_ready(browser, html_path: str | os.PathLike, *, width: int = 1400,
                  height: int = 900, timeout: float = 120.0) -> dict:
    """Open ``html_path`` in ``browser``; how long until it was interactive.

    Returns ``{"ready_ms": navigation start → data-ready, "wall_ms": the
    same seen from Python, "errors": console errors}``. ``ready_ms`` is
    measured in the page (``performance.now()`` when the ready attribute
    appears, relative to navigation start).
    """
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    # Record the moment the ready attribute is set, from inside the page.
    page.add_init_script("""(() => {
      const obs = new MutationObserver(() => {
        if (document.body && document.body.getAttribute('data-ready') === '1') {
          window.__kgReadyAt = performance.now(); obs.disconnect();
        }
      });
      obs.observe(document, {attributes: true, subtree: true, attributeFilter: ['data-ready']});
    })();""")
    try:
        t0 = time.perf_counter()
        page.goto(Path(html_path).resolve().as_uri(), wait_until="commit", timeout=timeout * 1000)
        page.wait_for_selector(READY, state="attached", timeout=timeout * 1000)
        wall = (time.perf_counter() - t0) * 1000
        ready = page.evaluate("() => window.__kgReadyAt")
        return {"ready_ms": round(ready, 1) if ready is not None else None,
                "wall_ms": round(wall, 1), "errors": errors}
    finally:
        context.close()
