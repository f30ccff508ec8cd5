"""The workflow engine: records move through their entity's process one transition at a time.

A transition is a casbin action (``transition.<name>``) checked over the record's region, taken
through the one record service (validation, audit) in one transaction that also moves the
instance, writes the history and starts, stops or pauses the deadlines. The instance row carries
a version number; the move is a conditional update on it, so of two users acting at once the
second gets a 409, never a double transition.

``Workflow`` joins the parts, each in a module of its own: shared state (``core``), reading a
record's status (``status``), the record service's listener (``locks``), transitions
(``transitions``), and amendments and urging (``corrections``).
"""

from __future__ import annotations

from typing import Any

from .core import STEP_FILES
from .corrections import WorkflowCorrections
from .locks import WorkflowLocks
from .status import WorkflowStatus
from .transitions import WorkflowTransitions

__all__ = ["STEP_FILES", "Workflow"]


class Workflow(WorkflowStatus, WorkflowTransitions, WorkflowCorrections, WorkflowLocks):
    """Processes of one Platform: starts, transitions, locks, history, deadlines and notices."""

    def __init__(self, platform: Any) -> None:
        super().__init__(platform)
        platform.records.listeners.append(self)  # the record service tells it of every write
