"""The public machine API for 意见征集 comments and 网上调查 answers: anonymous JSON, no CSRF token,
the same closing dates, one-answer rule and hourly limits as the pages; in the OpenAPI document."""

import datetime as dt

from portal_forms import count_of, published_record

from anjian import Actor

ADMIN = Actor("admin", is_admin=True)
QUESTIONS = [
    {"text": "您认为本县安全生产形势如何？", "options": ["好", "一般", "差"]},
    {"text": "您最关注哪些领域？", "options": ["危化品", "道路交通", "建筑施工"], "multiple": True},
]


def test_comments_by_json_until_the_closing_date(client, published, clock):
    clock.set(dt.datetime(2026, 11, 20, 2, 0))
    record_id = published_record(
        published, "consultation", {"title": "征求意见", "body": "现公开征求意见。", "closes_at": "2026-11-30T18:00:00+08:00"}
    )
    url = f"/api/v1/public/comment/consult_comment/{record_id}"
    sent = client.post(url, json={"content": "建议增加约谈后的复查时限。", "commenter_name": "张三"})
    assert sent.status_code == 201 and sent.get_json()["received"] is True
    assert count_of(published, "consultation_comment") == 1

    short = client.post(url, json={"content": "短"})
    assert short.status_code == 422 and short.get_json()["error"]["errors"][0]["pointer"] == "/content"
    other = client.post(url, json={"content": "另一份征集的意见。", "consultation": 999})
    assert other.status_code == 422 and other.get_json()["error"]["errors"][0]["pointer"] == "/consultation"
    assert client.post(url, data="not json", content_type="text/plain").status_code == 422
    assert client.post(f"/api/v1/public/comment/complaint/{record_id}", json={"content": "x" * 10}).status_code == 404
    unpublished = published.records.create(
        "consultation",
        {"region_code": "350524", "title": "草稿", "body": "草稿", "closes_at": "2026-11-30T18:00:00+08:00"},
        ADMIN,
    )
    draft = client.post(f"/api/v1/public/comment/consult_comment/{unpublished['id']}", json={"content": "对草稿提的意见。"})
    assert draft.status_code == 422 and "没有这项公开的" in draft.get_json()["error"]["errors"][0]["message"]

    clock.set(dt.datetime(2026, 11, 30, 10, 0))  # 18:00 local: closed
    late = client.post(url, json={"content": "截止后提交的意见。"})
    assert late.status_code == 422 and "截止" in late.get_json()["error"]["errors"][0]["message"]
    assert count_of(published, "consultation_comment") == 1


def test_survey_answers_by_json_once_per_voter_and_limited_per_address(client, published, clock):
    clock.set(dt.datetime(2026, 11, 20, 2, 0))
    record_id = published_record(
        published, "survey", {"title": "满意度调查", "questions": QUESTIONS, "closes_at": "2026-11-25T18:00:00+08:00"}
    )
    url = f"/api/v1/public/survey/survey/{record_id}"
    ok = client.post(url, json={"voter": "site-visitor-0001", "answers": {"0": [0], "1": [0, 2]}})
    assert ok.status_code == 201, ok.get_json()
    again = client.post(url, json={"voter": "site-visitor-0001", "answers": {"0": [1], "1": [1]}})
    assert again.status_code == 422 and "每人限答一次" in again.get_json()["error"]["errors"][0]["message"]
    two = client.post(url, json={"voter": "site-visitor-0002", "answers": {"0": [0, 1], "1": [1]}})
    assert two.status_code == 422 and two.get_json()["error"]["errors"][0]["pointer"] == "/questions/0"
    bad = client.post(url, json={"voter": "x", "answers": ["0"], "extra": 1})
    assert bad.status_code == 422
    assert {d["pointer"] for d in bad.get_json()["error"]["errors"]} == {"/extra"}
    shapes = client.post(url, json={"voter": "x", "answers": ["0"]})
    assert {d["pointer"] for d in shapes.get_json()["error"]["errors"]} == {"/voter", "/answers"}
    assert (
        client.post(
            f"/api/v1/public/survey/survey/{record_id + 999}", json={"voter": "site-visitor-0003", "answers": {}}
        ).status_code
        == 404
    )
    assert client.post(f"/api/v1/public/survey/nosuch/{record_id}", json={}).status_code == 404
    assert count_of(published, "survey_answer") == 1

    for n in range(3, 30):  # the declared 20 answers per address an hour hold for the API too
        last = client.post(url, json={"voter": f"site-visitor-{n:04d}", "answers": {"0": [2], "1": [1]}})
        if last.status_code == 429:
            break
    assert last.status_code == 429 and last.get_json()["error"]["code"] == "portal.rate_limited"
    assert count_of(published, "survey_answer") == 20

    clock.set(dt.datetime(2026, 11, 26, 2, 0))
    late = client.post(url, json={"voter": "site-visitor-0100", "answers": {"0": [0], "1": [0]}})
    assert late.status_code == 422 and "已截止" in late.get_json()["error"]["errors"][0]["message"]


def test_public_api_is_in_the_openapi_document(client, published):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    for path in (
        "/public/{form_name}",
        "/public/track/{code}",
        "/public/comment/{form_name}/{record_id}",
        "/public/survey/{name}/{record_id}",
    ):
        assert path in paths
        for operation in paths[path].values():
            assert operation["security"] == [] and "default" in operation["responses"]
    assert "429" in paths["/public/survey/{name}/{record_id}"]["post"]["responses"]
    assert "/e/complaint" in paths  # the catalog's paths are still there
