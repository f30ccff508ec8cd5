"""Moved to :mod:`anjian.meta.expr` (metadata checks need it, and meta is below workflow)."""

from ..meta.expr import MAX_DEPTH, MAX_LENGTH, Condition, ExpressionError, parse_condition

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "Condition", "ExpressionError", "parse_condition"]
