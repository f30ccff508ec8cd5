"""The public face's pages: home, columns, articles, feeds, 在线举报, progress, 好差评, search."""

from __future__ import annotations

from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, g, jsonify, make_response, redirect, render_template, request, session, url_for

from anjian.errors import NotFound, RecordValidationError, RequestRefused

from .. import captcha
from ..content import column_page, moment, public_record
from ..guide import guide_of, guides
from ..intake import Upload, file_intake
from ..limits import SharedWindow
from ..search import search as full_text
from ..text import rich_text
from ..tracking import RATING_LEVELS, normalise_code, progress, rate
from ..web import PACKAGE, PREF_COOKIE, declaration, page_cache, platform, prefs, signed_in, visitor

__all__ = ["lookups", "public"]

public = Blueprint(
    "anjian_portal_public",
    __name__,
    template_folder=str(PACKAGE / "templates"),
    static_folder=str(PACKAGE / "static"),
    static_url_path="/portal/static",
)
lookups = SharedWindow("track", limit=30, seconds=60)
DONE = "anjian_portal_code"


def _render(template: str, **context: Any) -> str:
    portal = declaration("public")
    return render_template(template, portal=portal, prefs=prefs(), signed_in=signed_in(), rich_text=rich_text, **context)


def _address() -> str:
    return request.remote_addr or ""


@public.after_app_request
def _cache_headers(response: Response) -> Response:
    """Anonymous reading pages may be kept a minute by browsers and proxies; the face's other pages never."""
    endpoint = request.endpoint or ""
    shareable = endpoint in CACHEABLE and not g.get("anjian_portal_no_cache")
    if request.method == "GET" and response.status_code == 200 and not signed_in() and shareable:
        response.headers["Cache-Control"] = "public, max-age=60"
    elif endpoint.startswith("anjian_portal_public.") and endpoint != "anjian_portal_public.static":
        response.headers["Cache-Control"] = "no-store"
    return response


@public.route("/public/")
def home() -> Any:
    portal = declaration("public")
    visitor_ = visitor()

    def build() -> str:
        blocks = []
        for block in portal.blocks:
            items: list[dict[str, Any]] = []
            if block.kind == "column" and block.column:
                column = portal.column(block.column)
                if column is not None:
                    items = column_page(platform(), column, visitor_, 1, block.limit)["items"]
            blocks.append({"spec": block, "items": items})
        return _render("portals/public_home.html", blocks=blocks)

    return page_cache().get(build, (c.entity for c in portal.columns))


@public.route("/column/<name>")
def column(name: str) -> Any:
    portal = declaration("public")
    spec = portal.column(name) or abort(404)
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))

    def build() -> str:
        result = column_page(platform(), spec, visitor(), page, 20)
        return _render("portals/public_column.html", column=spec, result=result)

    return page_cache().get(build, [spec.entity])


@public.route("/article/<entity>/<int:record_id>")
def article(entity: str, record_id: int) -> Any:
    portal = declaration("public")
    if not any(c.entity == entity for c in portal.columns):
        abort(404)
    from .interaction import commenting_form, consultation_page, survey_page

    survey = next((s for s in portal.surveys if s.entity == entity), None)
    if survey is not None:
        return survey_page(survey, record_id)
    form = commenting_form(portal, entity)
    if form is not None:
        return consultation_page(portal, form, record_id)

    def build() -> str:
        try:
            record = public_record(platform(), portal, entity, record_id, visitor())
        except NotFound:
            abort(404)
        spec = platform().registry.entity(entity)
        ids = [i for f in spec.fields if f.attachment is not None and f.name in record for i in (record[f.name] or [])]
        files = platform().files.describe(ids)
        return _render("portals/public_article.html", record=record, spec=spec, files=files)

    return page_cache().get(build, [entity])


@public.route("/portal/files/<file_id>")
def public_file(file_id: str) -> Any:
    """An attachment of a published record's public field (others are 404, as if absent)."""
    store = platform().files
    try:
        row = store.readable(file_id, visitor(), platform().registry, platform().access)
    except Exception:
        abort(404)
    spec = platform().registry.entity(row["entity"])
    if not spec.public or row["field"] not in spec.public.fields:
        abort(404)
    from flask import send_file

    from anjian.data.files import content_disposition

    response = send_file(store.path(file_id), mimetype=row["content_type"], conditional=True)
    response.headers["Content-Disposition"] = content_disposition(row["name"]).replace("attachment", "inline", 1)
    return response


@public.route("/column/<name>.json")
def column_json(name: str) -> Any:
    spec = declaration("public").column(name) or abort(404)
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    result = column_page(platform(), spec, visitor(), page, 20)
    return jsonify({"column": spec.name, "title": spec.title, **result})


@public.route("/column/<name>.rss")
def column_rss(name: str) -> Any:
    portal = declaration("public")
    spec = portal.column(name) or abort(404)
    items = column_page(platform(), spec, visitor(), 1, 30)["items"]
    link = url_for(".column", name=name, _external=True)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(portal.title)} · {escape(spec.title)}</title><link>{escape(link)}</link>",
        f"<description>{escape(spec.description or spec.title)}</description><language>zh-cn</language>",
    ]
    for item in items:
        url = url_for(".article", entity=spec.entity, record_id=item["id"], _external=True)
        when = moment(item.get("published_at"))
        parts.append(
            "<item>"
            f"<title>{escape(str(item.get('title') or ''))}</title><link>{escape(url)}</link><guid>{escape(url)}</guid>"
            f"<description>{escape(str(item.get('summary') or ''))}</description>"
            + (f"<pubDate>{format_datetime(when)}</pubDate>" if when and when.tzinfo else "")
            + "</item>"
        )
    parts.append("</channel></rss>")
    return Response("".join(parts), mimetype="application/rss+xml")


@public.route("/report/<name>", methods=["GET", "POST"])
def report(name: str) -> Any:
    portal = declaration("public")
    form = portal.form(name) or abort(404)
    if form.answers:  # comments are filed on the page of the record they answer
        abort(404)
    spec = platform().registry.entity(form.entity)
    key = platform().settings.signing_key().encode()
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in form.fields}
        if not captcha.solved(
            key,
            request.form.get("captcha", ""),
            request.form.get("captcha_nonce", ""),
            request.form.get("captcha_expires", ""),
            request.form.get("captcha_mac", ""),
        ):
            errors["captcha"] = "验证题答案不正确或已过期，请重新作答"
            status = 422
        else:
            uploads = [Upload(f.filename or "", f.mimetype or "", f.stream) for f in request.files.getlist("files")]
            try:
                record = file_intake(platform(), form, values, uploads, _address())
            except RecordValidationError as exc:
                for error in exc.errors:
                    errors[error.pointer.strip("/").split("/")[0] or "form"] = error.message
                status = 422
            except RequestRefused as exc:
                errors["form"] = str(exc)
                status = exc.http_status
            else:
                session[DONE] = str(record.get(form.tracking or "") or "")
                return redirect(url_for(".report_done", name=name), code=303)
    challenge = captcha.new_challenge(key)
    html = _render("portals/public_report.html", form=form, spec=spec, values=values, errors=errors, challenge=challenge)
    return html, status


@public.route("/report/<name>/done")
def report_done(name: str) -> Any:
    form = declaration("public").form(name) or abort(404)
    code = session.pop(DONE, None)
    if not code:
        return redirect(url_for(".report", name=name))
    return _render("portals/public_report_done.html", form=form, code=code)


@public.route("/track", methods=["GET"])
def track_lookup() -> Any:
    code = request.args.get("code", "")
    if code:
        return redirect(url_for(".track", code=normalise_code(code)), code=303)
    return _render("portals/public_track.html", status=None, error=None, code="")


@public.route("/track/<code>", methods=["GET"])
def track(code: str) -> Any:
    if not lookups.allow(platform().engine, _address()):
        return _render("portals/public_track.html", status=None, error="查询过于频繁，请一分钟后再试", code=code), 429
    try:
        status = progress(platform(), declaration("public"), code)
    except NotFound as exc:
        return _render("portals/public_track.html", status=None, error=str(exc), code=code), 404
    from .accounts import activation_offer

    offer = activation_offer(code)
    return _render("portals/public_track.html", status=status, error=None, code=code, levels=RATING_LEVELS, activation=offer)


@public.route("/track/<code>/rate", methods=["POST"])
def track_rate(code: str) -> Any:
    if not lookups.allow(platform().engine, _address()):
        abort(429)
    try:
        rate(platform(), declaration("public"), code, request.form.get("level", ""), request.form.get("comment", ""), _address())
    except NotFound:
        abort(404)
    except RecordValidationError as exc:
        status = progress(platform(), declaration("public"), code)
        error = "；".join(e.message for e in exc.errors)
        return _render("portals/public_track.html", status=status, error=error, code=code, levels=RATING_LEVELS), 422
    return redirect(url_for(".track", code=normalise_code(code)), code=303)


@public.route("/guide/")
def guide_list() -> Any:
    portal = declaration("public")
    return page_cache().get(lambda: _render("portals/public_guides.html", guides=guides(platform(), portal)))


@public.route("/guide/<name>")
def guide(name: str) -> Any:
    form = declaration("public").form(name) or abort(404)
    return page_cache().get(lambda: _render("portals/public_guide.html", form=form, guide=guide_of(platform(), form)))


@public.route("/search")
def search() -> Any:
    query = request.args.get("q", "").strip()[:100]
    portal = declaration("public")
    hits = full_text(platform(), portal, query, visitor()) if query else []
    return _render("portals/public_search.html", query=query, hits=hits)


@public.route("/prefs")
def set_prefs() -> Any:
    """Switch 大字版 / 高对比 with plain links (no JavaScript needed); back to the page the reader was on."""
    chosen = prefs()
    for name in ("large", "contrast"):
        if request.args.get(name) == "1":
            chosen.add(name)
        elif request.args.get(name) == "0":
            chosen.discard(name)
    back = request.args.get("back", "/")
    response = make_response(redirect(back if back.startswith("/") and not back.startswith("//") else "/", code=303))
    response.set_cookie(PREF_COOKIE, "-".join(sorted(chosen)), max_age=365 * 86400, samesite="Lax", httponly=True)
    return response


CACHEABLE = {
    "anjian_portal_public.home",
    "anjian_portal_public.column",
    "anjian_portal_public.article",
    "anjian_portal_public.column_rss",
    "anjian_portal_public.column_json",
    "HomeView.index",
}
