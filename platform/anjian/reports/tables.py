"""The reports' own tables: statutory filings as filed (one row per version) and report subscriptions.

On ``anjian.store.db.SYSTEM`` like the other engine tables, so ``Platform.init_db`` creates them.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Index, Integer, String, Table, Text, UniqueConstraint

from ..store.db import SYSTEM

__all__ = ["report_subscription", "statutory_filing"]

statutory_filing = Table(
    "anjian_statutory_filing",
    SYSTEM,
    Column("id", Integer, primary_key=True),
    Column("entity", String(63), nullable=False),
    Column("obligation", String(63), nullable=False),
    Column("record_id", Integer, nullable=False),
    Column("owner_id", Integer),  # the registry record that owes the filing (the enterprise)
    Column("region_code", String(12), nullable=False, default=""),
    Column("year", Integer, nullable=False),
    Column("quarter", Integer, nullable=False, default=0),  # 0: an annual filing
    Column("version", Integer, nullable=False),  # 1 as first filed; each correction filed again adds one
    Column("state", String(63), nullable=False),
    Column("figures", JSON, nullable=False),
    Column("filed_at", DateTime, nullable=False),
    Column("filed_by", String(150), nullable=False, default=""),
    Column("captured_at", DateTime, nullable=False),
    UniqueConstraint("entity", "record_id", "version", name="uq_anjian_statutory_filing_version"),
    Index("ix_anjian_statutory_filing_period", "entity", "obligation", "year", "quarter"),
)

report_subscription = Table(
    "anjian_report_subscription",
    SYSTEM,
    Column("id", Integer, primary_key=True),
    Column("username", String(150), nullable=False, index=True),
    Column("report", String(63), nullable=False),
    Column("parameters", JSON, nullable=False),  # the report's query string as the subscriber chose it
    Column("every", String(16), nullable=False),  # weekly | monthly
    Column("email", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
    Column("last_period", String(16), nullable=False, default=""),  # 2026-W48 / 2026-11: the last one delivered
    Column("last_sent_at", DateTime),
    Column("last_error", Text),
)
