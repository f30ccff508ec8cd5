"""The plugin's own table: one bounding box per located record (plain columns, so SQLite and PostgreSQL alike)."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table

__all__ = ["METADATA", "bbox_index"]

METADATA = MetaData()

bbox_index = Table(
    "gis_bbox",
    METADATA,
    Column("entity", String(64), primary_key=True),
    Column("record_id", Integer, primary_key=True),
    Column("field", String(64), nullable=False),
    Column("minx", Float, nullable=False),
    Column("miny", Float, nullable=False),
    Column("maxx", Float, nullable=False),
    Column("maxy", Float, nullable=False),
    Index("ix_gis_bbox_entity_x", "entity", "minx", "maxx"),
)
