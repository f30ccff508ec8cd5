"""Bad record bodies get field errors (422), never a server error; patterns cannot be slow."""

from __future__ import annotations

import pytest

from anjian.meta.validation import DEFAULT_TEXT_MAX_LENGTH, RecordValidator
from anjian.testing.helpers import entity_document, write_json

COMPANY = {"name": "安溪县测试茶叶有限公司", "credit_code": "91350200MA2YJ1XR9G", "region_code": "350524100000", "industry": "C"}


@pytest.fixture
def published(platform, tmp_path):
    """The standard declarations plus an entity with a pattern, a link, a number and a time."""
    write_json(
        tmp_path / "probe.json",
        entity_document(
            "probe",
            {
                "code": {"type": "string", "pattern": "^(a+)+$"},
                "digits": {"type": "string", "pattern": "^\\d+$"},
                "letters": {"type": "string", "pattern": "^\\p{L}+$"},
                "company_id": {"type": "integer", "x-anjian": {"link": "enterprise"}},
                "amount": {"type": "number"},
                "at": {"type": "string", "format": "time"},
                "on": {"type": "string", "format": "date"},
                "moment": {"type": "string", "format": "date-time"},
                "memo": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "string"}},
            },
        ),
    )
    platform.publish([*platform.metadata_paths(), tmp_path])
    return platform


def errors_of(response):
    assert response.status_code == 422, (response.status_code, response.get_json())
    return {e["pointer"]: e for e in response.get_json()["error"]["errors"]}


def test_child_rows_that_are_not_objects_are_field_errors(api):
    for item in ["x", 1, None, ["a"], True]:
        errors = errors_of(api.post("/api/v1/e/enterprise", json={**COMPANY, "safety_staff": [item]}))
        assert errors["/safety_staff/0"]["code"] == "type"
        assert errors["/safety_staff/0"]["message"] == "应为对象"
    errors = errors_of(api.post("/api/v1/e/enterprise", json={**COMPANY, "safety_staff": {"name": "x"}}))
    assert errors["/safety_staff"]["code"] == "type"


def test_integers_beyond_what_the_column_holds_are_field_errors(api):
    for value in (2**64, -(2**63) - 1, 10**400):
        errors = errors_of(api.post("/api/v1/e/enterprise", json={**COMPANY, "employees": value}))
        assert errors["/employees"]["code"] in ("maximum", "minimum")
    errors = errors_of(api.post("/api/v1/e/probe", json={"company_id": 2**40, "amount": 10**400}))
    assert errors["/company_id"]["code"] == "maximum"
    assert errors["/amount"]["code"] == "maximum"
    # An integer that a DOUBLE column holds is stored as a number.
    created = api.post("/api/v1/e/probe", json={"amount": 2**70})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["amount"] == float(2**70)


def test_lone_surrogates_are_field_errors(api):
    response = api.post(
        "/api/v1/e/probe", data='{"memo": "a\\ud800", "tags": ["ok", "\\udfff"]}', headers={"Content-Type": "application/json"}
    )
    errors = errors_of(response)
    assert errors["/memo"]["code"] == "encoding" and errors["/tags/1"]["code"] == "encoding"


@pytest.mark.timeout(20)
def test_patterns_match_in_linear_time(api):
    # ^(a+)+$ took 2 s on 26 characters with a backtracking engine, tripling every 2 more.
    errors = errors_of(api.post("/api/v1/e/probe", json={"code": "a" * 5_000 + "b"}))
    assert errors["/code"]["code"] == "pattern"
    assert api.post("/api/v1/e/probe", json={"code": "a" * 5_000}).status_code == 201


def test_patterns_have_ecma_262_semantics(api):
    errors = errors_of(api.post("/api/v1/e/probe", json={"digits": "١٢٣"}))  # \d is [0-9] in ECMA-262, not Unicode digits
    assert errors["/digits"]["code"] == "pattern"
    assert api.post("/api/v1/e/probe", json={"digits": "123", "letters": "安溪Anxi"}).status_code == 201


FORMATS = [
    ("at", "12:00:00", False),  # time needs an offset
    ("at", "12:00:00+08:00", True),
    ("on", "2023-W13-2", False),  # no ISO week dates
    ("on", "20230101", False),
    ("moment", "2024-01-01t08:00:00z", True),  # lower-case t and z
    ("moment", "1998-12-31T23:59:60Z", True),  # a leap second
    ("moment", "2024-01-01T08:00:00Z\n", False),  # no trailing newline
]


def test_formats_as_the_suite_defines_them_on_api_and_import(published, api):
    from anjian import Actor
    from anjian.data.transfer import import_records

    for field, value, valid in FORMATS:
        response = api.post("/api/v1/e/probe", json={field: value})
        assert response.status_code == (201 if valid else 422), (value, response.get_json())
        report = import_records(published.records, "probe", [[field], [value]], Actor("admin", is_admin=True))
        assert report.committed is valid, (value, report.errors)
    assert api.get("/api/v1/e/probe?sort=id").status_code == 200  # the leap second is stored and read back
    for email in ["@example.com", "joe.bloggs@", "te..st@example.com"]:
        errors = errors_of(api.post("/api/v1/e/enterprise", json={**COMPANY, "email": email}))
        assert errors["/email"]["code"] == "format"


def test_text_without_max_length_has_the_default_limit_on_every_path(published, api):
    from anjian import Actor
    from anjian.data.transfer import import_records

    too_long = "规" * (DEFAULT_TEXT_MAX_LENGTH + 1)
    assert errors_of(api.post("/api/v1/e/probe", json={"memo": too_long}))["/memo"]["code"] == "maxLength"
    report = import_records(published.records, "probe", [["memo"], [too_long]], Actor("admin", is_admin=True))
    assert not report.committed and report.errors[0].pointer == "/memo"
    schema = api.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    probe = next(s for name, s in schema.items() if name.startswith("probe") and "memo" in s.get("properties", {}))
    assert probe["properties"]["memo"]["maxLength"] == DEFAULT_TEXT_MAX_LENGTH


def test_the_validator_reports_every_extra_property():
    validator = RecordValidator({"type": "object", "properties": {}, "additionalProperties": False})
    assert [v.path for v in validator.violations({"a": 1, "b": 2})] == [("a",), ("b",)]
