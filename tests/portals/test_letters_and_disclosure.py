"""领导信箱 letters answered by officers and published with consent; 依申请公开 with the legal
answer deadline counted in working days by the engine's calendar (20 workdays, 2019 条例 Art. 33)."""

import datetime as dt
import re

from sqlalchemy import select

from anjian import Actor
from anjian.errors import AnjianError

ADMIN = Actor("admin", is_admin=True)


def _file(client, name, **values):
    page = client.get(f"/report/{name}").get_data(as_text=True)
    fields = dict(re.findall(r'name="(captcha_nonce|captcha_expires|captcha_mac)" value="([^"]+)"', page))
    a, b = re.search(r"验证题：(.)加(.)等于几", page).groups()
    digits = "零一二三四五六七八九十"
    fields["captcha"] = str(digits.index(a) + digits.index(b))
    response = client.post(f"/report/{name}", data={**fields, **values})
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    return re.search(r'id="tracking-code">([^<]+)<', done).group(1)


def _id(platform, entity, code):
    table = platform.registry.table(entity)
    with platform.engine.connect() as conn:
        return conn.execute(select(table.c.id).where(table.c.tracking_code == code)).scalar_one()


def test_a_letter_answered_with_consent_appears_publicly_masked(client, published):
    code = _file(
        client,
        "letter",
        kind="suggestion",
        subject="建议增加夜间安全巡查",
        content="工业园区夜间作业较多，建议增加巡查频次。",
        writer_name="陈大文",
        writer_phone="13600001234",
        consent_publish="on",
    )
    record_id = _id(published, "leader_letter", code)
    assert "领导信箱公开回复" in client.get("/").get_data(as_text=True)
    assert "夜间安全巡查" not in client.get("/column/letters").get_data(as_text=True)
    published.workflow.take(
        ADMIN, "leader_letter", record_id, "answer", {"data": {"answer": "感谢建议，已安排每周两次夜间巡查。"}}
    )
    published.workflow.take(ADMIN, "leader_letter", record_id, "publish")
    listing = client.get("/column/letters").get_data(as_text=True)
    assert "建议增加夜间安全巡查" in listing
    page = client.get(f"/article/leader_letter/{record_id}").get_data(as_text=True)
    assert "已安排每周两次夜间巡查" in page and "陈**" in page and "陈大文" not in page and "13600001234" not in page


def test_a_letter_without_consent_cannot_be_published(client, published):
    code = _file(
        client, "letter", kind="consult", subject="咨询培训报名方式", content="请问主要负责人安全培训如何报名？", writer_name="林"
    )
    record_id = _id(published, "leader_letter", code)
    published.workflow.take(ADMIN, "leader_letter", record_id, "answer", {"data": {"answer": "请登录省安全培训平台报名。"}})
    try:
        published.workflow.take(ADMIN, "leader_letter", record_id, "publish")
    except AnjianError as exc:
        assert exc.http_status in (403, 409, 422)
    else:
        raise AssertionError("published without consent")
    assert "培训报名" not in client.get("/column/letters").get_data(as_text=True)
    assert "请登录省安全培训平台报名" in client.get(f"/track/{code}").get_data(as_text=True)


def test_disclosure_request_shows_the_legal_deadline_in_working_days(client, published, clock):
    clock.set_local("2026-09-28 10:00")
    code = _file(
        client,
        "disclosure",
        applicant_name="某某律师事务所",
        applicant_id_number="350524199001011234",
        applicant_phone="0595-2323",
        description="2025年度本县生产安全事故统计数据",
        delivery="email",
    )
    expected = published.workflow.calendar().add_workdays(dt.date(2026, 9, 28), 20)
    body = client.get(f"/api/v1/public/track/{code}").get_json()
    assert body["deadlines"][0]["title"] == "依申请公开答复时限"
    assert body["deadlines"][0]["due_at"][:10] == expected.isoformat()
    assert expected > dt.date(2026, 10, 26)  # the National Day holiday is not counted
    assert "350524199001011234" not in str(body) and "律师事务所" not in str(body)


def test_service_guides_come_from_the_process_declarations(client, published):
    from anjian_portals.guide import guide_of, missing_elements

    portal = published.registry.catalog.portal_of("public")
    guide = guide_of(published, portal.form("disclosure"))
    assert guide["legal_limit"] == [
        {"title": "依申请公开答复时限", "limit": "20个工作日", "source": guide["legal_limit"][0]["source"]}
    ]
    assert "第三十三条" in guide["legal_limit"][0]["source"]
    assert any(step.startswith("答复申请人（办理中 → 已答复）") for step in guide["steps"])
    assert missing_elements(guide) == []
    assert missing_elements(guide_of(published, portal.form("letter"))) == ["basis", "conditions"]
    complaint = guide_of(published, portal.form("complaint"))
    assert {i["title"] for i in complaint["promised_limit"]} == {"甄别受理时限", "核查处理时限", "办结答复时限"}
    page = client.get("/guide/disclosure").get_data(as_text=True)
    for element in (
        "事项名称",
        "设定依据",
        "受理条件",
        "申请材料",
        "办理流程",
        "法定期限：依申请公开答复时限 20个工作日",
        "收费标准",
        "办理地点和时间",
        "监督投诉电话",
    ):
        assert element in page, element
    assert "在线办理" in client.get("/guide/").get_data(as_text=True)
