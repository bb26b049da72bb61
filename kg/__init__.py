"""kg: a knowledge-graph builder for machine-learning literature.

Every CLI command is one call of a function here, so a notebook gets the
same results as the shell::

    import kg
    summary = kg.build(["seeds"], "output")
    rows = kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?p a mlkg:Paper }", graph="output")
"""
__version__ = "0.1.0"

from .api import build, evaluate, export, query, stats, view  # noqa: E402

__all__ = ["build", "query", "export", "view", "stats", "evaluate", "__version__"]
