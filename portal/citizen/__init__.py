"""The citizen's pages: the application wizard, "My dossiers", documents and payment.

The same wizard serves an intake officer entering a counter dossier for a walk-in citizen
(:mod:`portal.citizen.counter`). Every handler loads the dossier through
:mod:`portal.dossiers.access` (404 for anyone else's), calls one operation and renders; the
request commits once (``portal/__init__.py``) and a concurrent change answers 409.
"""
from portal.citizen import conflicts, counter, delivery, documents, my_dossiers, payment, steps, submission  # noqa: F401
from portal.citizen.blueprint import dossiers_bp

__all__ = ["dossiers_bp"]
