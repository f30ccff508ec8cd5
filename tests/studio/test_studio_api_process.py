"""The process designer's live condition check and diagram positions through ``/api/v1/studio/``:
the same answers the screens give, with field-level 422 for bad bodies and 409 for a stale version."""

from __future__ import annotations

from typing import Any

PROCESS = "fireworks_flow_approval"


def _draft(api: Any, files: dict[str, Any]) -> dict[str, Any]:
    created = api.post("/api/v1/studio/drafts", json={"module": "fireworks"}).get_json()
    saved = api.put(f"/api/v1/studio/drafts/{created['id']}", json={"version": created["version"], "files": files})
    assert saved.status_code == 200, saved.get_json()
    return dict(saved.get_json())


def test_condition_check_through_the_api(api: Any, officer_api: Any, fireworks: dict[str, Any]) -> None:
    draft = _draft(api, fireworks)
    url = f"/api/v1/studio/drafts/{draft['id']}/check-condition"
    good = api.post(url, json={"entity": "fireworks_flow", "condition": 'flow_type == "sale" and note != ""'})
    assert good.status_code == 200
    assert good.get_json()["ok"] is True and good.get_json()["reads"] == ["flow_type", "note"]
    assert "flow_type" in good.get_json()["message"]

    bad = api.post(url, json={"entity": "fireworks_flow", "condition": "nope > 1"}).get_json()
    assert bad["ok"] is False and "nope" in bad["message"]
    syntax = api.post(url, json={"entity": "fireworks_flow", "condition": "flow_type == "}).get_json()
    assert syntax["ok"] is False and isinstance(syntax.get("offset"), int)
    assert api.post(url, json={"entity": "fireworks_flow", "condition": " "}).get_json()["ok"] is True
    assert api.post(url, json={"entity": "no_such", "condition": "id > 1"}).get_json()["ok"] is False
    assert api.post(url, json={"entity": "fireworks_flow", "condition": "lines > 1"}).get_json()["ok"] is False

    refused = api.post(url, json={"entity": "fireworks_flow", "condition": 3})
    assert refused.status_code == 422 and "/condition" in str(refused.get_json())
    assert officer_api.post(url, json={"entity": "fireworks_flow", "condition": "id > 1"}).status_code == 403
    assert api.post("/api/v1/studio/drafts/999999/check-condition", json={"entity": "x", "condition": ""}).status_code == 404

    # Nothing was saved: the draft is at the version it was.
    assert api.get(f"/api/v1/studio/drafts/{draft['id']}").get_json()["version"] == draft["version"]


def test_diagram_positions_through_the_api(api: Any, fireworks: dict[str, Any]) -> None:
    draft = _draft(api, fireworks)
    url = f"/api/v1/studio/drafts/{draft['id']}/positions"
    body = {"version": draft["version"], "process": PROCESS, "positions": {"approved": [333, 177.6], "draft": [-5, 9000]}}
    saved = api.post(url, json=body)
    assert saved.status_code == 200, saved.get_json()
    placed = saved.get_json()
    assert placed["version"] == draft["version"] + 1 and saved.headers["ETag"] == f'"{placed["version"]}"'
    assert placed["layout"]["positions"] == {PROCESS: {"approved": [333, 177], "draft": [0, 4000]}}
    assert placed["files"] == fireworks  # positions are kept apart from the declaration

    assert api.post(url, json=body).status_code == 409  # the version it named is stale
    stale_free = {**body, "version": placed["version"]}
    unknown = api.post(url, json={**stale_free, "positions": {"nowhere": [1, 2], "approved": ["a", 2]}})
    assert unknown.status_code == 422
    text = str(unknown.get_json())
    assert "/positions/nowhere" in text and "/positions/approved" in text
    assert api.post(url, json={**stale_free, "process": "no_such"}).status_code == 422
    assert api.post(url, json={**stale_free, "positions": [1, 2]}).status_code == 422

    reset = api.post(url, json={"process": PROCESS, "positions": None}, headers={"If-Match": f'"{placed["version"]}"'})
    assert reset.status_code == 200, reset.get_json()
    assert reset.get_json()["layout"]["positions"] == {}


def test_the_openapi_document_has_both_routes(api: Any) -> None:
    paths = api.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/studio/drafts/{draft_id}/check-condition"]
    assert "post" in paths["/studio/drafts/{draft_id}/positions"]
