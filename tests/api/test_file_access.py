"""Attachments: read only through a record the user can read, uploaded only into fields the user
may write, typed by their content, and named per RFC 6266 when served."""

import gc
import io
import random
import re
from urllib.parse import unquote

import pytest

from anjian import Actor
from anjian.access import DefaultAccess
from anjian.demo import credit_code
from anjian.errors import NotFound, RecordValidationError
from anjian.testing import entity_document, write_json
from anjian.testing.plugin import ADMIN_PASSWORD

ANXI, OTHER = "350524", "350583"
COMPANY = {"name": "附件测试有限公司", "credit_code": "91350100M000100Y43", "region_code": ANXI, "industry": "C"}
PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def users(app):
    """clerk and peer (安溪县), far (another county, same role), reader (安溪县, no enterprise write)."""
    platform = app.extensions["anjian"]
    admin = platform.access.store
    root = Actor("admin", is_admin=True)
    with app.app_context():
        sm = app.appbuilder.sm
        for name in ("clerk", "peer", "far", "reader"):
            assert sm.add_user(name, name, "", f"{name}@example.org", sm.find_role(sm.auth_role_public), password=ADMIN_PASSWORD)
            app.appbuilder.session.commit()
    admin.save_account(root, "clerk", "agency", ANXI)
    admin.add_grant(root, "clerk", "registry_clerk", ANXI)
    admin.save_account(root, "peer", "agency", ANXI)
    admin.add_grant(root, "peer", "registry_clerk", ANXI)
    admin.save_account(root, "far", "agency", OTHER)
    admin.add_grant(root, "far", "registry_clerk", OTHER)
    admin.save_account(root, "reader", "agency", ANXI)
    admin.add_grant(root, "reader", "organisation_viewer", ANXI)
    client = app.test_client()
    tokens = {}
    for name in ("clerk", "peer", "far", "reader"):
        response = client.post("/api/v1/auth/token", json={"username": name, "password": ADMIN_PASSWORD})
        tokens[name] = {"Authorization": f"Bearer {response.get_json()['access_token']}"}
    yield client, tokens
    gc.collect()  # collect the test client's spooled uploads under this test's warning filter


def fetch(client, file_id, headers):
    response = client.get(f"/api/v1/files/{file_id}", headers=headers)
    response.close()
    return response


def upload(client, headers, name, data, field="licence_files", entity="enterprise", mimetype="application/pdf"):
    return client.post(
        "/api/v1/files",
        data={"entity": entity, "field": field, "file": (io.BytesIO(data), name, mimetype)},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_a_file_is_read_only_through_a_record_the_user_can_read(users):
    client, tokens = users
    stored = upload(client, tokens["clerk"], "执照.pdf", PDF)
    assert stored.status_code == 201, stored.get_json()
    file_id = stored.get_json()["id"]
    # Not attached yet: only its uploader reads it.
    assert fetch(client, file_id, tokens["clerk"]).status_code == 200
    assert fetch(client, file_id, tokens["far"]).status_code == 404
    created = client.post("/api/v1/e/enterprise", json={**COMPANY, "licence_files": [file_id]}, headers=tokens["clerk"])
    assert created.status_code == 201, created.get_json()
    assert fetch(client, file_id, tokens["clerk"]).status_code == 200
    # Another county's clerk may read enterprises, but not this one: nor its file.
    assert client.get(f"/api/v1/e/enterprise/{created.get_json()['id']}", headers=tokens["far"]).status_code == 404
    assert fetch(client, file_id, tokens["far"]).status_code == 404
    # A user without read permission on enterprises gets no file of one either.
    assert fetch(client, file_id, tokens["reader"]).status_code in (403, 404)


class RegionAccess(DefaultAccess):
    """Everyone reads, but only the records of their own region (the actor's name is the region)."""

    def scope(self, actor, entity, table, action="read"):
        return table.c.region == actor.username


def test_a_file_of_a_nested_child_row_is_read_through_its_top_record(tmp_path, settings):
    from anjian.runtime import Platform

    platform = Platform(settings, access=RegionAccess())
    platform.init_db()
    try:
        certificate = {"type": "object", "properties": {"scan": {"type": "string", "x-anjian": {"attachment": {}}}}}
        certificates = {"type": "array", "items": certificate, "x-anjian": {"child": "site_certificate"}}
        person = {"type": "object", "properties": {"name": {"type": "string"}, "certificates": certificates}}
        people = {"type": "array", "items": person, "x-anjian": {"child": "site_person"}}
        document = entity_document("site", {"region": {"type": "string"}, "people": people})
        platform.publish([write_json(tmp_path / "decl" / "site.json", document).parent])
        child = platform.registry.entity("site_certificate", child_ok=True)
        north, south = Actor("north"), Actor("south")
        stored = platform.files.save(child, child.field("scan"), "证书.pdf", "application/pdf", io.BytesIO(PDF), north)
        assert platform.files.readable(stored["id"], north, platform.registry, platform.access)
        with pytest.raises(NotFound):  # an orphan: its uploader's alone
            platform.files.readable(stored["id"], south, platform.registry, platform.access)
        record = {"region": "north", "people": [{"name": "张三", "certificates": [{"scan": stored["id"]}]}]}
        platform.records.create("site", record, north)
        assert platform.files.readable(stored["id"], north, platform.registry, platform.access)
        with pytest.raises(NotFound):  # held by a record of another region
            platform.files.readable(stored["id"], south, platform.registry, platform.access)
        # north, who reads the record holding it, may put the same file in a record of south's
        platform.records.create("site", {**record, "region": "south"}, north)
        assert platform.files.readable(stored["id"], south, platform.registry, platform.access)  # now one of theirs holds it
    finally:
        platform.dispose()


def attach(client, headers, file_id, **changes):
    return client.post("/api/v1/e/enterprise", json={**COMPANY, "licence_files": [file_id], **changes}, headers=headers)


def test_a_user_attaches_only_files_they_uploaded_or_can_already_read(users):
    client, tokens = users
    file_id = upload(client, tokens["clerk"], "执照.pdf", PDF).get_json()["id"]
    elsewhere = {"region_code": OTHER, "credit_code": credit_code(random.Random(101))}
    # Another user cannot plant the clerk's orphan in a record of their own (which would make it
    # readable through that record), and learns nothing about whether it exists.
    planted = attach(client, tokens["far"], file_id, **elsewhere)
    assert planted.status_code == 422, planted.get_json()
    (error,) = planted.get_json()["error"]["errors"]
    assert error["pointer"] == "/licence_files" and error["message"] == f"附件 {file_id} 不存在，请重新上传"
    assert fetch(client, file_id, tokens["far"]).status_code == 404
    mine = attach(client, tokens["clerk"], file_id)
    assert mine.status_code == 201, mine.get_json()
    # Attached: still not theirs to copy while the record holding it is out of their scope ...
    assert attach(client, tokens["far"], file_id, **elsewhere).status_code == 422
    # ... but a colleague who reads that record may put the same file in another record.
    copied = attach(client, tokens["peer"], file_id, name="附件测试二号有限公司", credit_code=credit_code(random.Random(102)))
    assert copied.status_code == 201, copied.get_json()
    # Editing a record keeps the files it holds whoever uploaded them.
    record = mine.get_json()
    kept = client.patch(f"/api/v1/e/enterprise/{record['id']}", json={"name": "附件测试改名有限公司"}, headers=tokens["peer"])
    assert kept.status_code == 200, kept.get_json()


def test_a_file_goes_only_into_the_field_it_was_uploaded_for(app, tmp_path):
    platform = app.extensions["anjian"]
    clerk = Actor("admin", is_admin=True)
    danger = platform.registry.entity("hidden_danger")
    field = next(f for f in danger.fields if f.attachment is not None and f.type == "array")
    stored = platform.files.save(danger, field, "现场.png", "image/png", io.BytesIO(PNG), clerk)
    with pytest.raises(RecordValidationError) as refused:
        platform.records.create("enterprise", {**COMPANY, "licence_files": [stored["id"]]}, clerk)
    (error,) = refused.value.errors
    assert error.pointer == "/licence_files" and error.code == "attachment" and "不是为" in error.message


def test_an_import_attaches_by_the_same_rule_as_a_single_write(tmp_path, settings):
    from anjian.data.transfer import import_records
    from anjian.runtime import Platform

    platform = Platform(settings, access=RegionAccess())
    platform.init_db()
    try:
        scan = {"type": "string", "x-anjian": {"attachment": {}}}
        document = entity_document("permit", {"region": {"type": "string"}, "scan": scan})
        platform.publish([write_json(tmp_path / "decl" / "permit.json", document).parent])
        spec = platform.registry.entity("permit")
        north, south = Actor("north"), Actor("south")
        theirs = platform.files.save(spec, spec.field("scan"), "许可.pdf", "application/pdf", io.BytesIO(PDF), north)["id"]
        mine = platform.files.save(spec, spec.field("scan"), "许可.pdf", "application/pdf", io.BytesIO(PDF), south)["id"]
        rows = [["region", "scan"], ["south", mine], ["south", theirs]]
        report = import_records(platform.records, "permit", rows, south)
        assert not report.committed
        assert [e.as_dict() for e in report.errors] == [
            {"row": 3, "pointer": "/scan", "message": f"附件 {theirs} 不存在，请重新上传"}
        ]
        with pytest.raises(RecordValidationError) as single:
            platform.records.create("permit", {"region": "south", "scan": theirs}, south)
        assert [(e.pointer, e.message) for e in single.value.errors] == [("/scan", report.errors[0].message)]
    finally:
        platform.dispose()


def test_uploads_only_into_fields_the_user_may_write(users):
    client, tokens = users
    refused = upload(client, tokens["reader"], "执照.pdf", PDF)
    assert refused.status_code == 403
    assert upload(client, tokens["clerk"], "区划.pdf", PDF, field="registration_region").status_code == 422


@pytest.mark.parametrize(
    ("name", "data", "claimed"),
    [
        ("evil.png", HTML, "image/png"),
        ("evil.pdf", HTML, "application/pdf"),
        ("evil.pdf", SVG, "application/pdf"),
        ("photo.png", SVG, "image/svg+xml"),
        ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 60, "application/pdf"),
    ],
)
def test_the_content_decides_the_type_not_the_name_or_the_claim(users, name, data, claimed):
    client, tokens = users
    refused = upload(client, tokens["clerk"], name, data, mimetype=claimed)
    assert refused.status_code == 422 and refused.get_json()["error"]["errors"][0]["code"] == "file_type"


def test_accepted_content_is_stored_with_its_real_type_and_served_as_an_attachment(users):
    client, tokens = users
    stored = upload(client, tokens["clerk"], "现场.pdf", PNG, mimetype="text/html").get_json()
    assert stored["content_type"] == "image/png"  # what the bytes are, accepted by the field's .png
    served = fetch(client, stored["id"], tokens["clerk"])
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_unrestricted_fields_store_markup_as_octet_stream(app):
    from anjian.ui.workflow import STEP_FILES

    platform = app.extensions["anjian"]
    spec = platform.registry.entity("hidden_danger")
    stored = platform.files.save(spec, STEP_FILES, "x.svg", "image/svg+xml", io.BytesIO(SVG), Actor("admin", is_admin=True))
    assert stored["content_type"] == "application/octet-stream"


def test_file_names_in_headers_follow_rfc_6266(users):
    client, tokens = users
    name = "报告\x00\x07\x1b 第1版;v2.pdf"
    stored = upload(client, tokens["clerk"], name, PDF).get_json()
    assert "name" in stored, stored
    assert not re.search(r"[\x00-\x1f\x7f]", stored["name"])
    served = fetch(client, stored["id"], tokens["clerk"])
    raw = served.headers["Content-Disposition"]
    assert not re.search(r"[\x00-\x1f\x7f]", raw)
    match = re.fullmatch(r'attachment; filename="([ -~]*)"; filename\*=UTF-8\'\'([A-Za-z0-9%._~!$&+^`|#-]+)', raw)
    assert match, raw
    assert '"' not in match.group(1) and ";" not in match.group(1)
    assert unquote(match.group(2)) == stored["name"] and unquote(match.group(2)).startswith("报告")
