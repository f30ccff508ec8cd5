"""互动交流: 意见征集 takes comments until its closing date, then shows the published summary;
网上调查 takes one answer per visitor and shows the results once closed."""

import datetime as dt
import re

from portal_forms import captcha_fields, count_of, published_record
from sqlalchemy import select

from anjian import Actor

ADMIN = Actor("admin", is_admin=True)


def _closes(days):
    return (
        (dt.datetime.now(dt.UTC) + dt.timedelta(days=days))
        .astimezone(dt.timezone(dt.timedelta(hours=8)))
        .isoformat(timespec="seconds")
    )


def test_comments_are_taken_until_the_closing_date_then_the_summary_shows(client, published, clock):
    clock.set(dt.datetime(2026, 11, 20, 2, 0))
    record_id = published_record(
        published,
        "consultation",
        {"title": "关于《县安全生产约谈办法》征求意见", "body": "现公开征求意见。", "closes_at": "2026-11-30T18:00:00+08:00"},
    )
    assert "约谈办法" in client.get("/column/consult").get_data(as_text=True)
    url = f"/article/consultation/{record_id}"
    page = client.get(url)
    assert page.headers["Cache-Control"] == "no-store"  # a form with a CSRF token is never shared
    html = page.get_data(as_text=True)
    assert "正在征集" in html and "提交意见" in html
    sent = client.post(
        f"/comment/consult_comment/{record_id}", data={**captcha_fields(html), "content": "建议增加约谈后的复查时限。"}
    )
    assert sent.status_code == 303
    assert "您的意见已提交" in client.get(url).get_data(as_text=True)
    assert count_of(published, "consultation_comment") == 1

    short = client.post(f"/comment/consult_comment/{record_id}", data={**captcha_fields(html), "content": "短"})
    assert short.status_code == 422 and 'aria-invalid="true"' in short.get_data(as_text=True)

    clock.set(dt.datetime(2026, 11, 30, 10, 0))  # 18:00 local: closed
    closed = client.get(url).get_data(as_text=True)
    assert "已截止" in closed and "提交意见</button>" not in closed and "整理后在此公布" in closed
    late = client.post(f"/comment/consult_comment/{record_id}", data={**captcha_fields(html), "content": "截止后提交的意见。"})
    assert late.status_code == 422 and "截止" in late.get_data(as_text=True)
    assert count_of(published, "consultation_comment") == 1

    published.records.update("consultation", record_id, {"summary": "共收到意见 1 条，采纳 1 条。"}, ADMIN, partial=True)
    assert "共收到意见 1 条" in client.get(url).get_data(as_text=True)


def test_comments_on_drafts_or_through_the_plain_form_are_refused(client, published):
    draft = published.records.create(
        "consultation", {"region_code": "350524", "title": "未发布的征集", "body": "草稿", "closes_at": _closes(10)}, ADMIN
    )
    assert client.get(f"/article/consultation/{draft['id']}").status_code == 404
    assert client.get("/report/consult_comment").status_code == 404
    home = client.get("/").get_data(as_text=True)
    assert "/report/consult_comment" not in home
    response = client.post(f"/comment/consult_comment/{draft['id']}", data={"content": "对草稿提意见"})
    assert response.status_code == 404


QUESTIONS = [
    {"text": "您认为本县安全生产形势如何？", "options": ["好", "一般", "差"]},
    {"text": "您最关注哪些领域？", "options": ["危化品", "道路交通", "建筑施工", "消防"], "multiple": True},
]


def test_one_answer_per_visitor_and_results_after_closing(client, published, clock, app):
    clock.set(dt.datetime(2026, 11, 20, 2, 0))
    record_id = published_record(
        published,
        "survey",
        {"title": "2026 年安全生产满意度调查", "questions": QUESTIONS, "closes_at": "2026-11-25T18:00:00+08:00"},
    )
    url = f"/article/survey/{record_id}"
    html = client.get(url).get_data(as_text=True)
    assert "满意度调查" in html and 'type="radio"' in html and 'type="checkbox"' in html and "调查结果" not in html

    missing = client.post(f"/survey/survey/{record_id}", data={**captcha_fields(html), "q0": "0"})
    assert missing.status_code == 422 and "请回答此题" in missing.get_data(as_text=True)
    two = client.post(f"/survey/survey/{record_id}", data={**captcha_fields(html), "q0": ["0", "1"], "q1": "0"})
    assert two.status_code == 422 and "只能选一项" in two.get_data(as_text=True)

    ok = client.post(f"/survey/survey/{record_id}", data={**captcha_fields(html), "q0": "0", "q1": ["0", "2"]})
    assert ok.status_code == 303
    after = client.get(url).get_data(as_text=True)
    assert "您已参加本次调查" in after and "提交答卷" not in after
    again = client.post(f"/survey/survey/{record_id}", data={**captcha_fields(html), "q0": "1", "q1": "1"})
    assert again.status_code == 422 and "每人限答一次" in again.get_data(as_text=True)

    other = app.test_client()  # another visitor (another cookie)
    page = other.get(url).get_data(as_text=True)
    assert other.post(f"/survey/survey/{record_id}", data={**captcha_fields(page), "q0": "1", "q1": "0"}).status_code == 303
    assert count_of(published, "survey_answer") == 2
    table = published.registry.table("survey_answer")
    with published.engine.connect() as conn:
        voters = [v for (v,) in conn.execute(select(table.c.voter))]
    assert all(re.fullmatch(r"[0-9a-f]{64}", v) for v in voters)  # a digest, never the cookie itself

    clock.set(dt.datetime(2026, 11, 26, 2, 0))
    results = client.get(url).get_data(as_text=True)
    assert "调查结果" in results and "共 2 人参加" in results and "1 票（50%）" in results and "2 票（100%）" in results
    late = other.post(f"/survey/survey/{record_id}", data={**captcha_fields(page), "q0": "2", "q1": "3"})
    assert late.status_code == 422 and "已截止" in late.get_data(as_text=True)
    assert count_of(published, "survey_answer") == 2
