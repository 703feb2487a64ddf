"""The append-only, hash-chained audit trail of administrative changes (issue 8).

Operations of other modules call :func:`portal.audit.operations.record` next to the change they
make; ``flask --app portal audit verify`` (:data:`portal.audit.cli.audit_cli`) checks the chain.
"""
from __future__ import annotations

from portal.audit.models import AuditEntry, AuditHead

__all__ = ["AuditEntry", "AuditHead"]
