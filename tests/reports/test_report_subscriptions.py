"""Scheduled reports: a user subscribes on the report page; the worker's run delivers it weekly or
monthly to the message centre (and by e-mail as XLSX), each computed with the recipient's own scope.
"""

from __future__ import annotations

import io
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from report_world import ADMIN, TOWN_A, grant
from sqlalchemy import select

from anjian import Actor
from anjian.errors import NotFound, PermissionDenied, RecordValidationError
from anjian.reports import ReportRunner
from anjian.reports.schedules import ReportSchedules, period_key, period_range
from anjian.reports.tables import report_subscription
from anjian.testing.plugin import ADMIN_PASSWORD
from anjian.workflow.tables import notice

REPORT = "hidden_danger_by_region"
ARGS = {"period_from": "2025-01-01", "period_to": "2026-12-31"}
CHIEFS = {"anxi_chief": "350524", "xiamen_chief": "350203"}  # two counties


def schedules(platform, settings=None) -> ReportSchedules:
    runner = ReportRunner(platform.registry, platform.access, platform.engine)
    return ReportSchedules(runner, platform.workflow.notices, settings or platform.settings)


@pytest.fixture
def chiefs(app, published, dangers, clock):
    """Two section chiefs with FAB accounts and e-mail addresses, one per county; Monday 1 June 2026."""
    clock.set_local("2026-06-01 08:00")
    with app.app_context():
        sm = app.appbuilder.sm
        for name, region in CHIEFS.items():
            sm.add_user(name, name, "科长", f"{name}@example.org", sm.find_role(sm.auth_role_public), password=ADMIN_PASSWORD)
            grant(published, name, "hazard_officer", region)
    return published


def found(platform, username):
    """What the report answers the user directly (the reference for a delivery)."""
    runner = ReportRunner(platform.registry, platform.access, platform.engine)
    return runner.run(Actor(username), REPORT, ARGS).totals["found"]


def test_periods():
    import datetime as dt

    wednesday = dt.date(2026, 12, 2)
    assert period_key("weekly", wednesday) == "2026-W49" and period_key("monthly", wednesday) == "2026-12"
    assert period_range("weekly", wednesday) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    assert period_range("monthly", wednesday) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert period_range("monthly", dt.date(2026, 1, 1)) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))


def test_each_recipient_gets_the_figures_of_their_own_scope(chiefs, clock):
    platform = chiefs
    s = schedules(platform)
    for name in CHIEFS:
        s.subscribe(Actor(name), REPORT, ARGS, "weekly", email=False)
    assert s.deliver_due() == 0  # the first delivery comes with the next week
    clock.advance(days=7)
    assert s.deliver_due() == 2
    assert s.deliver_due() == 0  # once per week
    with platform.engine.connect() as conn:
        rows = {r.username: r for r in conn.execute(select(notice).where(notice.c.kind == "report"))}
    anxi, xiamen = found(platform, "anxi_chief"), found(platform, "xiamen_chief")
    assert (anxi, xiamen) == (6, 1)  # the dangers of report_world: six in 安溪县, one in 思明区
    assert f"排查隐患数：{anxi}" in rows["anxi_chief"].body and "安溪县" in rows["anxi_chief"].body
    assert f"排查隐患数：{xiamen}" in rows["xiamen_chief"].body and "思明区" in rows["xiamen_chief"].body
    assert "每周报表" in rows["anxi_chief"].title and rows["anxi_chief"].mailed  # not wanted by e-mail
    clock.advance(days=7)
    assert s.deliver_due() == 2


def test_a_revoked_recipient_gets_nothing(chiefs, clock):
    platform = chiefs
    s = schedules(platform)
    s.subscribe(Actor("anxi_chief"), REPORT, ARGS, "monthly", email=False)
    for item in platform.access.grants()["anxi_chief"]:
        platform.access.revoke_grant(ADMIN, item.id)
    clock.advance(days=31)
    assert s.deliver_due() == 0
    with platform.engine.connect() as conn:
        row = conn.execute(select(report_subscription)).one()
        assert conn.execute(select(notice).where(notice.c.kind == "report")).first() is None
    assert row.last_period == "2026-07" and row.last_error


def test_subscriptions_are_checked_and_private(chiefs):
    platform = chiefs
    s = schedules(platform)
    with pytest.raises(RecordValidationError) as caught:
        s.subscribe(Actor("anxi_chief"), REPORT, {"period_from": "x';drop", "level": "{{7*7}}"}, "hourly", True)
    assert {e.pointer for e in caught.value.errors} == {"/every", "/query/period_from", "/query/level"}
    with pytest.raises(PermissionDenied):
        s.subscribe(Actor("officer"), REPORT, {}, "weekly", True)  # no report grant
    mine = s.subscribe(Actor("anxi_chief"), REPORT, {}, "weekly", True)
    with pytest.raises(NotFound):
        s.unsubscribe(Actor("xiamen_chief"), mine)
    s.unsubscribe(Actor("anxi_chief"), mine)
    assert s.mine(Actor("anxi_chief")) == []


def test_the_report_page_manages_the_users_subscriptions(client, chiefs):
    assert client.post("/login/", data={"username": "anxi_chief", "password": ADMIN_PASSWORD}).status_code in (200, 302)
    page = client.get(f"/reports/{REPORT}").get_data(as_text=True)
    assert 'id="anjian-subscribe-form"' in page and "订阅此报表" in page
    response = client.post(f"/reports/{REPORT}/subscriptions", data={**ARGS, "every": "monthly", "email": "1"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已订阅" in page and 'id="anjian-my-subscriptions"' in page and "每月" in page
    assert "发现日期起：2025-01-01" in page  # the conditions by the titles the page shows
    [row] = schedules(chiefs).mine(Actor("anxi_chief"))
    assert row["parameters"] == ARGS and row["every"] == "monthly" and row["email"]
    plain = client.get(f"/reports/{REPORT}").get_data(as_text=True)  # defaults resolved today are not carried
    form = plain[plain.index('id="anjian-subscribe-form"') :]
    assert 'name="period_from"' not in form[: form.index("</form>")]
    bad = client.post(f"/reports/{REPORT}/subscriptions", data={"every": "daily", "level": "x"})
    assert bad.status_code == 303 and "订阅未保存" in client.get(bad.headers["Location"]).get_data(as_text=True)
    gone = client.post(f"/reports/_subscriptions/{row['id']}/delete", data={"report": REPORT})
    assert gone.status_code == 303 and "已取消订阅" in client.get(gone.headers["Location"]).get_data(as_text=True)
    assert schedules(chiefs).mine(Actor("anxi_chief")) == []


@pytest.mark.slow
def test_deliveries_are_mailed_as_xlsx_with_each_recipients_figures(chiefs, clock, smtp_sink):
    from openpyxl import load_workbook

    port, received = smtp_sink
    platform = chiefs
    settings = platform.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
    s = schedules(platform, settings)
    for name in CHIEFS:
        s.subscribe(Actor(name), REPORT, ARGS, "monthly", email=True)
    clock.advance(days=31)
    assert s.deliver_due() == 2
    assert len(received) == 2
    totals = {}
    for message in received:
        mail = message_from_bytes(message.as_bytes())
        subject = str(make_header(decode_header(mail["Subject"])))
        assert "每月报表" in subject
        [part] = [p for p in mail.walk() if p.get_filename()]
        assert part.get_filename().endswith(".xlsx")
        sheet = load_workbook(io.BytesIO(part.get_payload(decode=True)), read_only=True).active
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        scope = next(r[1] for r in rows if r and r[0] == "统计范围")
        total = next(r for r in rows if r and r[0] == "合计")
        totals[mail["To"]] = (scope, total[2])  # 合计 over the two dimension columns, then 排查隐患数
    assert totals["anxi_chief@example.org"][1] == found(platform, "anxi_chief") == 6
    assert totals["xiamen_chief@example.org"][1] == found(platform, "xiamen_chief") == 1
    assert "安溪县" in totals["anxi_chief@example.org"][0] and "思明区" in totals["xiamen_chief@example.org"][0]
    with platform.engine.connect() as conn:
        assert all(r.mailed for r in conn.execute(select(notice).where(notice.c.kind == "report")))
    assert TOWN_A  # the dangers of report_world


def test_the_beat_task_delivers_as_the_worker_runs_it(chiefs, clock, monkeypatch):
    from anjian.tasks import app as tasks

    monkeypatch.setattr(tasks, "worker_platform", lambda: chiefs)
    celery = tasks.celery_app
    assert celery.conf.beat_schedule["anjian-report-schedules"]["task"] == "anjian.report_schedules"
    schedules(chiefs).subscribe(Actor("anxi_chief"), REPORT, ARGS, "weekly", email=False)
    clock.advance(days=7)
    assert celery.tasks["anjian.report_schedules"].apply().get() == {"delivered": 1}
    assert celery.tasks["anjian.report_schedules"].apply().get() == {"delivered": 0}
