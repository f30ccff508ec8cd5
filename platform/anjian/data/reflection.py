"""Reading tables back from the database without the reports' expression indexes.

A report's SQLite index (``rx_...``, made by ``reports.indexes``) is on expressions: a region
level, a month bucket. SQLAlchemy cannot reflect such an index on SQLite; it skips it, which is
right here (the reports create and drop their own indexes, schema sync never touches them), and
warns each time, which a server would log at every publish and backup and tests turn into errors.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SAWarning

__all__ = ["skipping_expression_indexes"]

_SKIPPED = "Skipped unsupported reflection of expression-based index"


@contextmanager
def skipping_expression_indexes() -> Iterator[None]:
    """Reflect inside this block (or a function decorated with it) without the skip warnings."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_SKIPPED, category=SAWarning)
        yield
