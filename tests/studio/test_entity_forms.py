"""The entity designer's rule, layout and dictionary forms, and bringing a retired field back."""

from __future__ import annotations

import re
from typing import Any

import pytest

from anjian.audit import Actor
from anjian.meta.loader import load_documents
from anjian.studio import Studio
from anjian.studio import entity_forms as ef
from anjian.studio.review import review_draft
from anjian.testing.plugin import ADMIN_PASSWORD

ADMIN = Actor("admin", is_admin=True)


def _problems(files: dict[str, Any]) -> list[dict[str, Any]]:
    standard, errors = load_documents(["metadata"])
    assert not errors
    return review_draft("fireworks", files, standard, None).problems()


def test_rules_write_schema_keywords_and_entity_constraints(fireworks: dict[str, Any]) -> None:
    form = {
        "title": "往来单位名称",
        "required": "1",
        "minLength": "2",
        "maxLength": "60",
        "pattern": "^[^0-9]",
        "unique": "1",
        "index": "",
    }
    files = ef.set_field_rules(fireworks, "fireworks_flow", "counterparty", form)
    doc = files["fireworks_flow.json"]
    assert doc["properties"]["counterparty"] == {
        "type": "string",
        "title": "往来单位名称",
        "maxLength": 60,
        "minLength": 2,
        "pattern": "^[^0-9]",
    }
    assert "counterparty" in doc["required"] and doc["x-anjian"]["unique"] == [["counterparty"]]
    assert _problems(files) == []
    files = ef.set_field_rules(files, "fireworks_flow", "counterparty", {"title": "往来单位", "index": "1"})
    doc = files["fireworks_flow.json"]
    assert "counterparty" not in doc["required"] and "unique" not in doc["x-anjian"]
    assert doc["x-anjian"]["indexes"] == [["counterparty"]] and "pattern" not in doc["properties"]["counterparty"]


def test_ranges_enum_labels_and_a_pattern_that_does_not_compile(fireworks: dict[str, Any]) -> None:
    files = ef.set_field_rules(
        fireworks, "fireworks_flow", "flow_type", {"title": "类型", "enum_text": "purchase 购进\nsale 销售\n\nsale 重复"}
    )
    prop = files["fireworks_flow.json"]["properties"]["flow_type"]
    assert prop["enum"] == ["purchase", "sale"] and prop["x-anjian"]["enum_labels"] == {"purchase": "购进", "sale": "销售"}
    files["fireworks_flow.json"]["properties"]["boxes"] = {"type": "integer", "title": "箱数"}
    files = ef.set_field_rules(files, "fireworks_flow", "boxes", {"title": "箱数", "minimum": "0", "maximum": "5000"})
    assert files["fireworks_flow.json"]["properties"]["boxes"] == {
        "type": "integer",
        "title": "箱数",
        "minimum": 0,
        "maximum": 5000,
    }
    with pytest.raises(ValueError):
        ef.set_field_rules(files, "fireworks_flow", "boxes", {"title": "箱数", "minimum": "很多"})
    bad = ef.set_field_rules(files, "fireworks_flow", "note", {"title": "备注", "pattern": "([a-z"})
    (problem,) = _problems(bad)
    assert problem["field"] == "note" and problem["pointer"].endswith("/pattern")


def test_layout_sections_lists_and_columns(fireworks: dict[str, Any]) -> None:
    form = {
        "list_columns": "wholesaler，flow_type, flow_date",
        "search_fields": "wholesaler",
        "filter_fields": "flow_type、region_code",
        "order_by": "-flow_date, wholesaler",
        "title_field": "wholesaler",
        "scope": "region_code",
        "owner": "",
        "published": "",
        "sections": [
            ("基本信息", "2", "wholesaler, flow_type, flow_date, region_code"),
            ("明细", "", "counterparty, note, lines"),
            ("", "", ""),
        ],
    }
    files = ef.set_layout(fireworks, "fireworks_flow", form)
    settings = files["fireworks_flow.json"]["x-anjian"]
    assert settings["list_columns"] == ["wholesaler", "flow_type", "flow_date"]
    assert settings["filter_fields"] == ["flow_type", "region_code"] and settings["order_by"] == ["-flow_date", "wholesaler"]
    assert settings["sections"] == [
        {"title": "基本信息", "fields": ["wholesaler", "flow_type", "flow_date", "region_code"], "columns": 2},
        {"title": "明细", "fields": ["counterparty", "note", "lines"]},
    ]
    assert _problems(files) == []
    wrong = ef.set_layout(files, "fireworks_flow", {"list_columns": "wholesaler, nothing"})
    assert [p["pointer"] for p in _problems(wrong)] == ["/x-anjian/list_columns/1"]


def test_a_tree_dictionary_made_in_the_form_binds_a_cascading_field(fireworks: dict[str, Any]) -> None:
    items = ef.parse_items("A 礼花类\nA1 礼花弹 A\nA2 组合烟花 A\nB 爆竹类\nB1 电光炮 B")
    files = ef.set_dictionary(fireworks, "fireworks_product", title="烟花爆竹产品类别", hierarchical=True, items=items)
    assert files["fireworks_product.json"]["items"][1] == {"code": "A1", "label": "礼花弹", "parent": "A"}
    files["fireworks_flow.json"]["properties"]["lines"]["items"]["properties"]["category"] = {"type": "string", "title": "类别"}
    files = ef.set_field_rules(files, "fireworks_flow", "note", {"title": "备注", "dictionary": "fireworks_product"})
    assert files["fireworks_flow.json"]["properties"]["note"]["x-anjian"] == {"dictionary": "fireworks_product"}
    assert _problems(files) == []
    gone = ef.remove_dictionary(files, "fireworks_product")
    assert [p.get("field") for p in _problems(gone)] == ["note"]  # the field bound to it says so


@pytest.fixture
def admin_web(app: Any) -> Any:
    client = app.test_client()
    assert client.post("/login/", data={"username": "admin", "password": ADMIN_PASSWORD}).status_code == 302
    return client


def _version(page: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', page)
    assert match
    return match.group(1)


# About 6 s of screens: it runs in the process pass (the browser test builds the process in these forms too).
@pytest.mark.slow
def test_rules_layout_and_dictionary_forms_on_screen(admin_web: Any, app: Any, fireworks: dict[str, Any]) -> None:
    studio = Studio(app.extensions["anjian"])
    draft = studio.create_draft(ADMIN, "fireworks")
    draft = studio.save_draft(ADMIN, draft.id, draft.version, files=fireworks)
    url = f"/studio/drafts/{draft.id}"

    def post(**data: Any) -> str:
        version = _version(admin_web.get(url + "?entity=fireworks_flow").get_data(as_text=True))
        response = admin_web.post(f"{url}/edit", data={"version": version, "entity": "fireworks_flow", **data})
        assert response.status_code == 302
        return str(admin_web.get(response.headers["Location"]).get_data(as_text=True))

    page = admin_web.get(url + "?entity=fireworks_flow").get_data(as_text=True)
    assert "保存规则" in page and "保存布局" in page and "添加字典" in page
    page = post(op="rules", name="counterparty", title="往来单位", pattern="([a-z", maxLength="100")
    assert re.search(r'data-field="counterparty" class="danger"', page) and "anjian-field-problem" in page
    page = post(op="rules", name="counterparty", title="往来单位", pattern="^[^0-9]", maxLength="80", required="1", unique="1")
    assert "检查通过" in page
    post(op="dictionary", name="fireworks_product", title="产品类别", hierarchical="1", items="A 礼花类\nA1 礼花弹 A")
    post(op="rules", name="note", title="备注", dictionary="fireworks_product", maxLength="64")
    page = post(
        op="layout", list_columns="wholesaler, flow_type, note", search_fields="wholesaler", filter_fields="flow_type",
        order_by="-flow_date", title_field="wholesaler", scope="region_code",
        section_title=["基本信息", "其他"], section_columns=["2", ""], section_fields=["wholesaler, flow_type, flow_date, region_code", "note, counterparty, lines"],
    )  # fmt: skip
    assert "检查通过" in page
    files = studio.drafts.get(draft.id).files
    assert files["fireworks_product.json"]["hierarchical"] is True
    entity = files["fireworks_flow.json"]
    assert entity["x-anjian"]["sections"][0]["columns"] == 2 and entity["x-anjian"]["order_by"] == ["-flow_date"]
    assert entity["properties"]["note"]["x-anjian"]["dictionary"] == "fireworks_product"
    preview = admin_web.get(f"{url}/preview/fireworks_flow").get_data(as_text=True)
    assert "基本信息" in preview and "礼花弹" in preview  # the section and the tree dictionary's leaf in the samples


# Three publishes (about 4 s): it runs in the process pass.
@pytest.mark.slow
def test_a_retired_field_is_brought_back_with_its_data(api: Any, app: Any, fireworks: dict[str, Any]) -> None:
    studio = Studio(app.extensions["anjian"])
    draft = studio.create_draft(ADMIN, "fireworks")
    draft = studio.save_draft(ADMIN, draft.id, draft.version, files=fireworks)
    studio.publish(ADMIN, draft.id, draft.version)
    body = {"flow_type": "sale", "flow_date": "2026-03-02", "region_code": "350524", "note": "夜间送货"}
    record = api.post("/api/v1/e/fireworks_flow", json=body).get_json()

    draft = studio.create_draft(ADMIN, "fireworks")
    del draft.files["fireworks_flow.json"]["properties"]["note"]
    draft = studio.save_draft(ADMIN, draft.id, draft.version, files=draft.files)
    assert list(studio.retired_fields(draft, "fireworks_flow")) == ["note"]  # retired in this draft
    studio.publish(ADMIN, draft.id, draft.version)
    assert "note" not in api.get(f"/api/v1/e/fireworks_flow/{record['id']}").get_json()

    draft = studio.create_draft(ADMIN, "fireworks")  # a later draft remembers it from the published versions
    retired = studio.retired_fields(draft, "fireworks_flow")
    assert retired == {"note": fireworks["fireworks_flow.json"]["properties"]["note"]}
    draft = studio.save_draft(
        ADMIN, draft.id, draft.version, files=ef.restore_field(draft.files, "fireworks_flow", "note", retired["note"])
    )
    assert studio.retired_fields(draft, "fireworks_flow") == {}
    studio.publish(ADMIN, draft.id, draft.version)
    assert api.get(f"/api/v1/e/fireworks_flow/{record['id']}").get_json()["note"] == "夜间送货"


def test_the_preview_compiles_only_what_the_entity_needs(fireworks: dict[str, Any]) -> None:
    from anjian.studio.review import preview_catalog

    standard, _errors = load_documents(["metadata"])
    fireworks["fireworks_flow.json"]["properties"]["enterprise_id"] = {
        "type": "integer",
        "title": "企业",
        "x-anjian": {"link": "enterprise"},
    }
    catalog = preview_catalog("fireworks", fireworks, standard, "fireworks_flow", None)
    assert catalog is not None
    assert {"fireworks_flow", "fireworks_flow_line", "enterprise"} <= set(catalog.entities)
    assert "complaint" not in catalog.entities and "region" in catalog.dictionaries
    fireworks["fireworks_flow.json"]["properties"]["lines"]["items"]["properties"]["quantity"]["minimum"] = "none"
    assert preview_catalog("fireworks", fireworks, standard, "fireworks_flow", None) is None


def test_a_child_tables_child_table_is_designed_like_an_entity(fireworks: dict[str, Any]) -> None:
    from anjian.studio import designer

    files = designer.add_field(fireworks, "fireworks_flow/lines", "parts", "组成", "child")
    parts = files["fireworks_flow.json"]["properties"]["lines"]["items"]["properties"]["parts"]
    assert parts["x-anjian"] == {"child": "fireworks_flow_line_parts"}  # named after the child table it sits in
    files = designer.add_field(files, "fireworks_flow/lines/parts", "powder_kg", "药量（千克）", "number", required=True)
    files = designer.rename_field(files, "fireworks_flow/lines", "quantity", "boxes")
    files = ef.set_field_rules(
        files, "fireworks_flow/lines/parts", "powder_kg", {"title": "药量（千克）", "minimum": "0", "required": "1"}
    )
    lines = files["fireworks_flow.json"]["properties"]["lines"]["items"]
    assert list(lines["properties"]) == ["product", "boxes", "parts"]
    assert lines["properties"]["boxes"]["x-anjian"] == {"renamed_from": "quantity"} and "x-anjian" not in lines
    assert lines["properties"]["parts"]["items"]["properties"]["powder_kg"]["minimum"] == 0
    assert _problems(files) == []
    with pytest.raises(KeyError):
        designer.locate(files, "fireworks_flow/note")  # not a child table


@pytest.mark.slow
def test_child_table_fields_on_screen(admin_web: Any, app: Any, fireworks: dict[str, Any]) -> None:
    studio = Studio(app.extensions["anjian"])
    draft = studio.create_draft(ADMIN, "fireworks")
    draft = studio.save_draft(ADMIN, draft.id, draft.version, files=fireworks)
    page = admin_web.get(f"/studio/drafts/{draft.id}?entity=fireworks_flow").get_data(as_text=True)
    assert "entity=fireworks_flow/lines" in page or "entity=fireworks_flow%2Flines" in page
    page = admin_web.get(f"/studio/drafts/{draft.id}?entity=fireworks_flow/lines").get_data(as_text=True)
    assert 'data-field="product"' in page and "子表 lines" in page and "保存布局" not in page
    added = admin_web.post(
        f"/studio/drafts/{draft.id}/edit",
        data={
            "version": _version(page),
            "entity": "fireworks_flow/lines",
            "op": "add",
            "name": "parts",
            "title": "组成",
            "kind": "child",
        },
    )
    assert added.status_code == 302 and added.headers["Location"].endswith("entity=fireworks_flow/lines")
    page = admin_web.get(added.headers["Location"]).get_data(as_text=True)
    assert 'data-field="parts"' in page and "检查通过" in page


def test_unique_groups_indexes_and_attachment_rules(fireworks: dict[str, Any]) -> None:
    from anjian.studio import designer

    files = ef.set_layout(
        fireworks, "fireworks_flow", {"unique": "wholesaler, flow_date\n\n", "indexes": "flow_type\nregion_code, flow_date"}
    )
    settings = files["fireworks_flow.json"]["x-anjian"]
    assert settings["unique"] == [["wholesaler", "flow_date"]] and settings["indexes"] == [
        ["flow_type"],
        ["region_code", "flow_date"],
    ]
    files = designer.add_field(files, "fireworks_flow", "licence_scan", "许可证扫描件", "attachment")
    rules = {"title": "许可证扫描件", "attachment_max_mb": "5", "attachment_accept": ".pdf, image/*", "attachment_multiple": ""}
    files = ef.set_field_rules(files, "fireworks_flow", "licence_scan", rules)
    assert files["fireworks_flow.json"]["properties"]["licence_scan"]["x-anjian"]["attachment"] == {
        "max_size": 5 * 1024 * 1024,
        "accept": [".pdf", "image/*"],
    }
    assert _problems(files) == []


def test_named_validators_and_computed_functions_from_the_rules_form(fireworks: dict[str, Any]) -> None:
    rules = {"title": "往来单位代码", "maxLength": "18", "validators": ["registry.uscc_check", ""]}
    files = ef.set_field_rules(fireworks, "fireworks_flow", "counterparty", rules)
    assert files["fireworks_flow.json"]["properties"]["counterparty"]["x-anjian"] == {"validators": ["registry.uscc_check"]}
    files = ef.set_field_rules(
        files, "fireworks_flow", "note", {"title": "登记机关区划", "computed": "registry.uscc_registration_region"}
    )
    assert files["fireworks_flow.json"]["properties"]["note"]["x-anjian"] == {"computed": "registry.uscc_registration_region"}
    files = ef.set_field_rules(
        files, "fireworks_flow", "counterparty", {"title": "往来单位", "maxLength": "100", "validators": []}
    )
    assert "x-anjian" not in files["fireworks_flow.json"]["properties"]["counterparty"]
