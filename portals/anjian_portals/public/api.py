"""The public face's API for machines and the county's own portal site (no account, no CSRF).

``POST /api/v1/public/complaints`` files the public face's ``complaint`` form from JSON and
answers 201 with the tracking code; ``GET /api/v1/public/track/<code>`` answers the state, the
timeline and the deadlines, with no personal data. Errors follow the API's contract (422 with
field errors, 429 when an address files too often, 404 for an unknown code).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from anjian.errors import NotFound, RecordValidationError, RequestRefused

from ..intake import file_intake
from ..tracking import progress
from ..web import declaration, platform
from .views import lookups

__all__ = ["api"]

api = Blueprint("anjian_portal_api", __name__, url_prefix="/api/v1/public")


def _error(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> Any:
    return jsonify({"error": {"code": code, "message": message, "details": details or []}}), status


@api.post("/<form_name>")
def file(form_name: str) -> Any:
    """File an intake form of the public face (``complaints`` files the form named ``complaint``)."""
    portal = declaration("public")
    form = portal.form(form_name) or portal.form(form_name.removesuffix("s"))
    if form is None:
        return _error(404, "not_found", "没有这个表单")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(
            422, "record.invalid", "请求体应为 JSON 对象", [{"pointer": "", "message": "请求体应为 JSON 对象", "code": "type"}]
        )
    unknown = sorted(set(body) - set(form.fields))
    if unknown:
        details = [{"pointer": f"/{name}", "message": "不接受此字段", "code": "additionalProperties"} for name in unknown]
        return _error(422, "record.invalid", "记录有不合规的字段", details)
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
