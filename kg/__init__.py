"""kg: a knowledge-graph builder for machine-learning literature.

Every CLI command is one call of a function here, so a notebook gets the
same results as the shell::

    import kg
    summary = kg.build(["seeds"], "output")
    rows = kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?p a mlkg:Paper }", graph="output")
"""
__version__ = "0.1.0"

from .api import build, curate, evaluate, export, leaderboard, query, serve, site, stats, validate, view  # noqa: E402

__all__ = ["build", "curate", "query", "leaderboard", "export", "view", "site", "stats", "evaluate", "validate", "serve",
           "__version__"]
