"""``anjian gis ...``: import official region boundaries, rebuild the box index, move old lon/lat columns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

__all__ = ["gis"]


@click.group()
def gis() -> None:
    """地理信息 (GIS) commands."""


def _actor() -> Any:
    import getpass

    from anjian.audit import Actor

    return Actor(username=f"cli:{getpass.getuser()}", address="local", roles=("Admin",), is_admin=True)


def _parts(geometry: dict[str, Any]) -> list[dict[str, Any]]:
    if geometry.get("type") == "Polygon":
        return [geometry]
    if geometry.get("type") == "MultiPolygon":
        return [{"type": "Polygon", "coordinates": rings} for rings in geometry.get("coordinates") or []]
    return []


@gis.command("import-boundaries")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--code-property", default="code", show_default=True, help="Feature property holding the GB/T 2260 code.")
@click.option("--name-property", default="name", show_default=True, help="Feature property holding the region's name.")
def import_boundaries(path: Path, code_property: str, name_property: str) -> None:
    """Load township/county boundaries from a GeoJSON FeatureCollection (官方区划边界) into 区划边界.

    A region already imported is updated; a MultiPolygon becomes one record per part. Every record
    is checked like a typed one (closed, simple rings inside the deployment's area).
    """
    from sqlalchemy import select

    from anjian.cli._context import command_platform
    from anjian.errors import RecordValidationError

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{path}: 不是 UTF-8 GeoJSON（{exc}）") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise click.ClickException(f"{path}: 应为 GeoJSON FeatureCollection")
    platform = command_platform()
    actor = _actor()
    table = platform.registry.table("region_boundary")
    created = updated = refused = 0
    for n, feature in enumerate(document.get("features") or []):
        props = (feature or {}).get("properties") or {}
        code, name = str(props.get(code_property) or "").strip(), str(props.get(name_property) or "").strip()
        parts = _parts((feature or {}).get("geometry") or {})
        if not code or not parts:
            click.echo(f"  #{n}: 跳过：缺少 {code_property} 或面几何（Polygon/MultiPolygon）", err=True)
            refused += 1
            continue
        for k, part in enumerate(parts):
            title = name if len(parts) == 1 else f"{name}（{k + 1}）"
            with platform.engine.connect() as conn:
                existing = conn.execute(select(table.c.id).where(table.c.region_code == code, table.c.name == title)).scalar()
            body = {"region_code": code, "name": title, "boundary": part, "public": True}
            try:
                if existing is None:
                    platform.records.create("region_boundary", body, actor)
                    created += 1
                else:
                    platform.records.update("region_boundary", existing, body, actor, partial=True)
                    updated += 1
            except RecordValidationError as exc:
                refused += 1
                problems = "; ".join(f"{e.pointer} {e.message}" for e in exc.errors)
                click.echo(f"  #{n} {code} {title}: {problems}", err=True)
    click.echo(f"区划边界：新增 {created}，更新 {updated}，未导入 {refused}")
    if refused and not (created or updated):
        raise SystemExit(1)


@gis.command()
def reindex() -> None:
    """Rebuild the bounding-box index of every layer from the stored geometries."""
    from anjian.cli._context import command_platform

    from .layers import reindex as rebuild

    for layer, count in rebuild(command_platform()).items():
        click.echo(f"{layer}: {count}")


@gis.command("migrate-lonlat")
@click.option("--entity", default="", help="Only this entity (default: every located entity that has longitude/latitude).")
@click.option("--field", "target", default="", help="The point geometry field to fill (default: the entity's first one).")
def migrate_lonlat(entity: str, target: str) -> None:
    """Copy old ``longitude``/``latitude`` numbers into the point field where it is empty (no other change)."""
    from anjian.cli._context import command_platform

    from .layers import layers

    platform = command_platform()
    found = layers(platform.registry)
    names = [entity] if entity else sorted(found)
    refused_any = False
    for name in names:
        layer = found.get(name)
        field = target or (layer.geometry_field if layer is not None and layer.kind == "point" else "")
        columns = set(platform.registry.table(name).c.keys()) if name in platform.registry.catalog.entities else set()
        if not field or not {"longitude", "latitude", field} <= columns:
            if entity:
                raise click.ClickException(f"{name} 没有 longitude、latitude 和点几何字段 {field or '（无）'}")
            continue
        refused_any |= _migrate(platform, name, field) > 0
    if refused_any:
        raise SystemExit(1)


def _migrate(platform: Any, entity: str, target: str) -> int:
    """Move one entity's numbers through the record service (checked, audited); returns how many were refused."""
    from sqlalchemy import select

    from anjian.errors import AnjianError, RecordValidationError

    table = platform.registry.table(entity)
    with platform.engine.connect() as conn:
        rows = conn.execute(
            select(table.c.id, table.c.longitude, table.c.latitude, table.c[target]).where(
                table.c.longitude.is_not(None), table.c.latitude.is_not(None)
            )
        ).all()
    rows = [row[:3] for row in rows if row[3] is None]  # an empty JSON column may hold SQL NULL or JSON null
    moved = refused = 0
    actor = _actor()
    for record_id, lon, lat in rows:
        point = {"type": "Point", "coordinates": [float(lon), float(lat)]}
        try:
            platform.records.update(entity, record_id, {target: point}, actor, partial=True)
            moved += 1
        except RecordValidationError as exc:
            refused += 1
            click.echo(f"  {entity} #{record_id}: " + "; ".join(e.message for e in exc.errors), err=True)
        except AnjianError as exc:  # e.g. a record its process has locked (已办结): left for a correction
            refused += 1
            click.echo(f"  {entity} #{record_id}: {exc}", err=True)
    click.echo(f"{entity}: 迁移 {moved} 条，未迁移 {refused} 条")
    return refused
