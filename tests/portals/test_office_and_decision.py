"""One sign-on across the faces: officers land on the office face and move between the three."""


def _sign_in(client, username="officer"):
    from anjian.testing.plugin import ADMIN_PASSWORD

    return client.post("/login/", data={"username": username, "password": ADMIN_PASSWORD})


def test_officer_signs_in_once_and_moves_between_faces(client):
    assert client.get("/office/").status_code == 302  # signed out: to the login page
    response = _sign_in(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/office/")
    office = client.get("/office/").get_data(as_text=True)
    assert "业务办公平台" in office and "我的待办" in office and "本周到期" in office and "业务系统" in office
    decision = client.get("/decision/").get_data(as_text=True)
    assert "辅助决策平台" in decision and "统计报表和图表功能上线后在此显示" in decision
    public = client.get("/")
    html = public.get_data(as_text=True)
    assert "业务办公平台" in html and "工作人员登录" not in html
    assert public.headers["Cache-Control"] == "no-store"  # a signed-in page is never cached


def test_decision_kpis_count_in_the_viewers_scope(client, published):
    from anjian import Actor

    published.records.create(
        "article",
        {"title": "示例文章", "column": "news", "body": "正文内容", "region_code": "350524"},
        Actor("admin", is_admin=True),
    )
    _sign_in(client, "admin")
    html = client.get("/decision/").get_data(as_text=True)
    assert "登记企业" in html and "举报投诉" in html and "已发布文章" in html


def test_the_office_navbar_links_every_face(client):
    _sign_in(client)
    html = client.get("/e/").get_data(as_text=True)
    assert 'id="anjian-face-public"' in html and 'id="anjian-face-office"' in html and 'id="anjian-face-decision"' in html
