"""Public accounts: registration with an e-mail address verified by a link, and 忘记密码 by e-mail.

Nothing is created until the link in the e-mail is followed: the request keeps the name and the
password's hash in a single-use, expiring token (``anjian_portals.tokens``). Both requests answer
the same page whether the address is known or not (no account enumeration); the mail itself tells
the owner of the address what happened. Both are limited per address and per e-mail address in
the portal's shared hit table, so the limit holds across processes. Registered users are public
(公众) accounts of the declaration's region: they read what is published, like visitors.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

from flask import current_app, g, has_request_context, render_template, request, url_for
from werkzeug.security import generate_password_hash

from anjian.audit import Actor
from anjian.errors import AnjianError, NotFound, RecordValidationError

from .. import captcha
from ..limits import SharedWindow
from ..mail import MailFailed, mail_configured, send_mail
from ..outbox import ACTIVATE, ActivationOutbox, activation_mail, deliver, owed
from ..text import rich_text
from ..tokens import issue, peek, redeem
from ..web import declaration, platform, prefs, signed_in
from .views import public

__all__ = ["EMAIL", "REGISTER_ACTOR"]

EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
REGISTER_ACTOR = "@portal-register"  # reserved name: who creates self-registered accounts
VERIFY, RESET = "verify", "reset"
RETRY_SECONDS = 60.0  # how often a web process looks for activation mail a failed send left owed
by_address = SharedWindow("account-address", limit=10, seconds=3600)
by_email = SharedWindow("account-email", limit=3, seconds=3600)
SAME_ANSWER = "如果该邮箱地址可以使用，我们已向它发送了一封邮件，请按邮件中的链接继续。没有收到时请检查垃圾邮件，或稍后再试。"


def _settings(name: str, default: int) -> int:
    return int(declaration("public").accounts.get(name, default))


def _page(template: str, status: int = 200, **context: Any) -> Any:
    from flask import g

    g.anjian_portal_no_cache = True
    html = render_template(
        template, portal=declaration("public"), prefs=prefs(), signed_in=signed_in(), rich_text=rich_text, **context
    )
    return html, status


def _challenge() -> captcha.Challenge:
    return captcha.new_challenge(platform().settings.signing_key().encode())


def _captcha_ok() -> bool:
    f = request.form
    key = platform().settings.signing_key().encode()
    return captcha.solved(
        key, f.get("captcha", ""), f.get("captcha_nonce", ""), f.get("captcha_expires", ""), f.get("captcha_mac", "")
    )


def _sm() -> Any:
    return current_app.appbuilder.sm  # type: ignore[attr-defined]  # set by AppBuilder


def _known(email: str) -> Any:
    sm = _sm()
    return sm.find_user(email=email) or sm.find_user(username=email)


def _limited(email: str) -> bool:
    engine = platform().engine
    return not (by_address.allow(engine, request.remote_addr or "") and by_email.allow(engine, email.lower()))


def _password_errors(username: str, password: str, again: str) -> dict[str, str]:
    if password != again:
        return {"password_again": "两次输入的密码不一致"}
    try:
        _sm().check_password(username, password)
    except RecordValidationError as exc:
        return {"password": "；".join(e.message for e in exc.errors)}
    return {}


def _mail(to: str, subject: str, body: str) -> None:
    send_mail(platform().settings, to, subject, body)


LABELS = {"name": "姓名", "email": "电子邮箱", "password": "密码", "password_again": "确认密码", "form": "提交"}


@public.route("/register", methods=["GET", "POST"])
def register() -> Any:
    if not mail_configured(platform().settings) or not declaration("public").accounts:
        return _page("portals/public_message.html", 503, title="公众注册", message="本平台尚未配置邮件服务，暂不开放在线注册。")
    values = {k: request.form.get(k, "").strip() for k in ("name", "email")}
    if request.method == "GET":
        return _page("portals/public_register.html", values=values, errors={}, labels=LABELS, challenge=_challenge())
    errors: dict[str, str] = {}
    email = values["email"].lower()
    if not 2 <= len(values["name"]) <= 50:
        errors["name"] = "请填写 2–50 个字的姓名"
    if not EMAIL.match(email):
        errors["email"] = "请填写有效的电子邮箱地址"
    password = request.form.get("password", "")
    # The policy is asked for a new user's password even when the address is taken (its history
    # would otherwise tell a known address by a different answer).
    errors |= _password_errors("@new-user", password, request.form.get("password_again", ""))
    if not _captcha_ok():
        errors["captcha"] = "验证题答案不正确或已过期，请重新作答"
    if errors:
        return _page("portals/public_register.html", 422, values=values, errors=errors, labels=LABELS, challenge=_challenge())
    if _limited(email):
        errors["form"] = "提交过于频繁，请一小时后再试"
        return _page("portals/public_register.html", 429, values=values, errors=errors, labels=LABELS, challenge=_challenge())
    portal = declaration("public")
    try:
        if _known(email) is not None:
            _mail(
                email,
                f"{portal.title}：注册提醒",
                f"有人用本邮箱申请注册{portal.title}。本邮箱已经注册过；"
                f"如忘记密码，请访问 {url_for('.forgot', _external=True)} 重设。\n如非本人操作，请忽略本邮件。",
            )
        else:
            method = current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt")
            payload = {"name": values["name"], "hash": generate_password_hash(password, method=method)}
            hours = _settings("verify_hours", 24)
            token = issue(platform().engine, VERIFY, email, payload, dt.timedelta(hours=hours))
            link = url_for(".register_confirm", token=token, _external=True)
            _mail(
                email,
                f"{portal.title}：请验证邮箱完成注册",
                f"{values['name']}，您好：\n\n请在 {hours} 小时内打开以下链接完成注册（链接只能使用一次）：\n{link}\n\n"
                "如非本人操作，请忽略本邮件。",
            )
    except MailFailed:
        errors["form"] = "邮件发送失败，请稍后再试"
        return _page("portals/public_register.html", 503, values=values, errors=errors, labels=LABELS, challenge=_challenge())
    return _page("portals/public_message.html", title="公众注册", message=SAME_ANSWER)


@public.route("/register/confirm/<token>")
def register_confirm(token: str) -> Any:
    invalid = "链接无效、已使用或已过期。请重新注册。"
    used = redeem(platform().engine, VERIFY, token[:100])
    if used is None:
        return _page("portals/public_message.html", 404, title="公众注册", message=invalid)
    email, payload = used
    sm = _sm()
    if _known(email) is not None:
        return _page("portals/public_message.html", title="公众注册", message="该邮箱已经注册，请直接登录。", login=True)
    user = sm.add_user(email, payload["name"], "", email, sm.find_role(sm.auth_role_public), hashed_password=payload["hash"])
    if not user:
        return _page("portals/public_message.html", 500, title="公众注册", message="无法创建账号，请稍后再试。")
    sm.session.commit()
    region = str(declaration("public").accounts["region"])
    try:
        platform().access.save_account(Actor.system(REGISTER_ACTOR), email, "public", region)
    except AnjianError:
        sm.session.delete(user)  # no login without its account
        sm.session.commit()
        raise
    return _page("portals/public_message.html", title="公众注册", message="注册成功，邮箱已验证。现在可以登录了。", login=True)


@public.route("/password/forgot", methods=["GET", "POST"])
def forgot() -> Any:
    if not mail_configured(platform().settings) or not declaration("public").accounts:
        return _page(
            "portals/public_message.html", 503, title="忘记密码", message="本平台尚未配置邮件服务，请联系系统管理员重设密码。"
        )
    values = {"email": request.form.get("email", "").strip()}
    if request.method == "GET":
        return _page("portals/public_forgot.html", values=values, errors={}, labels=LABELS, challenge=_challenge())
    email = values["email"].lower()
    errors: dict[str, str] = {}
    if not EMAIL.match(email):
        errors["email"] = "请填写有效的电子邮箱地址"
    if not _captcha_ok():
        errors["captcha"] = "验证题答案不正确或已过期，请重新作答"
    if errors:
        return _page("portals/public_forgot.html", 422, values=values, errors=errors, labels=LABELS, challenge=_challenge())
    if _limited(email):
        errors["form"] = "提交过于频繁，请一小时后再试"
        return _page("portals/public_forgot.html", 429, values=values, errors=errors, labels=LABELS, challenge=_challenge())
    user = _known(email)
    if user is not None and user.active:
        minutes = _settings("reset_minutes", 30)
        token = issue(platform().engine, RESET, email, {"username": user.username}, dt.timedelta(minutes=minutes))
        link = url_for(".password_reset", token=token, _external=True)
        portal = declaration("public")
        try:
            _mail(
                email,
                f"{portal.title}：重设密码",
                f"您好：\n\n请在 {minutes} 分钟内打开以下链接重设密码（链接只能使用一次）：\n{link}\n\n"
                "如非本人操作，请忽略本邮件，您的密码不会改变。",
            )
        except MailFailed:
            pass  # the same answer either way; the failure is in the server log of the SMTP client
    return _page("portals/public_message.html", title="忘记密码", message=SAME_ANSWER)


@public.route("/password/reset/<token>", methods=["GET", "POST"])
def password_reset(token: str) -> Any:
    token = token[:100]
    invalid = "链接无效、已使用或已过期。请重新申请重设密码。"
    live = peek(platform().engine, RESET, token)
    if live is None:
        return _page("portals/public_message.html", 404, title="重设密码", message=invalid)
    username = str(live[1]["username"])
    if request.method == "GET":
        return _page("portals/public_reset.html", errors={}, labels=LABELS, token=token)
    errors = _password_errors(username, request.form.get("password", ""), request.form.get("password_again", ""))
    if errors:
        return _page("portals/public_reset.html", 422, errors=errors, labels=LABELS, token=token)
    if redeem(platform().engine, RESET, token) is None:  # used meanwhile (another tab, another process)
        return _page("portals/public_message.html", 404, title="重设密码", message=invalid)
    sm = _sm()
    user = sm.find_user(username=username)
    if user is None or not user.active:
        return _page("portals/public_message.html", 404, title="重设密码", message=invalid)
    sm.reset_password(user.id, request.form.get("password", ""))
    sm.session.commit()
    return _page("portals/public_message.html", title="重设密码", message="密码已重设，请用新密码登录。", login=True)


# ---- enterprise accounts: an approved request (found by its tracking code) opens an account ------


def _activation_minutes() -> int:
    return _settings("reset_minutes", 30) * 2


@public.before_app_request
def _activation_outbox() -> None:
    """Listen for approvals in this application's record service (once): they owe an activation mail."""
    if "anjian_portal_outbox" not in current_app.extensions:

        def owed() -> None:
            if has_request_context():
                g.anjian_portal_mail_owed = True

        listener = ActivationOutbox(platform(), owed)
        if current_app.extensions.setdefault("anjian_portal_outbox", listener) is listener:
            platform().records.listeners.append(listener)


@public.after_app_request
def _deliver_owed_mail(response: Any) -> Any:
    """After a request that approved a request (and committed), send the mail once the answer is out;
    at most every ``RETRY_SECONDS`` any request of this process also retries mail still owed."""
    if platform().registry.catalog.portal_of("public") is None:
        return response
    if not g.get("anjian_portal_mail_owed"):
        now = time.monotonic()
        if now - current_app.extensions.get("anjian_portal_outbox_checked", 0.0) < RETRY_SECONDS:
            return response
        current_app.extensions["anjian_portal_outbox_checked"] = now
        if not mail_configured(platform().settings) or not owed(platform().engine):
            return response
    p = platform()
    minutes = _activation_minutes()
    template = url_for("anjian_portal_public.enterprise_account_confirm", token="TOKEN", _external=True)
    logger = current_app.logger

    def send() -> None:
        try:
            deliver(p, lambda token: template.replace("TOKEN", token), minutes)
        except Exception:  # the outbox keeps the row; the progress page's button is the fallback
            logger.exception("could not deliver the portal's owed mail")

    response.call_on_close(send)
    return response


def _mask_email(email: str) -> str:
    name, _, domain = email.partition("@")
    return f"{name[:1]}***@{domain}"


def approved_request(code: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(declaration's enterprise settings, request record) of an approved request, else None."""
    from ..tracking import find

    settings = declaration("public").accounts.get("enterprise")
    if not settings:
        return None
    portal = declaration("public")
    try:
        form, record_id = find(platform(), portal, code)
    except NotFound:
        return None
    if form.name != settings["form"]:
        return None
    p = platform()
    spec = p.registry.entity(form.entity)
    with p.engine.connect() as conn:
        inst = p.workflow.instance(conn, spec.name, record_id)
        if inst is None or inst["state"] != settings["state"]:
            return None
        record = p.reader.fetch(conn, spec, record_id)
    return dict(settings), record


def activation_offer(code: str) -> str | None:
    """For the progress page: the masked address an activation link would go to (None: nothing to offer)."""
    found = approved_request(code)
    if found is None:
        return None
    settings, record = found
    email = str(record.get(settings["email"]) or "").lower()
    if not email or platform().access.account(email) is not None:
        return None
    return _mask_email(email)


@public.post("/track/<code>/activate")
def enterprise_activate(code: str) -> Any:
    title = "开通企业账号"
    if not mail_configured(platform().settings):
        return _page("portals/public_message.html", 503, title=title, message="本平台尚未配置邮件服务，请联系审核机关开通账号。")
    if not by_address.allow(platform().engine, request.remote_addr or ""):
        return _page("portals/public_message.html", 429, title=title, message="提交过于频繁，请一小时后再试。")
    found = approved_request(code)
    if found is None:
        return _page("portals/public_message.html", 404, title=title, message="没有可开通账号的已批准申请。")
    settings, record = found
    email = str(record.get(settings["email"]) or "").lower()
    if platform().access.account(email) is not None:
        return _page("portals/public_message.html", title=title, message="账号已开通，请登录。", login=True)
    minutes = _activation_minutes()
    token = issue(platform().engine, ACTIVATE, email, {"id": record["id"]}, dt.timedelta(minutes=minutes))
    link = url_for(".enterprise_account_confirm", token=token, _external=True)
    try:
        _mail(email, *activation_mail(declaration("public").title, record, link, minutes))
    except MailFailed:
        return _page("portals/public_message.html", 503, title=title, message="邮件发送失败，请稍后再试。")
    return _page(
        "portals/public_message.html",
        title=title,
        message=f"开通链接已发送到申请时填写的邮箱 {_mask_email(email)}，请按邮件中的链接设置密码。",
    )


@public.route("/enterprise/activate/<token>", methods=["GET", "POST"])
def enterprise_account_confirm(token: str) -> Any:
    title = "开通企业账号"
    token = token[:100]
    invalid = "链接无效、已使用或已过期。请在进度查询页重新获取开通链接。"
    live = peek(platform().engine, ACTIVATE, token)
    if live is None:
        return _page("portals/public_message.html", 404, title=title, message=invalid)
    email = live[0]
    action = url_for(".enterprise_account_confirm", token=token)
    if request.method == "GET":
        return _page(
            "portals/public_reset.html", errors={}, labels=LABELS, token=token, action=action, heading=title, login_name=email
        )
    password = request.form.get("password", "")
    errors = _password_errors(email, password, request.form.get("password_again", ""))
    if errors:
        return _page(
            "portals/public_reset.html",
            422,
            errors=errors,
            labels=LABELS,
            token=token,
            action=action,
            heading=title,
            login_name=email,
        )
    used = redeem(platform().engine, ACTIVATE, token)
    if used is None:
        return _page("portals/public_message.html", 404, title=title, message=invalid)
    found = approved_request(_code_of(int(used[1]["id"])))
    if found is None:
        return _page("portals/public_message.html", 404, title=title, message=invalid)
    settings, record = found
    if _known(email) is not None or platform().access.account(email) is not None:
        return _page(
            "portals/public_message.html",
            title=title,
            message="该邮箱已有账号，请直接登录；如需绑定企业请联系审核机关。",
            login=True,
        )
    sm = _sm()
    user = sm.add_user(
        email, str(record.get("applicant_name") or email), "", email, sm.find_role(sm.auth_role_public), password=password
    )
    if not user:
        return _page("portals/public_message.html", 500, title=title, message="无法创建账号，请稍后再试。")
    sm.session.commit()
    actor = Actor.system(REGISTER_ACTOR)
    region = str(record["region_code"])
    try:
        platform().access.save_account(
            actor,
            email,
            "enterprise",
            region,
            org_name=str(record.get("enterprise_name") or ""),
            enterprise_id=int(record["enterprise_id"]),
        )
        platform().access.add_grant(actor, email, str(settings["role"]), region)
    except AnjianError:
        sm.session.delete(user)  # no login without its account
        sm.session.commit()
        raise
    return _page("portals/public_message.html", title=title, message="企业账号已开通，登录名为本邮箱地址。", login=True)


def _code_of(record_id: int) -> str:
    settings = declaration("public").accounts["enterprise"]
    form = declaration("public").form(settings["form"])
    p = platform()
    assert form is not None and form.tracking
    table = p.registry.table(form.entity)
    from sqlalchemy import select

    with p.engine.connect() as conn:
        return str(conn.execute(select(table.c[form.tracking]).where(table.c.id == record_id)).scalar_one())
