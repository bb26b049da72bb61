"""The ``kg`` command line: each command parses options, calls one ``kg.*`` function, prints.

Errors the library raises (:class:`kg.errors.KGError`) print as
``Error: …`` with exit code 1; skipped input prints as ``Warning: …``.
"""
from __future__ import annotations

import functools
import json
import os
import signal
import sys
import warnings

import click

from . import __version__, api
from .errors import CacheWarning, InputWarning, KGError, summarise_warnings

GRAPH_OPTION = click.option("--graph", "graph", default="output", show_default=True,
                            help="A built graph: its directory (or graph.nt/graph.ttl for query).")


def handle_errors(func):
    """Turn library errors into ``Error: …`` and warnings into ``Warning: …`` lines."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        caught: list = []
        try:
            with warnings.catch_warnings(record=True) as recorded:
                warnings.simplefilter("always", InputWarning)
                warnings.simplefilter("always", CacheWarning)
                try:
                    return func(*args, **kwargs)
                finally:
                    caught = list(recorded)
        except KGError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM through run()'s handler
            terminated = isinstance(exc, Terminated)
            click.echo(f"Interrupted ({'SIGTERM' if terminated else 'Ctrl-C'}): the previous output "
                       "is left as it was", err=True)
            sys.exit(143 if terminated else 130)
        finally:
            _report(caught)  # outside catch_warnings: showing a warning there would record it again

    return wrapper


def _report(caught: list) -> None:
    """Input warnings summarised per file, cache warnings as they are, each a ``Warning: …`` line."""
    for line in summarise_warnings([str(w.message) for w in caught if issubclass(w.category, InputWarning)]):
        click.echo(f"Warning: {line}", err=True)
    for w in caught:
        if issubclass(w.category, CacheWarning):
            click.echo(f"Warning: {w.message}", err=True)
        elif not issubclass(w.category, InputWarning):
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """kg: build, query and export a knowledge graph of machine-learning papers."""


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path())
@click.option("-o", "--output", default="output", show_default=True, type=click.Path(file_okay=False),
              help="Directory for graph.nt, graph.ttl, graph.json and graph.html.")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar (default: only on a terminal).")
@click.option("--site/--no-site", default=True, show_default=True,
              help="Also write the browsable static site OUTPUT/site/.")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1),
              help="Extraction worker processes (or Dask workers of a local cluster).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Run extraction in local processes or as Dask tasks.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Dask scheduler to use (e.g. tcp://host:8786); default: a local cluster.")
@click.option("--cache/--no-cache", default=True, show_default=True,
              help="Reuse extractions of unchanged papers (OUTPUT/.kg-cache.sqlite) and the unchanged "
                   "parts of the previous build's files.")
@click.option("--curation", type=click.Path(dir_okay=False),
              help="Curation rules to apply (default: curation.toml beside OUTPUT, if there is one).")
@click.option("--timings", is_flag=True, help="Also print the seconds each stage took (on stderr).")
@handle_errors
def build(inputs, output, progress, site, jobs, engine, scheduler, cache, curation, timings):
    """Build the graph of INPUTS (files or directories; default: ./seeds/, else the listings shipped with kg) into OUTPUT."""
    if progress is None:
        progress = sys.stderr.isatty()
    summary = api.build(inputs or None, output, progress=progress, site=site, jobs=jobs,
                        engine=engine, scheduler=scheduler, cache=cache, curation=curation)
    if _quick_exit:
        _LEFT_FOR_EXIT.append(summary)
    click.echo(str(summary))
    if timings:
        click.echo("stages: " + ", ".join(f"{name} {sec:.2f} s" for name, sec in summary.timings.items())
                   + f"; {summary.reused} blocks reused", err=True)


_TYPES = click.Choice(["Model", "Dataset", "Technique", "Task", "Metric"])
CURATION_FILE = click.option("--file", "file", default="curation.toml", show_default=True,
                             type=click.Path(dir_okay=False), help="The curation file to append the rule to.")


@main.group()
def curate() -> None:
    """Record a correction in curation.toml; every later build applies it."""


def _curated(kind, names, type_=None, to=None, file="curation.toml"):
    rule = api.curate(kind, names, type=type_, to=to, file=file)
    click.echo(f"{rule.source}: {rule.label}")


@curate.command("merge")
@click.argument("type_", metavar="TYPE", type=_TYPES)
@click.argument("names", nargs=-1, required=True)
@CURATION_FILE
@handle_errors
def curate_merge(type_, names, file):
    """NAMES (two or more) of TYPE are one entity, named like the first."""
    _curated("merge", names, type_, file=file)


@curate.command("rename")
@click.argument("name")
@click.argument("new")
@click.option("--type", "type_", type=_TYPES, help="Only the entity of this type.")
@CURATION_FILE
@handle_errors
def curate_rename(name, new, type_, file):
    """The entity NAME resolves to is called NEW."""
    _curated("rename", [name], type_, new, file)


@curate.command("retype")
@click.argument("name")
@click.argument("new_type", metavar="TYPE", type=_TYPES)
@click.option("--from", "from_", type=_TYPES, help="Only if NAME is of this type now.")
@CURATION_FILE
@handle_errors
def curate_retype(name, new_type, from_, file):
    """The entity NAME resolves to is of TYPE."""
    _curated("retype", [name], from_, new_type, file)


@curate.command("reject")
@click.argument("name")
@click.option("--type", "type_", type=_TYPES, help="Only NAME written as this type.")
@CURATION_FILE
@handle_errors
def curate_reject(name, type_, file):
    """NAME is never an entity (its mentions are dropped)."""
    _curated("reject", [name], type_, file=file)


@curate.command("split")
@click.argument("name")
@click.option("--type", "type_", type=_TYPES, help="Only NAME written as this type.")
@CURATION_FILE
@handle_errors
def curate_split(name, type_, file):
    """NAME is not an alias of another entity: it stands alone."""
    _curated("split", [name], type_, file=file)


def _formats() -> list[str]:
    from .formats import FORMATS

    return sorted(FORMATS)


def _key_values(ctx, param, pairs) -> dict[str, str]:
    """``("dataset=COCO", …)`` as ``{"dataset": "COCO"}``; a pair without ``=`` is a usage error."""
    bad = [p for p in pairs if "=" not in p]
    if bad:
        raise click.BadParameter(f"{bad[0]!r} is not KEY=VALUE")
    return dict(p.split("=", 1) for p in pairs)


@main.command()
@click.argument("query", required=False)
@GRAPH_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True)
@click.option("--timeout", metavar="SECONDS", default=api.QUERY_TIMEOUT, show_default=True,
              type=click.FloatRange(0),
              help="Seconds the query may run; a longer one is stopped (Error, exit code 1). 0: no limit.")
@click.option("--max-results", metavar="N", default=api.QUERY_MAX_RESULTS, show_default=True,
              type=click.IntRange(0),
              help="Rows (or triples) the answer may have; more is an Error (exit code 1). 0: no limit.")
@click.option("--bind", "bind", metavar="KEY=VALUE", multiple=True, callback=_key_values,
              help="Give the query's parameter KEY (or, in a query without declared parameters, the "
                   "variable ?KEY) the value VALUE, a string; <IRI> binds an IRI. Repeatable.")
@click.option("--list", "list_", is_flag=True, help="List the shipped competency queries and their parameters.")
@handle_errors
def query(query, graph, fmt, timeout, max_results, bind, list_):
    """Run QUERY (SPARQL text, a .rq file, or a shipped query name) on a built graph.

    QUERY may be federated: its SERVICE clauses call the endpoints they name, from this machine
    (you run it; `kg serve` refuses them unless started with --allow-service).
    """
    from .named_queries import catalogue_text
    from .sparql import format_result

    if list_:
        click.echo(catalogue_text())
        return
    if not query:
        raise click.UsageError("give a QUERY or --list")
    result = api.query(query, graph, timeout=timeout, max_results=max_results, bind=bind)
    # color=True: click must not strip ANSI-like codes from the data (a terminal gets it escaped)
    click.echo(format_result(result, fmt, terminal=sys.stdout.isatty()), color=True)


@main.command()
@click.argument("dataset")
@click.option("--metric", metavar="M", help="Only this metric's table (name or alias, any case).")
@GRAPH_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True, help="table: one table per metric; the others: one, with a metric column.")
@handle_errors
def leaderboard(dataset, metric, graph, fmt):
    """The results reported on DATASET (name or alias, any case), ranked best first, per metric."""
    board = api.leaderboard(dataset, metric, graph)
    click.echo(board.format(fmt, terminal=sys.stdout.isatty()), color=True)


@main.command()
@click.option("--format", "fmt", type=click.Choice(_formats()), required=True, help="Output format.")
@GRAPH_OPTION
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="File to write (default: DIR/exports/graph.EXT).")
@handle_errors
def export(fmt, graph, output):
    """Export the built graph as Turtle, N-Triples, JSON-LD, GraphML, GEXF, JSON or CSV."""
    click.echo(str(api.export(fmt, graph, output)))


@main.command()
@GRAPH_OPTION
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="HTML file to write.")
@click.option("--entity", help="Focus on one entity (name or alias).")
@click.option("--paper", help="Focus on one paper (title or id).")
@click.option("--type", "type_", help="Show one entity type with its papers.")
@click.option("--depth", default=1, show_default=True, type=click.IntRange(1, 4))
@click.option("--screenshot", type=click.Path(dir_okay=False),
              help="Also save a PNG of the page (headless Chromium).")
@handle_errors
def view(graph, output, entity, paper, type_, depth, screenshot):
    """(Re)render the HTML view of a built graph, or a focused view."""
    click.echo(str(api.view(graph, output, entity=entity, paper=paper, type=type_, depth=depth,
                            screenshot=screenshot)))
    if screenshot:
        click.echo(str(screenshot))


@main.command()
@GRAPH_OPTION
@click.option("-o", "--output", type=click.Path(file_okay=False),
              help="Directory to write site/ into (default: the graph's).")
@handle_errors
def site(graph, output):
    """Write a browsable static site: DIR/site/index.html plus one page per entity and paper."""
    click.echo(str(api.site(graph, output)))


@main.command()
@GRAPH_OPTION
@click.option("--top", default=10, show_default=True, type=click.IntRange(0))
@handle_errors
def stats(graph, top):
    """Counts per type and the most-mentioned entities of each type."""
    click.echo(str(api.stats(graph, top)))


@main.command()
@click.argument("gold", type=click.Path(dir_okay=False))
@GRAPH_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@handle_errors
def evaluate(gold, graph, as_json):
    """Precision, recall and F1 per type and role against GOLD records (JSON Lines)."""
    result = api.evaluate(gold, graph)
    click.echo(json.dumps(result.as_dict(), indent=1) if as_json else result.table())


@main.command()
@GRAPH_OPTION
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1),
              help="Show at most this many groups of violations.")
@handle_errors
def validate(graph, limit):
    """Check the built graph against the SHACL shapes (ontology/shapes.ttl)."""
    click.echo(str(api.validate(graph, limit=limit)))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535))
@GRAPH_OPTION
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(0),
              help="Seconds a query may run before it is stopped (503); 0: no limit.")
@click.option("--max-results", default=100_000, show_default=True, type=click.IntRange(0),
              help="Rows (or triples) an answer is cut to (header KG-Truncated); 0: no limit.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1),
              help="Query worker processes (each holds a copy of the graph).")
@click.option("--max-memory", metavar="MIB", default=1024, show_default=True, type=click.IntRange(0),
              help="MiB of memory a query may use beyond the loaded graph; past it the query is stopped "
                   "(503) and only its worker is replaced. 0: no limit.")
@click.option("--queue", metavar="N", default=128, show_default=True, type=click.IntRange(1),
              help="Requests that may wait for a free worker (more: 503); one client address may hold "
                   "half of them (more: 429). While a client's query runs, its next ones wait and the last "
                   "free worker is kept for other clients.")
@click.option("--idle-timeout", metavar="SECONDS", default=10.0, show_default=True, type=click.FloatRange(0),
              help="Seconds a connection may stay silent before it is closed; 0: never.")
@click.option("--allow-service", is_flag=True,
              help="Run federated (SERVICE) queries, refused by default (403). Risk: server-side request "
                   "forgery, anyone who can reach the endpoint can make it call addresses on its network.")
@handle_errors
def serve(host, port, graph, timeout, max_results, workers, max_memory, queue, idle_timeout, allow_service):
    """Serve a read-only SPARQL endpoint over the built graph, and its HTML view, until Ctrl-C."""
    def started(server):
        click.echo(f"SPARQL endpoint {server.url}sparql and HTML view {server.url} "
                   f"({server.app.pool.triples} triples from {server.app.graph_file}); Ctrl-C stops")

    api.serve(graph, host, port, timeout=timeout, max_results=max_results, workers=workers,
              on_start=started, allow_service=allow_service, max_memory=max_memory, queue=queue,
              idle_timeout=idle_timeout)


_quick_exit = False
_LEFT_FOR_EXIT: list = []
"""What a command made that :func:`run`'s quick exit should free, not the command's return."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that every ``finally`` (temporary folders) runs."""


def _terminate(signum, frame):
    raise Terminated()


def run() -> None:
    """The ``kg`` console script (and ``python -m kg``): :func:`main`, then a quick exit.

    A big build leaves millions of objects that the interpreter would free
    one by one at exit (seconds after a big build); every command has
    closed and flushed its files by the time it returns, so the process ends
    with ``os._exit`` instead.  ``build`` leaves its summary (which holds the
    corpus) in :data:`_LEFT_FOR_EXIT`: otherwise it would be freed as the
    command returns, before the
    exit.  Tests call :func:`main` and are unaffected.
    """
    global _quick_exit
    _quick_exit = True
    signal.signal(signal.SIGTERM, _terminate)
    try:
        main(prog_name="kg")
        code = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover  (``python -m kg.cli``: after everything it calls is defined)
    run()
