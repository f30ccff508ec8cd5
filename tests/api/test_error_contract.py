"""One error contract for every API error, including Flask's own, in Chinese or English."""

from __future__ import annotations

import json

from anjian.errors import (
    AuthenticationFailed,
    MetadataError,
    MetadataErrors,
    NotFound,
    PermissionDenied,
    RecordConflict,
    RecordValidationError,
    WorkflowRefused,
)
from anjian.messages import message, use_language

HUGE = "17731034018430232576"  # beyond 64 bits


def contract(response, status: int, code: str | None = None) -> dict:
    """The body of an error response, checked against the contract."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert error["errors"], error
    for item in error["errors"]:
        assert {"pointer", "message", "code"} <= set(item), item
        assert isinstance(item["pointer"], str) and isinstance(item["message"], str) and isinstance(item["code"], str)
    if code is not None:
        assert error["code"] == code, error
    return error


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_every_status_has_the_contract(client, api, officer_api):
    contract(client.get("/api/v1/e/enterprise"), 401, "auth.failed")
    contract(client.get("/api/v1/e/enterprise", headers={"Authorization": "Bearer nonsense"}), 401)
    forbidden = contract(officer_api.post("/api/v1/meta/publish", {"documents": []}), 403, "forbidden")
    assert forbidden["subject"] == "officer" and forbidden["action"] == "publish" and forbidden["object"] == "*"
    contract(api.get("/api/v1/nowhere"), 404, "http.404")
    contract(api.get("/api/v1/e/no_such_entity"), 404, "not_found")
    contract(api.get("/api/v1/security/login"), 404)  # FAB's own token API stays closed, in the contract
    wrong = contract(api.delete("/api/v1/meta/version"), 405, "http.405")
    assert wrong and "GET" in api.delete("/api/v1/meta/version").headers["Allow"]
    contract(api.post("/api/v1/e/enterprise", {}), 422, "record.invalid")
    for _ in range(5):
        client.post("/api/v1/auth/token", json={"username": "officer", "password": "wrong"})
    locked = client.post("/api/v1/auth/token", json={"username": "officer", "password": "wrong"})
    contract(locked, 429, "auth.locked")
    assert locked.headers["Retry-After"]


def test_unexpected_errors_keep_the_contract(app, api, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(type(app.extensions["anjian"].reader), "page", broken)
    error = contract(api.get("/api/v1/e/enterprise"), 500, "internal")
    assert "boom" not in json.dumps(error)


def test_bodies_past_the_limits_are_refused_before_any_view(client, api):
    body = deep(1000)
    headers = {"Content-Type": "application/json"}
    # before login, on the public token endpoint
    contract(client.post("/api/v1/auth/token", data=body, headers=headers), 400, "request.too_deep")
    nested_object = '{"username": "admin", "password": "x", "otp": ' + deep(1000) + "}"
    contract(client.post("/api/v1/auth/token", data=nested_object, headers=headers), 400, "request.too_deep")
    for url in (
        "/api/v1/e/enterprise",
        "/api/v1/meta/publish",
        "/api/v1/notices/read",
        "/api/v1/e/hidden_danger/1/transitions/submit",
        "/api/v1/deadlines/1/extensions",
    ):
        contract(api.post(url, None, data=body, headers=headers), 400, "request.too_deep")
    contract(api.put("/api/v1/e/enterprise/1", None, data=body, headers=headers), 400, "request.too_deep")
    contract(api.patch("/api/v1/e/enterprise/1", None, data=body, headers=headers), 400, "request.too_deep")
    # brackets inside strings are text, not nesting
    text = json.dumps({"name": "[" * 5000})
    assert api.post("/api/v1/e/enterprise", None, data=text, headers=headers).status_code == 422
    # size: credentials are small; records have their own limit
    big = json.dumps({"username": "admin", "password": "x" * 20_000})
    contract(client.post("/api/v1/auth/token", data=big, headers=headers), 413, "request.too_large")
    record = json.dumps({"name": "x" * (2 * 1024 * 1024)})
    contract(api.post("/api/v1/e/enterprise", None, data=record, headers=headers), 413, "request.too_large")


def test_ids_and_filters_beyond_64_bits_are_not_found_or_invalid(api, client):
    contract(api.get(f"/api/v1/e/expert/{HUGE}"), 404)
    contract(api.put(f"/api/v1/e/expert/{HUGE}", {"name": "x"}), 404)
    contract(api.delete(f"/api/v1/e/expert/{HUGE}"), 404)
    contract(api.get(f"/api/v1/e/hidden_danger/{HUGE}/transitions"), 404)
    contract(api.post(f"/api/v1/deadlines/{HUGE}/extensions", {"amount": 1, "unit": "days", "reason": "x"}), 404)
    assert api.get("/api/v1/e/expert/9223372036854775807").status_code == 404  # the largest id: a real lookup
    filtered = contract(api.get(f"/api/v1/e/enterprise?employees={HUGE}"), 422, "record.invalid")
    assert filtered["errors"][0]["pointer"] == "/query/employees"
    contract(api.get(f"/api/v1/e/enterprise?employees__from=-{HUGE}"), 422)
    contract(api.get("/api/v1/e/enterprise?employees=1e999"), 422)
    contract(api.get(f"/api/v1/e/hidden_danger?enterprise_id={HUGE}"), 422)  # a link
    contract(api.post("/api/v1/notices/read", {"ids": [int(HUGE)]}), 422)
    # the screens' routes use the same bounded ids
    assert client.get(f"/e/expert/{HUGE}").status_code in (302, 404)


def test_messages_follow_accept_language_and_the_setting(api, client, monkeypatch):
    chinese = contract(api.get("/api/v1/nowhere"), 404)
    assert chinese["message"] == "没有这个接口"
    english = contract(api.get("/api/v1/nowhere", headers={"Accept-Language": "en-US,en;q=0.9"}), 404)
    assert english["message"] == "No such endpoint"
    invalid = contract(api.post("/api/v1/e/enterprise", {}, headers={"Accept-Language": "en"}), 422)
    assert invalid["message"] == "Validation failed"
    anonymous = contract(client.get("/api/v1/e/enterprise", headers={"Accept-Language": "en"}), 401)
    assert anonymous["errors"][0]["message"].startswith("An access token is required")
    deep_en = client.post(
        "/api/v1/auth/token", data=deep(100), headers={"Content-Type": "application/json", "Accept-Language": "en"}
    )
    assert "nests deeper" in contract(deep_en, 400)["errors"][0]["message"]


def test_metadata_route_messages_are_chinese_by_default_and_keep_their_pointers(api):
    empty = contract(api.post("/api/v1/meta/publish", {"documents": []}), 422, "metadata.invalid")["errors"][0]
    assert (empty["pointer"], empty["message"]) == ("/documents", "没有给出任何声明")
    assert empty["hint"].startswith("请发送")
    stranger = contract(api.post("/api/v1/meta/publish", {"documents": [{"not": "x"}]}), 422)["errors"][0]
    assert (stranger["pointer"], stranger["message"]) == ("/documents/0", "不是 anjian 声明")
    english = api.post("/api/v1/meta/publish", {"documents": []}, headers={"Accept-Language": "en"})
    assert contract(english, 422)["errors"][0]["message"] == "no documents given"
    assert "未知的字典 'nowhere'" in contract(api.get("/api/v1/meta/dictionaries/nowhere"), 404)["message"]


def test_metadata_errors_add_the_file(api):
    error = contract(api.post("/api/v1/meta/publish", {"documents": [{"not": "a declaration"}]}), 422, "metadata.invalid")
    assert error["file"] == "request" and error["errors"][0]["file"] == "request"
    assert error["errors"][0]["pointer"] == "/documents/0"


def test_error_classes_render_the_same_details():
    assert NotFound("x").details() == [{"pointer": "", "message": "x", "code": "not_found"}]
    assert AuthenticationFailed("y", code="auth.mfa_required").details()[0]["code"] == "auth.mfa_required"
    denied = PermissionDenied("no", subject="u", action="read", object="enterprise")
    assert (denied.subject, denied.action, denied.object, denied.http_status) == ("u", "read", "enterprise", 403)
    refused = WorkflowRefused("hidden_danger", [], record_id=3, state="draft", action="submit")
    assert refused.http_status == 409 and refused.code == "workflow.refused"
    assert not isinstance(refused, RecordConflict) and isinstance(refused, RecordValidationError)
    item = MetadataErrors([MetadataError("a.json", "/x", "bad", "fix it")]).details()[0]
    assert item["file"] == "a.json" and item["pointer"] == "/x" and item["code"] == "metadata.invalid"
    with use_language("en"):
        assert message("error.record.invalid") == "Validation failed"
    assert message("error.record.invalid") == "数据校验未通过"


def test_openapi_error_schema_shows_the_contract(api):
    document = api.get("/api/v1/openapi.json").get_json()
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    inner = error["properties"]["error"]
    assert inner["required"] == ["code", "message", "errors"]
    item = inner["properties"]["errors"]["items"]
    assert item["required"] == ["pointer", "message", "code"] and "file" in item["properties"]
    assert {"subject", "action", "object", "file"} <= set(inner["properties"])


def test_the_cli_renders_errors_through_the_catalogue(monkeypatch):
    from anjian.cli.main import render_error

    refused = RecordValidationError("enterprise", [])
    refused.errors.append(__import__("anjian.errors", fromlist=["FieldError"]).FieldError("/name", "必填", "required"))
    assert render_error(refused).splitlines() == ["错误: 数据校验未通过", "/name: 必填"]
    with use_language("en"):
        assert render_error(refused).splitlines()[0] == "error: Validation failed"
        assert render_error(NotFound("no such thing")) == "error: Not found: no such thing"
    metadata = MetadataErrors([MetadataError("a.json", "/x", "bad", "fix it")])
    assert render_error(metadata).splitlines() == ["错误: 元数据有 1 处问题", "a.json#/x: bad. fix it"]


def test_the_cli_command_speaks_anjian_language(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("ANJIAN_")}
    env.update(ANJIAN_HOME=str(tmp_path), ANJIAN_SECRET_KEY="cli-secret-0123456789-0123456789-abcdef", PYTHONSAFEPATH="1")
    missing = tmp_path / "missing.csv"
    missing.write_text("name\n", encoding="utf-8")
    run = [sys.executable, "-m", "anjian.cli", "import", "no_such_entity", str(missing)]
    chinese = subprocess.run(run, env=env, capture_output=True, text=True, timeout=120)
    # no database yet: an unexpected error, still one line from the catalogue
    assert chinese.returncode == 70 and "内部错误：" in chinese.stderr and "--debug" in chinese.stderr, chinese.stderr
    english = subprocess.run(run, env={**env, "ANJIAN_LANGUAGE": "en"}, capture_output=True, text=True, timeout=120)
    assert english.returncode == 70 and "internal error: " in english.stderr, english.stderr
