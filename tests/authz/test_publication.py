"""The public (公众) reads only what is published: the entity's publication flag, applied as SQL."""

import pytest

from anjian import Actor
from anjian.testing import entity_document, write_json
from anjian.testing.plugin import ADMIN_PASSWORD

pytestmark = pytest.mark.postgres
ADMIN = Actor("admin", is_admin=True)


@pytest.fixture
def notices(app, published, tmp_path):
    folder = tmp_path / "decl"
    write_json(
        folder / "bulletin.json",
        entity_document(
            "bulletin",
            {"title": {"type": "string"}, "region_code": {"type": "string"}, "public": {"type": "boolean", "default": False}},
            scope="region_code",
            published="public",
            title_field="title",
        ),
    )
    published.publish([folder])
    shown = published.records.create("bulletin", {"title": "执法公示", "region_code": "350524", "public": True}, ADMIN)
    hidden = published.records.create("bulletin", {"title": "内部通报", "region_code": "350524"}, ADMIN)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("citizen", "公众", "", "citizen@example.org", sm.find_role(sm.auth_role_public), password=ADMIN_PASSWORD)
        app.appbuilder.session.commit()
    published.access.store.save_account(ADMIN, "citizen", "public", "350524")
    return shown["id"], hidden["id"]


def test_public_users_see_published_records_only(client, notices):
    shown, hidden = notices
    token = client.post("/api/v1/auth/token", json={"username": "citizen", "password": ADMIN_PASSWORD}).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/e/bulletin", headers=headers).get_json()
    assert [item["id"] for item in listed["items"]] == [shown]
    assert client.get(f"/api/v1/e/bulletin/{shown}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/e/bulletin/{hidden}", headers=headers).status_code == 404
    assert (
        client.post(
            "/api/v1/e/bulletin", json={"title": "伪造", "region_code": "350524", "public": True}, headers=headers
        ).status_code
        == 403
    )
    assert client.get("/api/v1/e/enterprise", headers=headers).status_code == 403  # no publication flag: nothing


def test_a_publication_flag_must_be_a_boolean_field(published, tmp_path):
    folder = tmp_path / "bad"
    write_json(folder / "bulletin.json", entity_document("bulletin", {"title": {"type": "string"}}, published="title"))
    problems = [e.render() for e in published.check([folder])]
    assert any("published" in p and "布尔字段" in p for p in problems), problems
