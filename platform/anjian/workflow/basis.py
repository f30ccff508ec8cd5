"""The legal basis of a deadline, shown to officers beside its due date.

Why: an officer must see whether a clock is the law (document and article, with how sure the
fact sheet is of it), an order that set the date, or only the agency's own service commitment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..messages import message
from ..meta.process_spec import ProcessSpec
from . import basis_messages  # noqa: F401  (registers the keys)

__all__ = ["with_basis"]


def with_basis(row: dict[str, Any], process: ProcessSpec) -> dict[str, Any]:
    """``row`` (a deadline as JSON) with ``basis``: kind, its title, source, confidence, setting."""
    rule = next((d for d in process.deadlines if d.name == row.get("rule")), None)
    basis: Mapping[str, str] = rule.basis if rule is not None else {}
    if basis:
        found = dict(basis)
        found["kind_title"] = message(f"basis.kind.{found.get('kind', '')}")
        if found.get("confidence"):
            found["confidence_title"] = message(f"basis.confidence.{found['confidence']}")
        row["basis"] = found
    else:
        row["basis"] = None
    return row
