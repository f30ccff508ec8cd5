"""The studio's API: every route, the bad inputs of issue 11, and the configurator role."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from anjian.audit import Actor


def _new(api: Any, files: dict[str, Any]) -> dict[str, Any]:
    created = api.post("/api/v1/studio/drafts", json={"module": "fireworks"})
    assert created.status_code == 201, created.get_json()
    draft = created.get_json()
    saved = api.put(f"/api/v1/studio/drafts/{draft['id']}", json={"version": draft["version"], "files": files})
    assert saved.status_code == 200, saved.get_json()
    return dict(saved.get_json())


def _publish(api: Any, draft: dict[str, Any], **extra: Any) -> Any:
    return api.post(f"/api/v1/studio/drafts/{draft['id']}/publish", json={"version": draft["version"], **extra})


def _save(api: Any, draft: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
    response = api.put(f"/api/v1/studio/drafts/{draft['id']}", json={"version": draft["version"], "files": files})
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def test_new_module_from_empty_draft_to_published(api: Any, fireworks: dict[str, Any]) -> None:
    created = api.post("/api/v1/studio/drafts", json={"module": "fireworks", "title": "烟花爆竹流向"})
    assert created.status_code == 201
    empty = created.get_json()
    assert set(empty["files"]) == {"module.json"} and created.headers["ETag"] == '"1"'
    draft = _save(api, empty, fireworks)
    assert draft["version"] == 2

    check = api.post(f"/api/v1/studio/drafts/{draft['id']}/check").get_json()
    assert check == {"ok": True, "problems": []}
    diff = api.get(f"/api/v1/studio/drafts/{draft['id']}/diff").get_json()["diff"]
    assert {d["file"]: d["change"] for d in diff} == dict.fromkeys(fireworks, "added")
    plan = api.post(f"/api/v1/studio/drafts/{draft['id']}/plan").get_json()
    assert any(c["kind"] == "create_table" and c["table"] == "fireworks_flow" for c in plan["changes"]), plan
    assert plan["destructive"] == [] and "entity:fireworks_flow" in plan["documents"]

    published = _publish(api, draft)
    assert published.status_code == 200, published.get_json()
    record = api.post(
        "/api/v1/e/fireworks_flow",
        json={
            "flow_type": "sale",
            "flow_date": "2026-03-02",
            "region_code": "350524",
            "lines": [{"product": "礼花弹", "quantity": 3}],
        },
    )
    assert record.status_code == 201, record.get_json()
    modules = {m["module"]: m for m in api.get("/api/v1/studio/modules").get_json()["modules"]}
    assert modules["fireworks"]["published"] and modules["fireworks"]["entities"] == ["fireworks_flow"]
    assert "/studio/drafts" in api.get("/api/v1/openapi.json").get_json()["paths"]


def test_two_configurators_saving_the_same_draft_conflict(api: Any, fireworks: dict[str, Any]) -> None:
    draft = _new(api, fireworks)
    first = api.put(f"/api/v1/studio/drafts/{draft['id']}", json={"version": draft["version"], "title": "甲"})
    assert first.status_code == 200
    second = api.put(f"/api/v1/studio/drafts/{draft['id']}", json={"version": draft["version"], "title": "乙"})
    assert second.status_code == 409
    assert second.get_json()["error"]["errors"][0]["pointer"] == "/version"
    by_header = api.put(f"/api/v1/studio/drafts/{draft['id']}", json={"title": "丙"}, headers={"If-Match": first.headers["ETag"]})
    assert by_header.status_code == 200 and by_header.get_json()["title"] == "丙"
    missing = api.put(f"/api/v1/studio/drafts/{draft['id']}", json={"title": "丁"})
    assert missing.status_code == 422


def test_bad_inputs_each_give_one_chinese_message_on_its_place(api: Any, fireworks: dict[str, Any]) -> None:
    assert api.post("/api/v1/studio/drafts", json={"module": "Bad Name"}).status_code == 422
    entity = fireworks["fireworks_flow.json"]
    entity["properties"]["note"]["pattern"] = "([a-z"
    entity["properties"]["counterparty"]["x-anjian"] = {"link": "no_such_entity"}
    process = fireworks["fireworks_flow.process.json"]
    process["transitions"][0]["condition"] = "flow_type == 'sale' and ("
    process["deadlines"][0]["stages"] = [{"kind": "overdue"}, {"kind": "reminder", "before": {"amount": 1, "unit": "workdays"}}]
    draft = _new(api, fireworks)
    problems = api.post(f"/api/v1/studio/drafts/{draft['id']}/check").get_json()["problems"]
    places = [(p["file"], p["pointer"]) for p in problems]
    assert len(places) == len(set(places)), problems
    assert ("fireworks_flow.json", "/properties/note/pattern") in places
    assert ("fireworks_flow.json", "/properties/counterparty/x-anjian/link") in places
    assert any(f == "fireworks_flow.process.json" and p.startswith("/transitions/0") for f, p in places), places
    assert any(f == "fireworks_flow.process.json" and p.startswith("/deadlines/0") for f, p in places), places
    assert len(problems) == 4, problems
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in p["message"]) for p in problems), problems
    assert {p.get("field") for p in problems} >= {"note", "counterparty"}
    refused = _publish(api, draft)
    assert refused.status_code == 422


def test_duplicate_field_is_one_problem(api: Any, fireworks: dict[str, Any]) -> None:
    fireworks["second.json"] = {
        "title": "重复",
        "type": "object",
        "properties": {"a": {"type": "string", "maxLength": 5}},
        "x-anjian": {"entity": "fireworks_flow"},
    }
    draft = _new(api, fireworks)
    problems = api.post(f"/api/v1/studio/drafts/{draft['id']}/check").get_json()["problems"]
    assert len(problems) == 1, problems


def test_rename_retire_and_delete_keep_or_refuse_data(api: Any, fireworks: dict[str, Any], published: Any) -> None:
    draft = _new(api, fireworks)
    assert _publish(api, draft).status_code == 200
    body = {
        "flow_type": "sale",
        "flow_date": "2026-03-02",
        "region_code": "350524",
        "counterparty": "某某商行",
        "note": "夜间送货",
    }
    record_id = api.post("/api/v1/e/fireworks_flow", json=body).get_json()["id"]

    draft = api.post("/api/v1/studio/drafts", json={"module": "fireworks"}).get_json()
    entity = draft["files"]["fireworks_flow.json"]
    props = entity["properties"]
    entity["properties"] = {("buyer" if k == "counterparty" else k): v for k, v in props.items()}
    entity["properties"]["buyer"]["x-anjian"] = {"renamed_from": "counterparty"}
    entity["x-anjian"]["search_fields"] = ["wholesaler", "buyer"]
    del entity["properties"]["note"]  # retire: gone from forms, column and data kept
    draft = _save(api, draft, draft["files"])
    diff = api.get(f"/api/v1/studio/drafts/{draft['id']}/diff").get_json()["diff"]
    fields = next(d for d in diff if d["file"] == "fireworks_flow.json")["fields"]
    assert fields["renamed"] == {"buyer": "counterparty"} and fields["removed"] == ["note"]
    plan = api.post(f"/api/v1/studio/drafts/{draft['id']}/plan").get_json()
    kinds = {(c["kind"], c["column"]): c for c in plan["changes"]}
    assert ("rename_column", "buyer") in kinds and kinds[("rename_column", "buyer")]["rows"] == 1
    assert kinds[("rename_column", "buyer")]["affected"] == 1 and kinds[("retain_column", "note")]["affected"] == 1
    assert ("retain_column", "note") in kinds and plan["destructive"] == []
    assert _publish(api, draft).status_code == 200
    record = api.get(f"/api/v1/e/fireworks_flow/{record_id}").get_json()
    assert record["buyer"] == "某某商行" and "note" not in record
    from sqlalchemy import text

    with published.engine.connect() as conn:
        assert conn.execute(text("SELECT note FROM fireworks_flow")).scalar_one() == "夜间送货"

    draft = api.post("/api/v1/studio/drafts", json={"module": "fireworks"}).get_json()
    entity = draft["files"]["fireworks_flow.json"]
    entity["x-anjian"]["drop_fields"] = ["note"]
    draft = _save(api, draft, draft["files"])
    assert api.post(f"/api/v1/studio/drafts/{draft['id']}/plan").get_json()["destructive"] == ["fireworks_flow.note"]
    refused = _publish(api, draft)
    assert refused.status_code == 409
    error = refused.get_json()["error"]["errors"][0]
    assert error["pointer"] == "/confirm" and "fireworks" in error["message"] and "export" in error["message"]
    wrong = _publish(api, draft, confirm="yes")
    assert wrong.status_code == 409
    done = _publish(api, draft, confirm="fireworks")
    assert done.status_code == 200 and done.get_json()["exports"], done.get_json()


def test_dangling_reference_is_refused_with_its_places(api: Any, fireworks: dict[str, Any]) -> None:
    draft = _new(api, fireworks)
    entity = draft["files"]["fireworks_flow.json"]
    del entity["properties"]["wholesaler"]  # still the title field and a list and search column
    draft = _save(api, draft, draft["files"])
    problems = api.post(f"/api/v1/studio/drafts/{draft['id']}/check").get_json()["problems"]
    assert problems and all(p["file"] == "fireworks_flow.json" for p in problems)
    assert any("/x-anjian/" in p["pointer"] for p in problems)
    assert _publish(api, draft).status_code == 422


def test_references_index(api: Any, fireworks: dict[str, Any]) -> None:
    fireworks["fireworks_flow.process.json"]["transitions"][0]["condition"] = "flow_type != 'return'"
    draft = _new(api, fireworks)
    index = api.get(f"/api/v1/studio/drafts/{draft['id']}/references").get_json()
    used = index["entities"]["fireworks_flow"]["fields"]
    assert "fireworks_flow: list_columns" in used["wholesaler"] and "fireworks_flow: title_field" in used["wholesaler"]
    assert any("condition" in place for place in used["flow_type"])
    states = index["states"]["fireworks_flow_approval"]
    assert "deadlines/review" in states["submitted"] and "start" in states["draft"]


def test_dry_run_counts_records_that_would_fail(api: Any, fireworks: dict[str, Any]) -> None:
    draft = _new(api, fireworks)
    assert _publish(api, draft).status_code == 200
    for counterparty in ("甲商行", None, None):
        body = {"flow_type": "sale", "flow_date": "2026-03-02", "region_code": "350524"}
        if counterparty:
            body["counterparty"] = counterparty
        assert api.post("/api/v1/e/fireworks_flow", json=body).status_code == 201
    draft = api.post("/api/v1/studio/drafts", json={"module": "fireworks"}).get_json()
    draft["files"]["fireworks_flow.json"]["required"].append("counterparty")
    draft = _save(api, draft, draft["files"])
    result = api.post(f"/api/v1/studio/drafts/{draft['id']}/dry-run").get_json()
    flows = result["entities"]["fireworks_flow"]
    assert flows["checked"] == 3 and flows["failing"] == 2 and len(flows["ids"]) == 2
    assert result["failing"] == 2


def test_versions_restore_and_roles(api: Any, fireworks: dict[str, Any]) -> None:
    draft = _new(api, fireworks)
    first = _publish(api, draft).get_json()["version"]
    draft = api.post("/api/v1/studio/drafts", json={"module": "fireworks"}).get_json()
    draft["files"]["fireworks_flow.json"]["title"] = "烟花爆竹流向登记（新）"
    second = _publish(api, _save(api, draft, draft["files"])).get_json()["version"]
    versions = api.get("/api/v1/studio/modules/fireworks/versions").get_json()["versions"]
    assert [v["version"] for v in versions] == [second, first]
    restored = api.post("/api/v1/studio/drafts", json={"module": "fireworks", "from_version": first}).get_json()
    assert restored["files"]["fireworks_flow.json"]["title"] == "烟花爆竹流向登记"
    assert api.post("/api/v1/studio/drafts", json={"module": "fireworks", "from_version": 99999}).status_code == 404
    roles = api.get(f"/api/v1/studio/drafts/{restored['id']}/roles").get_json()["roles"]
    assert roles[0]["name"] == "fireworks_officer"
    assert roles[0]["matrix"]["fireworks_flow"] == ["read", "create", "update", "submit", "approve"]
    listed = api.get("/api/v1/studio/drafts?module=fireworks").get_json()["drafts"]
    assert restored["id"] in [d["id"] for d in listed]
    assert api.delete(f"/api/v1/studio/drafts/{restored['id']}").status_code == 204
    assert api.get(f"/api/v1/studio/drafts/{restored['id']}").status_code == 404


def test_export_import_export_is_byte_identical(api: Any, fireworks: dict[str, Any]) -> None:
    draft = _new(api, fireworks)
    first = api.get(f"/api/v1/studio/drafts/{draft['id']}/export")
    assert first.status_code == 200 and first.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(first.data)).namelist()
    assert names == sorted(f"metadata/fireworks/{n}" for n in fireworks)
    text = zipfile.ZipFile(io.BytesIO(first.data)).read("metadata/fireworks/module.json").decode()
    assert text == json.dumps(fireworks["module.json"], ensure_ascii=False, indent=2) + "\n"
    other = api.post("/api/v1/studio/drafts", json={"module": "fireworks"}).get_json()
    imported = api.post(
        f"/api/v1/studio/drafts/{other['id']}/import",
        data={"version": str(other["version"]), "file": (io.BytesIO(first.data), "fireworks.zip")},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 200, imported.get_json()
    again = api.get(f"/api/v1/studio/drafts/{other['id']}/export")
    assert again.data == first.data
    assert _publish(api, imported.get_json()).status_code == 200
    published = api.get("/api/v1/studio/modules/fireworks/export")
    assert published.status_code == 200 and zipfile.ZipFile(io.BytesIO(published.data)).namelist() == names
    folder = api.post(
        f"/api/v1/studio/drafts/{other['id']}/import",
        data={
            "version": str(imported.get_json()["version"]),
            "files": [(io.BytesIO(json.dumps(v).encode()), f"fireworks/{k}") for k, v in fireworks.items()],
        },
        content_type="multipart/form-data",
    )
    assert folder.status_code == 200, folder.get_json()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_import_refuses_paths_outside_the_module_and_huge_zips(api: Any, fireworks: dict[str, Any]) -> None:
    draft = _new(api, fireworks)

    def send(data: bytes) -> Any:
        return api.post(
            f"/api/v1/studio/drafts/{draft['id']}/import",
            data={"version": str(draft["version"]), "file": (io.BytesIO(data), "m.zip")},
            content_type="multipart/form-data",
        )

    for bad in (
        "../x.json",
        "metadata/fireworks/../../x.json",
        "/etc/x.json",
        "metadata/hazard/hidden_danger.json",
        "metadata/fireworks/sub/x.json",
    ):
        response = send(_zip({"metadata/fireworks/module.json": b"{}", bad: b"{}"}))
        assert response.status_code == 422, (bad, response.get_json())
        assert response.get_json()["error"]["errors"][0]["file"] == bad
    # 50 MB sent as a raw body: the test client would spool a multipart file of that size to disk
    too_big = api.post(
        f"/api/v1/studio/drafts/{draft['id']}/import",
        data=b"PK" + b"\0" * (50 * 1024 * 1024),
        content_type="multipart/form-data; boundary=x",
    )
    assert too_big.status_code == 413
    bomb = send(_zip({"metadata/fireworks/module.json": b" " * (9 * 1024 * 1024)}))
    assert bomb.status_code == 422 and "import.zip" in bomb.get_json()["error"]["errors"][0]["file"]
    assert send(b"not a zip").status_code == 422
    assert api.get(f"/api/v1/studio/drafts/{draft['id']}").get_json()["version"] == draft["version"]


def test_configurator_role_grants_and_audit(api: Any, officer_api: Any, published: Any, fireworks: dict[str, Any]) -> None:
    assert officer_api.get("/api/v1/studio/modules").status_code == 403
    assert officer_api.post("/api/v1/studio/drafts", json={"module": "fireworks"}).status_code == 403
    published.access.add_grant(Actor.system(), "officer", "configurator", "*")
    assert officer_api.get("/api/v1/studio/modules").status_code == 200
    draft = _new(api, fireworks)
    assert _publish(api, draft).status_code == 200
    assert officer_api.get("/api/v1/e/fireworks_flow").status_code == 403
    granted = api.post("/api/v1/studio/grants", json={"username": "officer", "role": "fireworks_officer", "region": "350524"})
    assert granted.status_code == 201, granted.get_json()
    assert officer_api.get("/api/v1/e/fireworks_flow").status_code == 200
    assert (
        api.post("/api/v1/studio/grants", json={"username": "officer", "role": "no_role", "region": "350524"}).status_code == 404
    )
    assert api.post("/api/v1/studio/grants", json={"username": "officer"}).status_code == 422
    from sqlalchemy import select

    from anjian.audit.tables import audit_log

    with published.engine.connect() as conn:
        actions = {r.action for r in conn.execute(select(audit_log.c.action).where(audit_log.c.entity == "_studio"))}
    assert {"studio_draft_create", "studio_draft_save", "studio_publish", "studio_grant"} <= actions


def test_records_in_flight_and_a_state_that_disappears_need_a_mapping(api: Any, fireworks: dict[str, Any]) -> None:
    draft = _new(api, fireworks)
    assert _publish(api, draft).status_code == 200
    body = {"flow_type": "sale", "flow_date": "2026-03-02", "region_code": "350524"}
    record_id = api.post("/api/v1/e/fireworks_flow", json=body).get_json()["id"]
    moved = api.post(f"/api/v1/e/fireworks_flow/{record_id}/transitions/submit", json={})
    assert moved.status_code == 200, moved.get_json()
    draft = api.post("/api/v1/studio/drafts", json={"module": "fireworks"}).get_json()
    process = draft["files"]["fireworks_flow.process.json"]
    process["states"] = {
        "draft": process["states"]["draft"],
        "checking": {"title": "审核中", "editable": "none"},
        "approved": process["states"]["approved"],
    }
    process["transitions"][0]["to"] = "checking"
    process["transitions"][1]["from"] = "checking"
    process["deadlines"][0]["starts"] = {"state": "checking"}
    draft = _save(api, draft, draft["files"])
    plan = api.post(f"/api/v1/studio/drafts/{draft['id']}/plan").get_json()
    (flight,) = plan["in_flight"]
    assert (flight["process"], flight["states"], flight["unmapped"]) == (
        "fireworks_flow_approval",
        {"submitted": 1},
        ["submitted"],
    )
    assert [t["name"] for t in flight["targets"]] == ["draft", "checking", "approved"]
    refused = _publish(api, draft)
    assert refused.status_code == 409 and refused.get_json()["error"]["errors"][0]["pointer"] == "/migration"
    assert "submitted" in refused.get_json()["error"]["errors"][0]["message"]
    draft["files"]["fireworks_flow.process.json"]["migration"] = {"states": {"submitted": "checking"}}
    draft = _save(api, draft, draft["files"])
    published = _publish(api, draft)
    assert published.status_code == 200, published.get_json()


def test_withdraw_a_module_and_an_entity(api: Any, fireworks: dict[str, Any], published: Any) -> None:
    from anjian.studio import designer

    draft = _new(api, fireworks)
    assert _publish(api, draft).status_code == 200
    body = {"flow_type": "sale", "flow_date": "2026-03-02", "region_code": "350524"}
    assert api.post("/api/v1/e/fireworks_flow", json=body).status_code == 201
    assert api.post("/api/v1/studio/modules/fireworks/withdraw", json={}).status_code == 409
    assert (
        api.post("/api/v1/studio/modules/registry/withdraw", json={"confirm": "registry"}).status_code == 422
    )  # others link to it
    done = api.post("/api/v1/studio/modules/fireworks/withdraw", json={"confirm": "fireworks"})
    assert done.status_code == 200, done.get_json()
    assert api.get("/api/v1/e/fireworks_flow").status_code == 404
    from sqlalchemy import text

    with published.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM fireworks_flow")).scalar_one() == 1  # the data stays
    files = designer.remove_entity(fireworks, "fireworks_flow")
    assert set(files) == {"module.json"} and files["module.json"]["entities"] == []
    assert "fireworks_flow" not in files["module.json"]["roles"][0]["permissions"]
