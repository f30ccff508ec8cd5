"""Every case of the JSON Schema Test Suite through a single write (the API) and through import.

The verdicts must be the suite's on both paths, except the deviations docs/metadata.md lists
(DEVIATIONS below, each with its reason); a server error is never a verdict. Schemas that use
keywords a field may not declare must be refused by ``anjian check`` with a message.
"""

from __future__ import annotations

import json

from suite_cases import FIELD, Case, declarable, declarations, json_type, split_by_check

from anjian import Actor
from anjian.data.transfer import _cell, import_records
from anjian.meta.validation import INT64

ADMIN = Actor("admin", is_admin=True)

# Refusals by `anjian check`: a field may declare only the keywords docs/metadata.md lists, names
# are snake_case, formats are the five listed, a column has one type and 64-bit integer bounds.
REFUSALS = (
    "未知的关键字",
    "此处不允许",
    "is not of type 'object'",
    "不是 snake_case",
    "不符合 ^[a-z]",
    "字段声明了多个非空类型",
    "超出该列能存储的整数范围",
)


def deviation(case: Case, column: str) -> tuple[str, bool] | None:
    """(why, anjian's verdict) where it differs from the suite's on this case (docs/metadata.md)."""
    if case.data is None:
        return "null is absent", True
    if case.data == "" and column != "string":
        return "empty text is absent in fields that do not hold text", True
    if case.file == "format.json" and "only an annotation" in case.description:
        return "formats are assertions", False
    if json_type(case.data) in ("integer", "number") and abs(case.data) > INT64[1] and column == "integer":
        return "integers are 64-bit", False
    return None


def expected(case: Case, column: str) -> bool:
    """anjian's verdict: the suite's, or the documented deviation's (``column``: the field's type)."""
    differs = deviation(case, column)
    return differs[1] if differs else case.valid


def test_schemas_a_field_cannot_declare_are_refused_with_a_message():
    accepted, refused = split_by_check(declarations())
    unexplained = [text for _, text in refused if not any(reason in text for reason in REFUSALS)]
    assert unexplained == []
    assert all("#/properties/v" in text for _, text in refused)
    # The keywords fields may declare are the bulk of the suite: most cases run on both paths.
    assert sum(len(d.cases) for d in accepted) >= 600


def api_verdict(api, entity: str, data) -> tuple[bool, str]:
    response = api.post(f"/api/v1/e/{entity}", json={FIELD: data})
    if response.status_code == 201:
        return True, ""
    body = response.get_json()
    if response.status_code == 422 and all(e["pointer"].startswith(f"/{FIELD}") for e in body["error"]["errors"]):
        return False, ""
    return False, f"HTTP {response.status_code}: {body}"


def test_every_case_gets_the_suites_verdict_through_the_api_and_through_import(published, api):
    wrong: list[str] = []
    checked = 0
    for declared in declarable():
        spec = published.registry.entity(declared.entity)
        column = spec.field(FIELD)
        for case in declared.cases:
            valid, problem = api_verdict(api, declared.entity, case.data)
            if problem or valid != expected(case, column.type):
                wrong.append(f"API {case.name}: {case.data!r} -> {problem or valid}")
            checked += 1
        # The import reads every row of the entity's cases in one file, keeping the valid rows.
        rows = [[FIELD]] + [[case.data] for case in declared.cases]
        report = import_records(published.records, declared.entity, rows, ADMIN, skip_invalid=True)
        refused_rows = {e.row for e in report.errors}
        for number, case in enumerate(declared.cases, start=2):
            valid = number not in refused_rows
            try:
                cell = _cell(column, case.data)
            except ValueError:  # a cell the import cannot read as the column's type
                want = False
            else:
                if cell is None:  # a blank cell is absent
                    want = True
                elif json.dumps(cell) != json.dumps(case.data):
                    # The cell was read as the column's type: the verdict is the API's on that value.
                    want = api_verdict(api, declared.entity, cell)[0]
                else:
                    want = expected(case, column.type)
            if valid != want:
                wrong.append(f"import {case.name}: {case.data!r} -> {valid}")
    assert wrong == [], "\n".join(wrong)
    assert checked >= 600
