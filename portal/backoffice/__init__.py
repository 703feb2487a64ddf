"""The back office: officer queues, the dossier page and its actions, refunds, slip 07."""
from portal.backoffice import refunds  # noqa: F401 - registers its pages on the blueprint
from portal.backoffice import result_pages  # noqa: F401 - the result draft and its preview
from portal.backoffice import views  # noqa: F401 - queues, the dossier page and its actions
from portal.backoffice.blueprint import backoffice_bp

__all__ = ["backoffice_bp"]
