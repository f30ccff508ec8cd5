"""A single write and a bulk import give the same verdict on the same value (one compiled validator)."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anjian import Actor
from anjian.data.transfer import _cell, _prepare_row
from anjian.errors import RecordValidationError

pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
ADMIN = Actor("admin", is_admin=True)

values = st.one_of(
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=2),
    st.sampled_from(
        [
            "active",
            "C",
            "350524",
            "2024-02-30",
            "2024-02-29",
            "2023-W13-2",
            "20230101",
            "a@b.cn",
            "te..st@example.com",
            "not mail",
            "2024-01-01T08:00:00+08:00",
            "2024-01-01t08:00:00z",
            "2024-01-01T08:00:00Z\n",
            "12:00:00",
            "12:00:00+08:00",
            "2024-01-01 08:00",
            "0595-1234567",
            "０５９５-1234567",
            "91350200MA2YJ1XR9G",
            "x" * 20_001,
        ]
    ),
)
FIELDS = [
    "name",
    "credit_code",
    "region_code",
    "industry",
    "status",
    "employees",
    "email",
    "established_on",
    "contact_phone",
    "longitude",
    "has_safety_organisation",
    "economic_type",
    "safety_rules",
]
records = st.dictionaries(st.sampled_from(FIELDS), values, max_size=len(FIELDS))


def single_write(service, spec, record):
    try:
        service.prepare(spec, record, ADMIN, None)
    except RecordValidationError as exc:
        return {e.pointer: e.message for e in exc.errors}
    return {}


def bulk_import(service, spec, record):
    fields = [spec.field(name) for name in record]
    _, errors = _prepare_row(service, spec, fields, list(record.values()), ADMIN)
    return {e.pointer: e.message for e in errors}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record=records)
def test_single_write_and_import_agree(published, record):
    service = published.records
    spec = published.registry.entity("enterprise")
    imported = bulk_import(service, spec, record)
    try:
        cells = {name: _cell(spec.field(name), value) for name, value in record.items()}
    except ValueError:  # a cell the import cannot read as the column's type: refused there, and by the API
        assert imported and single_write(service, spec, record)
        return
    cells = {k: v for k, v in cells.items() if v is not None}
    if json.dumps(cells, sort_keys=True) == json.dumps(record, sort_keys=True):  # strict: 0 is not False
        assert imported == single_write(service, spec, record)
    else:  # the import read a cell as the column's type: the verdict is the API's on that value
        assert imported.keys() == single_write(service, spec, cells).keys()
