"""The public face's API for machines and the county's own portal site (no account, no CSRF).

``POST /api/v1/public/complaints`` files the public face's ``complaint`` form from JSON and
answers 201 with the tracking code; ``GET /api/v1/public/track/<code>`` answers the state, the
timeline and the deadlines, with no personal data. ``POST /api/v1/public/comment/<form>/<id>``
comments on an open 意见征集 and ``POST /api/v1/public/survey/<name>/<id>`` answers a 网上调查,
through the same functions (and limits) as the pages at the same paths without ``/api/v1/public``.
Errors follow the API's contract (422 with field errors, 429 when an address files too often,
404 for an unknown code or record).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from anjian.errors import NotFound, RecordValidationError, RequestRefused

from .. import survey as surveys
from ..intake import file_intake
from ..tracking import progress
from ..web import declaration, platform
from .views import lookups

__all__ = ["API_VOTER_MAX", "api"]

API_VOTER_MAX = 200  # characters of a client's own visitor id

api = Blueprint("anjian_portal_api", __name__, url_prefix="/api/v1/public")


def _error(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> Any:
    """The API's one error contract (``#/components/schemas/Error``): problems under ``errors``."""
    errors = details or [{"pointer": "", "message": message, "code": code}]
    return jsonify({"error": {"code": code, "message": message, "errors": errors}}), status


@api.post("/<form_name>")
def file(form_name: str) -> Any:
    """File an intake form of the public face (``complaints`` files the form named ``complaint``)."""
    portal = declaration("public")
    form = portal.form(form_name) or portal.form(form_name.removesuffix("s"))
    if form is None:
        return _error(404, "not_found", "没有这个表单")
    body = _body()
    if not isinstance(body, dict):
        return body
    refused = _unknown(body, set(form.fields))
    if refused is not None:
        return refused
    try:
        record = file_intake(platform(), form, body, (), request.remote_addr or "")
    except RecordValidationError as exc:
        return _error(exc.http_status, exc.code, "记录有不合规的字段", exc.details())
    except RequestRefused as exc:
        return _error(exc.http_status, exc.code, str(exc), exc.details())
    code = record.get(form.tracking or "")
    response = jsonify({"tracking_code": code, "track_url": f"/track/{code}"})
    response.status_code = 201
    return response


@api.get("/track/<code>")
def track(code: str) -> Any:
    if not lookups.allow(platform().engine, request.remote_addr or ""):
        return _error(429, "portal.rate_limited", "查询过于频繁，请一分钟后再试")
    try:
        status = progress(platform(), declaration("public"), code)
    except NotFound as exc:
        return _error(404, "not_found", str(exc))
    status.pop("shown", None)  # the page's display texts; machines read "record"
    return jsonify(status)


def _body() -> dict[str, Any] | Any:
    """The JSON object of the request, or the 422 answer to send instead."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(
            422, "record.invalid", "请求体应为 JSON 对象", [{"pointer": "", "message": "请求体应为 JSON 对象", "code": "type"}]
        )
    return body


def _unknown(body: dict[str, Any], allowed: set[str]) -> Any:
    unknown = sorted(set(body) - allowed)
    details = [{"pointer": f"/{name}", "message": "不接受此字段", "code": "additionalProperties"} for name in unknown]
    return _error(422, "record.invalid", "记录有不合规的字段", details) if unknown else None


@api.post("/comment/<form_name>/<int:record_id>")
def comment(form_name: str, record_id: int) -> Any:
    """Comment on a published, still open 意见征集 (the form that ``answers`` it); 201 when received."""
    form = declaration("public").form(form_name)
    if form is None or not form.answers:
        return _error(404, "not_found", "没有这个表单")
    body = _body()
    if not isinstance(body, dict):
        return body
    refused = _unknown(body, set(form.fields) - {form.answers["field"]})
    if refused is not None:
        return refused
    try:
        record = file_intake(platform(), form, {**body, form.answers["field"]: record_id}, (), request.remote_addr or "")
    except RecordValidationError as exc:
        return _error(exc.http_status, exc.code, "记录有不合规的字段", exc.details())
    except RequestRefused as exc:
        return _error(exc.http_status, exc.code, str(exc), exc.details())
    response = jsonify({"received": True, "received_at": record.get("received_at")})
    response.status_code = 201
    return response


def _chosen(answers: Any) -> dict[int, list[str]] | None:
    """``{"0": [1], "1": [0, 2]}`` (question index → option indexes) as the survey module takes it."""
    if not isinstance(answers, dict) or not all(isinstance(k, str) and k.isdigit() for k in answers):
        return None
    chosen: dict[int, list[str]] = {}
    for key, options in answers.items():
        if not isinstance(options, list) or not all(isinstance(o, int) and not isinstance(o, bool) for o in options):
            return None
        chosen[int(key)] = [str(o) for o in options]
    return chosen


@api.post("/survey/<name>/<int:record_id>")
def survey_answer(name: str, record_id: int) -> Any:
    """Answer a published, open 网上调查 once per ``voter`` (the calling site's own visitor id)."""
    survey = declaration("public").survey(name)
    if survey is None:
        return _error(404, "not_found", "没有这个调查")
    body = _body()
    if not isinstance(body, dict):
        return body
    refused = _unknown(body, {"voter", "answers"})
    if refused is not None:
        return refused
    details = []
    voter = body.get("voter")
    if not isinstance(voter, str) or not 8 <= len(voter) <= API_VOTER_MAX:
        details.append({"pointer": "/voter", "message": f"应为 8–{API_VOTER_MAX} 个字符的访客标识", "code": "type"})
    chosen = _chosen(body.get("answers"))
    if chosen is None:
        details.append({"pointer": "/answers", "message": "应为「题号 → 选项序号列表」的对象", "code": "type"})
    if details or chosen is None:
        return _error(422, "record.invalid", "记录有不合规的字段", details)
    address = request.remote_addr or ""
    try:  # a client's visitor ids are its own: they never match a cookie or a user of the pages
        surveys.answer(platform(), survey, record_id, chosen, f"api:{address}:{voter}", address)
    except NotFound as exc:
        return _error(404, "not_found", str(exc))
    except RecordValidationError as exc:
        return _error(exc.http_status, exc.code, "记录有不合规的字段", exc.details())
    except RequestRefused as exc:
        return _error(exc.http_status, exc.code, str(exc), exc.details())
    response = jsonify({"received": True})
    response.status_code = 201
    return response
