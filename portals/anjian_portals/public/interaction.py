"""互动交流 pages: 意见征集 (comments until the closing date, then the published summary) and 网上调查
(one answer per visitor, results after closing). Both are published records of a column; the article
route hands their pages to the functions here."""

from __future__ import annotations

import secrets
from typing import Any

from flask import abort, g, redirect, render_template, request, session, url_for
from flask_login import current_user

from anjian.audit import Actor
from anjian.errors import NotFound, RecordValidationError, RequestRefused
from anjian.meta.portal_spec import IntakeSpec, PortalSpec, SurveySpec

from .. import captcha
from .. import survey as surveys
from ..content import visible
from ..intake import closing_moment, file_intake
from ..text import rich_text
from ..web import declaration, platform, prefs, signed_in
from .views import public

__all__ = ["commenting_form", "consultation_page", "survey_page"]

VOTER_COOKIE = "anjian_voter"
SENT = "anjian_portal_sent"


def commenting_form(portal: PortalSpec, entity: str) -> IntakeSpec | None:
    """The intake form that comments on records of ``entity`` (意见征集), if one is declared."""
    for form in portal.intake:
        if form.answers:
            link = platform().registry.entity(form.entity).field(form.answers["field"]).link
            if link == entity:
                return form
    return None


def _page(template: str, status: int = 200, **context: Any) -> Any:
    g.anjian_portal_no_cache = True  # the page carries a CSRF token and a captcha: never shared
    html = render_template(
        template, portal=declaration("public"), prefs=prefs(), signed_in=signed_in(), rich_text=rich_text, **context
    )
    return html, status


def _key() -> bytes:
    return platform().settings.signing_key().encode()


def _captcha_ok() -> bool:
    f = request.form
    return captcha.solved(
        _key(), f.get("captcha", ""), f.get("captcha_nonce", ""), f.get("captcha_expires", ""), f.get("captcha_mac", "")
    )


def consultation_page(
    portal: PortalSpec,
    form: IntakeSpec,
    record_id: int,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Any:
    target = platform().registry.entity(platform().registry.entity(form.entity).field(form.answers["field"]).link or "")
    address = request.remote_addr or ""
    found = visible(platform(), target, Actor.visitor(address), [record_id])
    if record_id not in found:
        abort(404)
    record = found[record_id]
    try:
        closing_moment(platform(), form, record_id, address)
        is_open = True
    except RecordValidationError:
        is_open = False
    ids = [i for f in target.fields if f.attachment is not None and f.name in record for i in (record[f.name] or [])]
    spec = platform().registry.entity(form.entity)
    return _page(
        "portals/public_consultation.html",
        status,
        record=record,
        form=form,
        spec=spec,
        is_open=is_open,
        files=platform().files.describe(ids),
        values=values or {},
        errors=errors or {},
        labels={f.name: f.title for f in spec.fields},
        challenge=captcha.new_challenge(_key()),
        sent=session.pop(SENT, None) == f"{form.name}:{record_id}",
    )


@public.post("/comment/<form_name>/<int:record_id>")
def comment(form_name: str, record_id: int) -> Any:
    portal = declaration("public")
    form = portal.form(form_name)
    if form is None or not form.answers:
        abort(404)
    values = {k: request.form.get(k, "") for k in form.fields if k != form.answers["field"]}
    errors: dict[str, str] = {}
    if not _captcha_ok():
        return consultation_page(portal, form, record_id, values, {"captcha": "验证题答案不正确或已过期，请重新作答"}, 422)
    try:
        file_intake(platform(), form, {**values, form.answers["field"]: str(record_id)}, [], request.remote_addr or "")
    except RecordValidationError as exc:
        for error in exc.errors:
            errors[error.pointer.strip("/").split("/")[0] or "form"] = error.message
        return consultation_page(portal, form, record_id, values, errors, 422)
    except RequestRefused as exc:
        return consultation_page(portal, form, record_id, values, {"form": str(exc)}, exc.http_status)
    session[SENT] = f"{form.name}:{record_id}"
    target = platform().registry.entity(form.entity).field(form.answers["field"]).link
    return redirect(url_for(".article", entity=target, record_id=record_id), code=303)


def _voter() -> str:
    """The visitor answering: the signed-in user, else a random id kept in a cookie."""
    if signed_in():
        return f"user:{current_user.username}"
    voter = request.cookies.get(VOTER_COOKIE, "")
    if len(voter) < 16:
        voter = g.get("anjian_new_voter") or secrets.token_urlsafe(18)
        g.anjian_new_voter = voter
    return f"cookie:{voter}"


def survey_page(
    survey: SurveySpec,
    record_id: int,
    chosen: dict[int, list[str]] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Any:
    address = request.remote_addr or ""
    try:
        record = surveys.read_survey(platform(), survey, record_id, address)
    except NotFound:
        abort(404)
    is_open = not surveys.closed(record, survey)
    voter = _voter()
    done = surveys.answered(platform(), survey, record_id, voter)
    return _page(
        "portals/public_survey.html",
        status,
        record=record,
        survey=survey,
        is_open=is_open,
        done=done,
        results=None if is_open else surveys.results(platform(), survey, record),
        chosen=chosen or {},
        errors=errors or {},
        labels={"survey": "调查"} | {f"{survey.questions}/{i}": f"第 {i + 1} 题" for i in range(30)},
        challenge=captcha.new_challenge(_key()),
        sent=session.pop(SENT, None) == f"{survey.name}:{record_id}",
    )


@public.post("/survey/<name>/<int:record_id>")
def survey_answer(name: str, record_id: int) -> Any:
    survey = declaration("public").survey(name) or abort(404)
    chosen = {int(k[1:]): request.form.getlist(k) for k in request.form if k[:1] == "q" and k[1:].isdigit()}
    if not _captcha_ok():
        return survey_page(survey, record_id, chosen, {"captcha": "验证题答案不正确或已过期，请重新作答"}, 422)
    try:
        surveys.answer(platform(), survey, record_id, chosen, _voter(), request.remote_addr or "")
    except NotFound:
        abort(404)
    except RecordValidationError as exc:
        errors = {e.pointer.strip("/") or "survey": e.message for e in exc.errors}
        return survey_page(survey, record_id, chosen, errors, 422)
    except RequestRefused as exc:
        return survey_page(survey, record_id, chosen, {"survey": str(exc)}, exc.http_status)
    session[SENT] = f"{survey.name}:{record_id}"
    return redirect(url_for(".article", entity=survey.entity, record_id=record_id), code=303)


@public.after_app_request
def _voter_cookie(response: Any) -> Any:
    voter = g.get("anjian_new_voter")
    if voter:
        response.set_cookie(VOTER_COOKIE, voter, max_age=365 * 86400, samesite="Lax", httponly=True)
    return response
