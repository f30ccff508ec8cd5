"""Safe schema sync through publish: additive changes apply, data loss is refused or exported first."""

import csv
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from anjian import Actor
from anjian.errors import MetadataErrors, SchemaChangeRefused
from anjian.testing import entity_document, write_json

pytestmark = pytest.mark.postgres
ACTOR = Actor("tester", is_admin=True)


def site(tmp_path: Path, properties: dict, **options) -> Path:
    folder = tmp_path / "decl"
    write_json(folder / "site.json", entity_document("site", properties, **options))
    return folder


NAME = {"type": "string", "title": "名称", "maxLength": 20}


def columns(platform, table="site"):
    return {c["name"]: c for c in inspect(platform.engine).get_columns(table)}


def rows(platform, sql="select * from site order by id"):
    with platform.engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(sql)).mappings()]


def test_additive_changes_apply_on_their_own(platform, tmp_path):
    platform.publish([site(tmp_path, {"name": NAME})])
    platform.records.create("site", {"name": "老站点"}, ACTOR)
    longer = {**NAME, "maxLength": 60}
    result = platform.publish(
        [site(tmp_path, {"name": longer, "phone": {"type": "string", "maxLength": 20}}, indexes=[["phone"]])]
    )
    kinds = sorted(c.kind for c in result.plan.changes)
    assert kinds == ["add_column", "create_index", "widen_type"] and not result.plan.destructive
    assert "phone" in columns(platform)
    created = platform.records.create("site", {"name": "新" * 50, "phone": "0595-1"}, ACTOR)
    assert created["name"] == "新" * 50  # the new schema validates at once
    assert [r["name"] for r in rows(platform)] == ["老站点", "新" * 50]


def test_a_removed_field_keeps_its_column_and_data(platform, tmp_path):
    platform.publish([site(tmp_path, {"name": NAME, "note": {"type": "string"}})])
    platform.records.create("site", {"name": "A", "note": "保留我"}, ACTOR)
    result = platform.publish([site(tmp_path, {"name": NAME})])
    [change] = result.plan.changes
    assert change.kind == "retain_column" and "1 values are kept" in change.detail
    assert rows(platform)[0]["note"] == "保留我"
    record = platform.records.create("site", {"name": "B"}, ACTOR)
    assert "note" not in record


def test_narrowing_is_refused_with_a_plan_and_the_data_stays(platform, tmp_path):
    platform.publish([site(tmp_path, {"name": {**NAME, "maxLength": 40}})])
    platform.records.create("site", {"name": "一个很长很长很长很长很长很长很长的站点名称"}, ACTOR)
    version = platform.registry.version
    with pytest.raises(SchemaChangeRefused) as info:
        platform.publish([site(tmp_path, {"name": {**NAME, "maxLength": 10}})])
    [change] = info.value.plan.destructive
    assert change.kind == "narrow_type" and change.affected == 1 and "would be cut" in change.detail
    assert platform.refresh().version == version  # nothing published
    assert rows(platform)[0]["name"] == "一个很长很长很长很长很长很长很长的站点名称"


def test_confirmed_narrowing_exports_the_values_first(platform, tmp_path):
    platform.publish([site(tmp_path, {"name": {**NAME, "maxLength": 40}})])
    platform.records.create("site", {"name": "一个很长很长很长的站点名称"}, ACTOR)
    result = platform.publish([site(tmp_path, {"name": {**NAME, "maxLength": 4}})], confirm_destructive=True)
    [export] = result.plan.exports
    with open(export, encoding="utf-8") as handle:
        assert list(csv.reader(handle))[1][1] == "一个很长很长很长的站点名称"
    assert rows(platform)[0]["name"] == "一个很长"


def test_dropping_a_column_needs_confirmation_and_exports_it(platform, tmp_path):
    platform.publish([site(tmp_path, {"name": NAME, "note": {"type": "string"}})])
    platform.records.create("site", {"name": "A", "note": "重要备注"}, ACTOR)
    with pytest.raises(SchemaChangeRefused) as info:
        platform.publish([site(tmp_path, {"name": NAME}, drop_fields=["note"])])
    assert info.value.plan.destructive[0].kind == "drop_column"
    assert rows(platform)[0]["note"] == "重要备注"
    result = platform.publish([site(tmp_path, {"name": NAME}, drop_fields=["note"])], confirm_destructive=True)
    assert "note" not in columns(platform)
    assert "重要备注" in Path(result.plan.exports[0]).read_text(encoding="utf-8")


def test_type_narrowing_converts_what_it_can_after_export(platform, tmp_path):
    platform.publish([site(tmp_path, {"name": NAME, "staff": {"type": "string", "maxLength": 10}})])
    platform.records.create("site", {"name": "A", "staff": "12"}, ACTOR)
    platform.records.create("site", {"name": "B", "staff": "很多"}, ACTOR)
    with pytest.raises(SchemaChangeRefused):
        platform.publish([site(tmp_path, {"name": NAME, "staff": {"type": "integer"}})])
    result = platform.publish([site(tmp_path, {"name": NAME, "staff": {"type": "integer"}})], confirm_destructive=True)
    assert [r["staff"] for r in rows(platform)] == [12, None]
    assert "很多" in Path(result.plan.exports[0]).read_text(encoding="utf-8")
    assert platform.records.create("site", {"name": "C", "staff": 5}, ACTOR)["staff"] == 5


def test_renames_are_declared_not_guessed(platform, tmp_path):
    platform.publish([site(tmp_path, {"name": NAME, "addr": {"type": "string"}})])
    platform.records.create("site", {"name": "A", "addr": "凤城镇1号"}, ACTOR)
    renamed = {"name": NAME, "address": {"type": "string", "x-anjian": {"renamed_from": "addr"}}}
    result = platform.publish([site(tmp_path, renamed)])
    assert [c.kind for c in result.plan.changes] == ["rename_column"]
    assert rows(platform)[0]["address"] == "凤城镇1号"
    # A rename of the entity keeps its rows as well.
    folder = tmp_path / "decl"
    (folder / "site.json").unlink()
    write_json(folder / "place.json", entity_document("place", renamed, renamed_from="site"))
    result = platform.publish([folder])
    assert "rename_table" in [c.kind for c in result.plan.changes]
    assert rows(platform, "select * from place")[0]["address"] == "凤城镇1号"
    assert "site" not in platform.registry.catalog.entities  # the old declaration is gone with the rename
    again = platform.publish([folder])
    assert not again.changed and "site" not in inspect(platform.engine).get_table_names()


def test_a_unique_constraint_over_duplicate_data_is_blocked(platform, tmp_path):
    platform.publish([site(tmp_path, {"name": NAME})])
    for _ in range(2):
        platform.records.create("site", {"name": "同名"}, ACTOR)
    with pytest.raises(SchemaChangeRefused) as info:
        platform.publish([site(tmp_path, {"name": NAME}, unique=[["name"]])], confirm_destructive=True)
    assert info.value.plan.blocked[0].affected == 1
    assert len(rows(platform)) == 2


def test_child_rows_survive_a_table_rebuild_of_their_parent(published, tmp_path):
    """SQLite rebuilds a table to drop a column; with foreign keys on that would cascade to children."""
    import json

    from anjian.config import bundled_metadata_path

    published.records.create(
        "enterprise",
        {
            "name": "有子表的企业",
            "credit_code": "91350200MA2YJ1XR9G",
            "region_code": "350524",
            "industry": "C",
            "safety_staff": [{"name": "甲", "certificates": [{"number": "1"}]}],
        },
        ACTOR,
    )
    document = json.loads((bundled_metadata_path() / "registry" / "enterprise.json").read_text(encoding="utf-8"))
    del document["properties"]["safety_rules"]
    document["x-anjian"]["sections"][2]["fields"].remove("safety_rules")
    document["x-anjian"]["drop_fields"] = ["safety_rules"]
    write_json(tmp_path / "enterprise.json", document)
    published.publish([tmp_path / "enterprise.json"], confirm_destructive=True)
    assert rows(published, "select count(*) as n from enterprise_staff_certificate")[0]["n"] == 1


def test_an_invalid_declaration_publishes_nothing(platform, tmp_path):
    folder = site(tmp_path, {"name": NAME}, list_columns=["missing"])
    with pytest.raises(MetadataErrors) as info:
        platform.publish([folder])
    assert "list_columns/0" in info.value.errors[0].pointer
    assert platform.refresh().version == 0 and "site" not in inspect(platform.engine).get_table_names()


def test_publishing_the_same_documents_twice_is_a_no_op(published):
    version = published.registry.version
    result = published.publish()
    assert result.version == version and not result.changed
