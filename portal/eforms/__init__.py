"""Interactive e-forms (*biểu mẫu điện tử tương tác*) built from form definitions.

1. :mod:`~portal.eforms.definitions` loads and checks the form definitions (data files).
2. :mod:`~portal.eforms.prefill` fills fields from the national population register (locked)
   and from what the citizen gave in earlier dossiers (editable).
3. :mod:`~portal.eforms.validation` checks a submitted step and converts it to JSON values.
4. ``templates/eforms/_fields.html`` renders fields; ``static/js/eforms.js`` adds the ward
   cascade and the person lookup, served by :mod:`~portal.eforms.views` (``eforms_bp``).

The wizard, drafts, attachments and submission live in :mod:`portal.dossiers`.
"""
from __future__ import annotations

from portal.eforms.definitions import (
    Condition,
    Field,
    FormDefinition,
    FormDefinitionError,
    Option,
    Step,
    check_against_procedure,
    get_form_definition,
    load_form_definition,
)
from portal.eforms.prefill import profile_prefill, profile_updates, registry_prefill
from portal.eforms.validation import StepResult, clean_step

__all__ = [
    "Condition",
    "Field",
    "FormDefinition",
    "FormDefinitionError",
    "Option",
    "Step",
    "StepResult",
    "check_against_procedure",
    "clean_step",
    "get_form_definition",
    "load_form_definition",
    "profile_prefill",
    "profile_updates",
    "registry_prefill",
]
