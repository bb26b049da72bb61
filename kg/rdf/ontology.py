"""Where the ontology files are: ``ontology/`` in a checkout, ``kg.ontology`` when installed.

The package maps the top-level ``ontology/`` folder as ``kg.ontology``
(see ``setup.cfg``), so there is one copy of each file.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..errors import KGError

_CHECKOUT = Path(__file__).resolve().parents[2] / "ontology"


def ontology_file(name: str) -> Path:
    """Path of ``mlkg.ttl``, ``shapes.ttl`` or ``context.jsonld``."""
    candidates = [_CHECKOUT / name]
    try:
        candidates.append(Path(str(resources.files("kg.ontology") / name)))
    except ModuleNotFoundError:
        pass
    for path in candidates:
        if path.is_file():
            return path
    raise KGError(f"ontology file {name} not found (looked in {', '.join(map(str, candidates))})")
