"""The import's row pipeline (rules resolved once per import) and its driver-level inserts give the
verdicts and the stored rows a single write gives."""

import datetime as dt

import pytest
from sqlalchemy import insert

from anjian import Actor
from anjian.data.bulk_insert import driver_statement, insert_records
from anjian.data.db import write
from anjian.data.transfer import _prepare_row, import_records
from anjian.errors import PermissionDenied, RecordValidationError
from anjian.hooks import hookimpl
from anjian_registry.uscc import check_character, organisation_check_character

ADMIN = Actor("admin", is_admin=True)
TOWN = "350524100000"


def code(prefix8, body="MA2YJ1XR", position17=None):
    first17 = prefix8 + body + (position17 or organisation_check_character(body))
    return first17 + check_character(first17)


def firm(**values):
    return {"name": "管线测试有限公司", "credit_code": code("91350524"), "region_code": TOWN, "industry": "C", **values}


WRONG17 = "2" if organisation_check_character("MA2YJ1XR") != "2" else "3"
ROWS = {
    "valid": firm(employees=12, established_on="2010-05-01", has_safety_organisation=True),
    "retired region": firm(region_code="350182"),
    "unknown industry": firm(industry="ZZ"),
    "unknown region": firm(region_code="999999"),
    "check character": firm(credit_code=code("91350524")[:17] + ("0" if code("91350524")[17] != "0" else "1")),
    "organisation check": firm(credit_code=code("91350524", position17=WRONG17)),
    "region not in table": firm(credit_code=code("91350999")),
    "malformed code": firm(credit_code="91350524MA2YJ1XRI"),
    "lower case code": firm(credit_code="  " + code("91350524").lower() + " "),
    "computed input": firm(registration_region="110000"),
    "bad formats": firm(email="te..st@example.com", established_on="2023-W13-2"),
    "missing name": {k: v for k, v in firm().items() if k != "name"},
    "wrong types": firm(employees=True, position="here", licence_files="f1"),
    "text too long": firm(safety_rules="x" * 20_001),
    "lone surrogate": firm(address="\ud800"),
}


def single_write(service, spec, record, actor):
    """The single write's verdict before the database: {pointer: message}."""
    try:
        checked, _ = service.prepare(spec, record, actor, None)
        service.access.check_record(actor, spec, checked, "create")
    except RecordValidationError as exc:
        return {e.pointer: e.message for e in exc.errors}
    except PermissionDenied as exc:
        return {"": str(exc)}
    return {}


def imported(service, spec, record, actor):
    fields = [spec.field(name) for name in record]
    _, errors = _prepare_row(service, spec, fields, list(record.values()), actor)
    return {e.pointer: e.message for e in errors}


@pytest.mark.parametrize("case", sorted(ROWS))
def test_an_imported_row_gets_the_single_writes_verdict_and_messages(published, clock, case):
    clock.set_local("2025-10-09 09:00")
    service, spec = published.records, published.registry.entity("enterprise")
    record = ROWS[case]
    expected = single_write(service, spec, record, ADMIN)
    assert imported(service, spec, record, ADMIN) == expected
    assert (expected == {}) == (case in ("valid", "lower case code", "computed input"))


def test_the_region_check_of_a_scoped_officer_is_the_single_writes(published, clock):
    service, spec = published.records, published.registry.entity("enterprise")
    published.access.store.add_grant(ADMIN, "officer", "registry_clerk", "350524")
    officer = Actor("officer")
    inside, outside = firm(), firm(region_code="350102")
    assert imported(service, spec, inside, officer) == single_write(service, spec, inside, officer) == {}
    refused = imported(service, spec, outside, officer)
    assert refused == single_write(service, spec, outside, officer) and list(refused) == [""]


def test_dated_codes_are_checked_against_the_day_of_the_import(published, clock):
    sheet = [["name", "credit_code", "region_code", "industry"], ["长乐老字号有限公司", code("91350100"), "350182", "C"]]
    clock.set_local("2025-10-09 09:00")
    refused = import_records(published.records, "enterprise", sheet, ADMIN)
    assert not refused.committed and [(e.pointer, "停用" in e.message) for e in refused.errors] == [("/region_code", True)]
    clock.set_local("2016-06-01 09:00")  # 长乐市 (350182) was in force
    report = import_records(published.records, "enterprise", sheet, ADMIN)
    assert report.committed and report.created == 1, report.errors


STORED = [
    firm(name="甲", employees=12, established_on="2010-05-01", longitude=118, latitude=24.5, has_safety_organisation=True),
    firm(name="乙", credit_code=code("91350524", body="MA3ABCDE"), position={"lng": 118.1, "lat": 24.9}, licence_files=["f1"]),
    firm(name="丙", credit_code=code("91350524", body="MA4KLMNP"), has_safety_organisation=False, status="suspended"),
    {"name": "丁"},
]


def stored_rows(conn, table, first_id):
    columns = ", ".join(c.name for c in table.c if c.name != "id")
    sql = (
        f"SELECT {columns}, " + ", ".join(f"typeof({c.name})" for c in table.c) + f" FROM {table.name} WHERE id >= ? ORDER BY id"
    )
    return [tuple(row) for row in conn.exec_driver_sql(sql, (first_id,))]


def test_driver_rows_store_exactly_what_sqlalchemy_stores(published, clock):
    service, spec = published.records, published.registry.entity("enterprise")
    table = published.registry.table("enterprise")
    now = published.codec.now()
    stamp = {"created_at": now, "updated_at": now, "created_by": "bulk", "updated_by": "bulk", "row_version": 1}
    with write(published.engine) as conn:
        with conn.begin() as transaction:
            assert driver_statement(conn, table, spec.column_names, {}, stamp) is not None  # the driver path is taken
            ids = insert_records(conn, table, spec, service.codec, STORED, stamp)
            assert [row[0] for row in conn.exec_driver_sql(f"SELECT id FROM {table.name} ORDER BY id")] == ids
            by_driver = stored_rows(conn, table, ids[0])
            transaction.rollback()
        with conn.begin() as transaction:
            conn.execute(insert(table), [{**service.row_values(spec, r), **stamp} for r in STORED])
            by_sqlalchemy = stored_rows(conn, table, 0)
            transaction.rollback()
    assert len(by_driver) == len(STORED) and by_driver == by_sqlalchemy
    assert dt.date.fromisoformat(by_driver[0][[c.name for c in table.c].index("established_on") - 1])


def test_tables_with_python_side_defaults_are_left_to_sqlalchemy(published):
    child = published.registry.entity("enterprise").child_fields[0].child
    spec, table = published.registry.entity(child, child_ok=True), published.registry.table(child)
    with published.engine.connect() as conn:
        assert driver_statement(conn, table, spec.column_names, {"parent_id": 1}, {}) is None  # position has default=0


class _LongForm:
    """A plugin's normalisation: 有限公司 written out as 有限责任公司."""

    @hookimpl
    def anjian_record_normalise(self, entity, record, old):
        name = record.get("name")
        return {"name": name.replace("有限公司", "有限责任公司")} if entity.name == "enterprise" and isinstance(name, str) else {}


def test_a_plugins_normalisation_applies_to_imported_rows_as_to_single_writes(published, clock):
    clock.set_local("2025-10-09 09:00")
    service, spec = published.records, published.registry.entity("enterprise")
    record = firm()
    published.host.pm.register(_LongForm(), name="long_form")
    try:
        single, _ = service.prepare(spec, record, ADMIN, None)
        row, errors = _prepare_row(service, spec, [spec.field(n) for n in record], list(record.values()), ADMIN)
    finally:
        published.host.pm.unregister(name="long_form")
    assert errors == [] and row["name"] == single["name"] == "管线测试有限责任公司"
