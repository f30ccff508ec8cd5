"""The one record service: validation, references, uniques, children, audit; on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import text, update

from anjian import Actor
from anjian.audit import verify
from anjian.data.system import audit_log
from anjian.errors import NotFound, RecordConflict, RecordValidationError
from anjian.testing import entity_document, write_json

pytestmark = pytest.mark.postgres
ACTOR = Actor("tester", "127.0.0.1", is_admin=True)  # rules, not permissions, are under test here


def company(**overrides):
    record = {
        "name": "安溪县测试茶叶有限公司",
        "credit_code": "91350200MA2YJ1XR9G",
        "region_code": "350524100000",
        "industry": "C",
        "safety_staff": [{"name": "陈明", "post": "安全员", "certificates": [{"number": "FJ1", "expires_on": "2027-01-31"}]}],
    }
    return {**record, **overrides}


def pointers(info):
    return {e.pointer: e for e in info.value.errors}


def test_create_read_update_delete_with_children_and_grandchildren(published):
    records = published.records
    created = records.create("enterprise", company(), ACTOR)
    assert created["id"] and created["row_version"] == 1 and created["status"] == "active"  # default applied
    assert created["registration_region"] == "350200"  # computed by a named function
    [staff] = created["safety_staff"]
    assert staff["certificates"][0]["expires_on"] == "2027-01-31"

    updated = records.update("enterprise", created["id"], {"employees": 12}, ACTOR, partial=True)
    assert updated["employees"] == 12 and updated["name"] == created["name"] and updated["row_version"] == 2
    assert updated["safety_staff"][0]["name"] == "陈明"  # PATCH keeps children it was not given

    replaced = records.update("enterprise", created["id"], company(name="新名称有限公司", safety_staff=[]), ACTOR)
    assert replaced["safety_staff"] == [] and replaced["employees"] is None  # PUT replaces the whole record
    with published.engine.connect() as conn:
        assert conn.execute(text("select count(*) from enterprise_staff_certificate")).scalar_one() == 0

    records.delete("enterprise", created["id"], ACTOR)
    with pytest.raises(NotFound), published.engine.connect() as conn:
        published.reader.fetch(conn, published.registry.entity("enterprise"), created["id"])


def test_field_errors_come_with_json_pointers_and_nothing_is_written(published):
    bad = company(
        name=7,
        region_code="999999",
        industry="Z",
        status="open",
        email="not-an-email",
        employees=-1,
        established_on="2024-02-30",
        safety_staff=[{"post": "x", "certificates": [{"kind": "k"}]}],
    )
    with pytest.raises(RecordValidationError) as info:
        published.records.create("enterprise", bad, ACTOR)
    found = pointers(info)
    assert info.value.http_status == 422
    assert found["/name"].code == "type"
    assert found["/status"].code == "enum" and "在业" in found["/status"].message  # labels, not codes
    assert found["/email"].code == "format"
    assert found["/employees"].code == "minimum"
    assert found["/established_on"].code == "format"
    assert found["/safety_staff/0/name"].message == "必填项「姓名」不能为空"
    assert "/safety_staff/0/certificates/0/number" in found
    assert found["/region_code"].code == "dictionary" and found["/industry"].code == "dictionary"
    with published.engine.connect() as conn:
        assert conn.execute(text("select count(*) from enterprise")).scalar_one() == 0


def test_unknown_fields_and_non_objects_are_field_errors(published):
    with pytest.raises(RecordValidationError) as info:
        published.records.create("enterprise", ["not", "an", "object"], ACTOR)
    assert info.value.errors[0].pointer == ""


def test_checksum_failure_is_overridable_with_a_reason_that_is_audited(published):
    with pytest.raises(RecordValidationError) as info:
        published.records.create("enterprise", company(credit_code="91350211M0000XUF46"), ACTOR)
    assert pointers(info)["/credit_code"].overridable
    with pytest.raises(RecordValidationError):  # a reason is required
        published.records.create("enterprise", company(credit_code="91350211M0000XUF46", _overrides={"/credit_code": " "}), ACTOR)
    created = published.records.create(
        "enterprise", company(credit_code="91350211M0000XUF46", _overrides={"/credit_code": "早期赋码，已核验执照原件"}), ACTOR
    )
    with published.engine.connect() as conn:
        detail = (
            conn.execute(
                audit_log.select().where(audit_log.c.entity == "enterprise", audit_log.c.record_id == str(created["id"]))
            )
            .mappings()
            .one()["detail"]
        )
    assert detail["overrides"] == {"/credit_code": "早期赋码，已核验执照原件"}
    override = created["overrides"]["/credit_code"]
    assert override["reason"] == "早期赋码，已核验执照原件" and override["by"] == "tester"
    # The waiver holds while the value stays; editing another field needs no new reason.
    edited = published.records.update("enterprise", created["id"], {"employees": 5}, ACTOR, partial=True)
    assert edited["overrides"] == created["overrides"]
    with pytest.raises(RecordValidationError):  # another failing value needs its own reason
        published.records.update("enterprise", created["id"], {"credit_code": "91310115MA1H8R7C6D"}, ACTOR, partial=True)
    fixed = published.records.update("enterprise", created["id"], {"credit_code": "91512081MA62K0260E"}, ACTOR, partial=True)
    assert fixed["overrides"] is None  # a value that passes drops the waiver


def test_format_errors_cannot_be_overridden(published):
    with pytest.raises(RecordValidationError):
        published.records.create(
            "enterprise", company(credit_code="91350100M000100Y4Z", _overrides={"/credit_code": "想跳过"}), ACTOR
        )


def test_unique_values_conflict_with_409(published):
    published.records.create("enterprise", company(), ACTOR)
    with pytest.raises(RecordConflict) as info:
        published.records.create("enterprise", company(name="另一家公司"), ACTOR)
    assert info.value.http_status == 409 and pointers(info)["/credit_code"].code == "unique"


def test_stale_row_version_is_a_conflict(published):
    created = published.records.create("enterprise", company(), ACTOR)
    published.records.update("enterprise", created["id"], {"employees": 1, "row_version": 1}, ACTOR, partial=True)
    with pytest.raises(RecordConflict) as info:
        published.records.update("enterprise", created["id"], {"employees": 2, "row_version": 1}, ACTOR, partial=True)
    assert pointers(info)["/row_version"].code == "stale"


def test_sql_and_script_text_is_stored_and_returned_verbatim(published):
    nasty = "'); DROP TABLE enterprise; -- <script>alert(1)</script> %_\\"
    created = published.records.create("enterprise", company(name="公司" + nasty[:150], safety_rules=nasty * 3), ACTOR)
    assert created["name"] == "公司" + nasty[:150] and created["safety_rules"] == nasty * 3
    page = published.reader.page
    from anjian.data.query import ListQuery

    spec = published.registry.entity("enterprise")
    with published.engine.connect() as conn:
        hits = page(conn, spec, ListQuery.parse(spec, {"q": "DROP TABLE"}))
        misses = page(conn, spec, ListQuery.parse(spec, {"q": "%_"}))
    assert hits["total"] == 1 and misses["total"] == 1  # LIKE wildcards in the search text are literal


def test_huge_strings_are_refused_by_max_length_or_the_default_text_limit(published):
    from anjian.meta.validation import DEFAULT_TEXT_MAX_LENGTH

    with pytest.raises(RecordValidationError) as info:
        published.records.create("enterprise", company(name="企" * 100_000), ACTOR)
    assert pointers(info)["/name"].code == "maxLength"
    # safety_rules declares no maxLength: the default limit holds (a 40 MB value was accepted once).
    with pytest.raises(RecordValidationError) as info:
        published.records.create("enterprise", company(safety_rules="规" * 1_000_000), ACTOR)
    assert pointers(info)["/safety_rules"].code == "maxLength"
    assert str(DEFAULT_TEXT_MAX_LENGTH) in pointers(info)["/safety_rules"].message
    created = published.records.create("enterprise", company(safety_rules="规" * DEFAULT_TEXT_MAX_LENGTH), ACTOR)
    assert len(created["safety_rules"]) == DEFAULT_TEXT_MAX_LENGTH


def link_documents(tmp_path):
    write_json(
        tmp_path / "inspection.json",
        entity_document(
            "inspection",
            {
                "enterprise_id": {"type": "integer", "title": "企业", "x-anjian": {"link": "enterprise"}},
                "found_on": {"type": "string", "format": "date", "title": "检查日期"},
            },
            required=["enterprise_id"],
        ),
    )
    return tmp_path


def test_links_to_missing_records_are_field_errors_and_referenced_records_cannot_be_deleted(published, tmp_path):
    published.publish([link_documents(tmp_path)])
    with pytest.raises(RecordValidationError) as info:
        published.records.create("inspection", {"enterprise_id": 4040}, ACTOR)
    assert pointers(info)["/enterprise_id"].code == "link"
    company_id = published.records.create("enterprise", company(), ACTOR)["id"]
    published.records.create("inspection", {"enterprise_id": company_id, "found_on": "2026-11-01"}, ACTOR)
    with pytest.raises(RecordConflict) as info:
        published.records.delete("enterprise", company_id, ACTOR)
    assert "引用" in info.value.errors[0].message


def test_every_write_is_in_the_hash_chained_audit_log_and_tampering_is_found(published):
    created = published.records.create("enterprise", company(), ACTOR)
    published.records.update("enterprise", created["id"], {"employees": 3}, ACTOR, partial=True)
    published.records.delete("enterprise", created["id"], ACTOR)
    with published.engine.begin() as conn:
        rows = conn.execute(audit_log.select().order_by(audit_log.c.id)).mappings().all()
        actions = [r["action"] for r in rows if r["entity"] == "enterprise"]
        assert actions == ["create", "update", "delete"]
        update_entry = next(r for r in rows if r["action"] == "update")
        assert update_entry["detail"]["changes"] == {"employees": [None, 3]}
        assert verify(conn) == (len(rows), None)
        conn.execute(update(audit_log).where(audit_log.c.id == update_entry["id"]).values(actor="someone-else"))
        count, fault = verify(conn)
    assert fault and f"entry {update_entry['id']}" in fault


def test_removed_audit_entries_break_the_chain(published):
    published.records.create("enterprise", company(), ACTOR)
    published.records.create("enterprise", company(name="第二家公司", credit_code="91512081MA62K0260E"), ACTOR)
    with published.engine.begin() as conn:
        ids = [r.id for r in conn.execute(audit_log.select().order_by(audit_log.c.id))]
        conn.execute(audit_log.delete().where(audit_log.c.id == ids[-2]))
        _, fault = verify(conn)
    assert fault and "removed" in fault


def test_read_only_fields_keep_their_stored_value(published, tmp_path):
    write_json(
        tmp_path / "permit.json",
        entity_document("permit", {"number": {"type": "string", "x-anjian": {"readonly": True}}, "holder": {"type": "string"}}),
    )
    published.publish([tmp_path])
    created = published.records.create("permit", {"number": "闽安许证字[2026]001", "holder": "甲"}, ACTOR)
    changed = published.records.update("permit", created["id"], {"number": "伪造", "holder": "乙"}, ACTOR)
    assert changed["number"] == "闽安许证字[2026]001" and changed["holder"] == "乙"
