"""The public face (公共服务平台): a visitor files a complaint, follows it by code, rates the answer;
an article published through review is listed, fed and found by full-text search."""

import io
import re

from anjian import Actor
from anjian_portals import captcha

ADMIN = Actor("admin", is_admin=True)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _captcha_fields(html):
    found = dict(re.findall(r'name="(captcha_nonce|captcha_expires|captcha_mac)" value="([^"]+)"', html))
    question = re.search(r"验证题：(.)加(.)等于几", html)
    digits = "零一二三四五六七八九十"
    found["captcha"] = str(digits.index(question.group(1)) + digits.index(question.group(2)))
    return found


def _file(client, **values):
    page = client.get("/report/complaint").get_data(as_text=True)
    data = {**_captcha_fields(page), **values}
    return client.post("/report/complaint", data=data, content_type="multipart/form-data")


def _code(client, response):
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    return re.search(r'id="tracking-code">([^<]+)<', done).group(1)


def test_root_is_the_public_face_and_login_has_its_own_page(client):
    home = client.get("/")
    assert home.status_code == 200
    html = home.get_data(as_text=True)
    assert "公共服务平台" in html and "在线举报" in html and "工作人员登录" in html
    assert "Content-Security-Policy" in home.headers and home.headers["Cache-Control"] == "public, max-age=60"
    assert client.get("/login/").status_code == 200


def test_visitor_files_with_a_photo_follows_by_code_and_rates_the_answer(client, published):
    response = _file(
        client,
        subject="某仓库违规储存危化品",
        content="仓库内堆放大量油漆和稀释剂，无防火措施。",
        anonymous="",
        complainant_name="张三丰",
        complainant_phone="13812345678",
        files=(io.BytesIO(PNG), "photo.png"),
    )
    code = _code(client, response)
    assert re.fullmatch(r"TS[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}", code)
    record = published.records.read_scoped  # noqa: F841 - the record is read below through the code
    page = client.get(f"/track/{code}").get_data(as_text=True)
    assert "待甄别" in page and "甄别受理时限" in page and "应于" in page
    assert "张**" in page and "138****5678" in page
    assert "张三丰" not in page and "13812345678" not in page and "油漆和稀释剂" not in page
    assert "请对办理结果评价" not in page  # not answered yet
    # The machine API says the same, with no personal data either.
    body = client.get(f"/api/v1/public/track/{code.lower()}").get_json()
    assert body["state_title"] == "待甄别" and body["timeline"] and body["deadlines"]
    assert "13812345678" not in str(body) and "content" not in body["record"]
    # An officer handles it through the engine.
    from sqlalchemy import select

    table = published.registry.table("complaint")
    with published.engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.tracking_code == code)).mappings().one()
    assert row["channel"] == "online" and row["evidence_files"] and row["complainant_name"] == "张三丰"
    agency = published.records.create(
        "agency", {"name": "凤城镇安监站", "kind": "township_office", "level": "township", "region_code": "350524100000"}, ADMIN
    )
    wf = published.workflow
    wf.take(ADMIN, "complaint", row["id"], "accept")
    wf.take(ADMIN, "complaint", row["id"], "dispatch", {"data": {"handling_unit": agency["id"]}})
    wf.take(
        ADMIN,
        "complaint",
        row["id"],
        "report_handling",
        {"data": {"onsite_record": "现场核查属实，已责令整改。", "result": "substantiated"}},
    )
    wf.take(ADMIN, "complaint", row["id"], "answer", {"data": {"answer": "经核查举报属实，已责令该单位清理并处罚款。"}})
    page = client.get(f"/track/{code}").get_data(as_text=True)
    assert "已答复待归档" in page and "经核查举报属实" in page and "请对办理结果评价" in page
    assert "现场核查属实" not in page  # the handler's record is not public
    assert client.post(f"/track/{code}/rate", data={"level": "5", "comment": "处理及时"}).status_code == 303
    page = client.get(f"/track/{code}").get_data(as_text=True)
    assert "您的评价：非常满意" in page
    assert client.post(f"/track/{code}/rate", data={"level": "1"}).status_code == 422  # once only


def test_anonymous_filing_keeps_no_name_and_bad_input_is_named(client, published):
    response = _file(client, subject="隐患", content="短", anonymous="on", complainant_name="李四")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "举报内容" in html and 'aria-invalid="true"' in html
    code = _code(
        client,
        _file(client, subject="加油站夜间违规卸油", content="每晚十点后无人监护卸油。", anonymous="on", complainant_name="李四"),
    )
    from sqlalchemy import select

    table = published.registry.table("complaint")
    with published.engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.tracking_code == code)).mappings().one()
    assert row["anonymous"] is True and row["complainant_name"] is None


def test_wrong_captcha_and_unknown_codes_are_refused(client):
    page = client.get("/report/complaint").get_data(as_text=True)
    fields = _captcha_fields(page)
    fields["captcha"] = str(int(fields["captcha"]) + 1)
    response = client.post("/report/complaint", data={**fields, "subject": "某某事项", "content": "内容内容内容"})
    assert response.status_code == 422 and "验证题答案不正确" in response.get_data(as_text=True)
    assert client.get("/track/TSAAAAA-AAAAA").status_code == 404
    assert client.get("/api/v1/public/track/TSAAAAA-AAAAA").status_code == 404


def test_captcha_expires_and_cannot_be_forged():
    key = b"k"
    challenge = captcha.new_challenge(key, now=1000.0)
    answers = [str(n) for n in range(2, 19)]
    good = [a for a in answers if captcha.solved(key, a, challenge.nonce, str(challenge.expires), challenge.mac, now=1000.0)]
    assert len(good) == 1
    assert not captcha.solved(key, good[0], challenge.nonce, str(challenge.expires), challenge.mac, now=challenge.expires + 1.0)
    assert not captcha.solved(key, good[0], challenge.nonce, str(challenge.expires + 999), challenge.mac, now=1000.0)


def test_public_api_files_with_201_and_a_code_and_limits_each_address(client, published, clock):
    body = {"subject": "矿山违规爆破", "content": "夜间违规爆破作业，未设警戒。", "complainant_phone": "13900001111"}
    response = client.post("/api/v1/public/complaints", json=body)
    assert response.status_code == 201 and response.get_json()["tracking_code"].startswith("TS")
    bad = client.post("/api/v1/public/complaints", json={"subject": "x", "content": "", "region_code": "110000"})
    assert bad.status_code == 422
    pointers = {d["pointer"] for d in bad.get_json()["error"]["errors"]}
    assert pointers == {"/region_code"}  # fields the form does not take are refused by name
    bad = client.post("/api/v1/public/complaints", json={"subject": "x", "content": ""})
    assert bad.status_code == 422 and {d["pointer"] for d in bad.get_json()["error"]["errors"]} >= {"/subject"}
    for _ in range(4):
        assert client.post("/api/v1/public/complaints", json=body).status_code == 201
    limited = client.post("/api/v1/public/complaints", json=body)
    assert limited.status_code == 429 and "每小时最多提交 5 次" in limited.get_json()["error"]["message"]
    clock.advance(hours=1, seconds=1)
    assert client.post("/api/v1/public/complaints", json=body).status_code == 201


def _article(platform, **extra):
    return platform.records.create(
        "article",
        {
            "title": "关于开展危险化学品安全专项整治的通知",
            "column": "notice",
            "body": "<p>各乡镇：</p><script>alert(1)</script><p>请于月底前完成自查。</p>",
            "summary": "危化品专项整治",
            "region_code": "350524",
            **extra,
        },
        ADMIN,
    )


def test_article_is_public_only_after_review_and_is_found_by_search(client, published):
    record = _article(published)
    assert "专项整治" not in client.get("/column/notice").get_data(as_text=True)
    assert client.get(f"/article/article/{record['id']}").status_code == 404
    published.workflow.take(ADMIN, "article", record["id"], "submit")
    assert client.get("/search?q=危险化学品").get_data(as_text=True).count("专项整治的通知") == 0  # in review: not public
    published.workflow.take(ADMIN, "article", record["id"], "publish")
    listing = client.get("/column/notice?page=1").get_data(as_text=True)
    assert "关于开展危险化学品安全专项整治的通知" in listing
    page = client.get(f"/article/article/{record['id']}").get_data(as_text=True)
    assert "请于月底前完成自查" in page and "<script>alert" not in page
    found = client.get("/search?q=危险化学品 整治").get_data(as_text=True)
    assert "找到 1 条结果" in found
    assert "找到 0 条结果" in client.get("/search?q=烟花爆竹").get_data(as_text=True)
    feed = client.get("/column/notice.rss")
    assert feed.mimetype == "application/rss+xml" and "专项整治的通知" in feed.get_data(as_text=True)
    items = client.get("/column/notice.json").get_json()["items"]
    assert items[0]["title"].startswith("关于开展") and "region_code" not in items[0] and "published" not in items[0]


def test_publication_period_hides_expired_articles(client, published, clock):
    record = _article(published, title="春节期间烟花爆竹安全提示", publish_until="2020-01-01")
    published.workflow.take(ADMIN, "article", record["id"], "submit")
    published.workflow.take(ADMIN, "article", record["id"], "publish")
    assert "春节期间" not in client.get("/column/notice").get_data(as_text=True)
    assert client.get(f"/article/article/{record['id']}").status_code == 404


def test_display_switches_work_without_javascript(client):
    response = client.get("/prefs?large=1&back=/column/notice")
    assert response.status_code == 303 and response.headers["Location"].endswith("/column/notice")
    html = client.get("/column/notice").get_data(as_text=True)
    assert 'class="pref-large' in html and "标准字号" in html
    assert client.get("/prefs?contrast=1&back=//evil.example").headers["Location"] == "/"
