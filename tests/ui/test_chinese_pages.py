"""Chinese everywhere by default: error pages, Flask-AppBuilder's own pages, 用户信息 and 修改密码 for all."""

import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from anjian.messages import message

pytestmark = [
    pytest.mark.postgres,
    # FAB 5.3's own forms use WTForms features WTForms deprecates; not ours to fix.
    pytest.mark.filterwarnings("ignore:'DateTimeField' renders:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Yielding raw tuples:DeprecationWarning"),
]

TRANSLATIONS = Path(__file__).resolve().parents[2] / "platform" / "anjian" / "translations" / "zh" / "LC_MESSAGES"


def visible_text(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_missing_pages_and_refusals_are_styled_chinese_pages(staff, login_as):
    clerk = login_as("clerk")
    for url in ("/nope", "/e/enterprise/99999", "/e/no_such_entity/"):
        response = clerk.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 404, url
        assert "anjian-error-page" in html and "Not Found" not in html, url
    page = clerk.get("/nope").get_data(as_text=True)
    assert "找不到页面" in page and "业务办公平台" in page  # the layout with its navbar, not a bare page
    refused = clerk.get("/admin/users/")
    assert refused.status_code == 403 and "无权访问" in refused.get_data(as_text=True)
    wrong_method = clerk.post("/e/")
    assert wrong_method.status_code == 405 and "不支持的操作" in wrong_method.get_data(as_text=True)
    assert login_as("clerk").get("/api/v1/nope").get_json()["error"]["code"] == "http.404"  # the API keeps JSON


def test_flask_appbuilder_user_pages_are_chinese(login_as):
    admin = login_as("admin")
    listing = visible_text(admin.get("/users/list/").get_data(as_text=True))
    for english in ("Groups", "True", "False", "Cancel", "List Users", "Is Active?"):
        assert english not in listing, english
    assert "用户组" in listing and "是" in listing and "用户列表" in listing
    html = admin.get("/users/list/").get_data(as_text=True)
    assert "确定删除这条记录吗" in html  # FAB's delete confirmation
    shown = visible_text(admin.get("/users/show/1").get_data(as_text=True))
    assert "None" not in shown and "True" not in shown
    groups = visible_text(admin.get("/groups/list/").get_data(as_text=True))
    assert "Label" not in groups and "显示名" in groups


def test_the_user_statistics_chart_is_gone_and_nothing_loads_from_the_internet(staff, login_as):
    admin = login_as("admin")
    assert admin.get("/userstatschartview/chart/").status_code == 404
    for url in ("/e/", "/users/list/", "/users/userinfo/", "/e/enterprise/", "/resetmypassword/form"):
        html = admin.get(url).get_data(as_text=True)
        assert "用户统计" not in html and "User's Statistics" not in html
        assert not re.findall(r'(?:src|href)="(?:https?:)?//', html), url


@pytest.mark.parametrize("user", ["ent", "clerk", "admin"])
def test_every_user_sees_their_information_and_may_change_their_password(staff, login_as, user):
    client = login_as(user)
    home = client.get("/e/").get_data(as_text=True)
    assert 'id="anjian-change-password"' in home and "修改密码" in home
    info = client.get("/users/userinfo/")
    assert info.status_code == 200
    text = visible_text(info.get_data(as_text=True))
    assert user in text and "用户信息" in text
    assert client.get("/resetmypassword/form").status_code == 200
    assert client.get("/userinfoeditview/form").status_code == 200


def test_screen_strings_come_from_the_message_catalogue_in_both_languages(staff, login_as):
    assert message("ui.new") == "新建" and message("ui.new", "en") == "New"
    client = login_as("clerk")
    assert "新建" in client.get("/e/enterprise/").get_data(as_text=True)
    client.get("/lang/en")
    assert ">New<" in client.get("/e/enterprise/").get_data(as_text=True).replace("</i> ", ">")


def test_the_compiled_translations_match_their_source():
    with (TRANSLATIONS / "messages.po").open("rb") as po, (TRANSLATIONS / "messages.mo").open("rb") as mo:
        source, compiled = read_po(po), read_mo(mo)
    assert {m.id: m.string for m in source if m.id} == {m.id: m.string for m in compiled if m.id}
