"""One verdict on every path: the same value gets the same field error (pointer and Chinese message)
from a single write over the API, a bulk import, the entry screen, a workflow step (screen and
API) and a plugin's write inside its own transaction (as the monitoring plugin writes alarms)."""

import re

import pytest

from anjian import Actor
from anjian.data.db import write
from anjian.data.transfer import import_records
from anjian.errors import RecordValidationError

PASSWORD = "Flow-pass-1"
TOWN = "350524100000"
ADMIN = Actor("admin", is_admin=True)
# Dates a second validator once judged differently (import accepted an ISO week date and a trailing newline).
VALUES = ["2023-W13-2", "2025-10-01\n"]


def danger(county, **values):
    return {
        "enterprise_id": county["firms"][0],
        "region_code": TOWN,
        "title": "配电箱未接地",
        "level": "major",
        "found_on": "2025-09-28",
        "description": "二车间配电箱外壳未接地。",
        "measures": "重新接地",
        "responsible_person": "电工",
        "current_state": "外壳带电风险",
        "cause": "安装遗漏",
        "severity": "可致触电",
        "difficulty": "需停电施工",
        "rectify_deadline": "2025-12-01",
        **values,
    }


def login(county, user):
    client = county["app"].test_client()
    assert client.post("/login/", data={"username": user, "password": PASSWORD}).status_code == 302
    return client


def field_errors(html):
    return dict(re.findall(r'data-for="([^"]+)">([^<]+)<', html))


def api_errors(response):
    assert response[0] == 422, response
    return {e["pointer"]: e["message"] for e in response[1]["error"]["errors"]}


@pytest.mark.parametrize("value", VALUES)
def test_a_record_field_gets_one_verdict_on_every_path(county, api_as, value):
    platform = county["platform"]
    spec = platform.registry.entity("hidden_danger")
    record = danger(county, found_on=value)
    by_api = api_errors(api_as("ent")("post", "/api/v1/e/hidden_danger", record))
    assert list(by_api) == ["/found_on"]

    if value == value.strip():  # a form field is trimmed: a line break cannot be typed into it
        screen = login(county, "ent").post("/e/hidden_danger/new", data={k: str(v) for k, v in record.items()})
        assert screen.status_code == 422 and field_errors(screen.get_data(as_text=True))["found_on"] == by_api["/found_on"]

    sheet = [list(record), list(record.values())]
    report = import_records(platform.records, "hidden_danger", sheet, ADMIN)
    assert not report.committed and {e.pointer: e.message for e in report.errors} == by_api

    with write(platform.engine) as conn, conn.begin(), pytest.raises(RecordValidationError) as refused:
        platform.records.create_in(conn, spec, record, ADMIN)  # a plugin writing in its own transaction
    assert {e.pointer: e.message for e in refused.value.errors} == by_api


@pytest.mark.parametrize("value", ["2025-02-30"])
def test_a_step_form_field_gets_the_single_writes_verdict(county, api_as, value):
    by_write = api_errors(api_as("ent")("post", "/api/v1/e/hidden_danger", danger(county, rectify_deadline=value)))
    status, body = api_as("ent")("post", "/api/v1/e/hidden_danger", danger(county))
    assert status == 201, body
    url = f"/e/hidden_danger/{body['id']}/transitions"
    assert api_as("ent")("post", f"/api/v1{url}/report_major", {"comment": "请审核"})[0] == 200

    if value == value.strip():  # a form field is trimmed (as above)
        step = login(county, "officer").post(f"{url}/confirm_major", data={"rectify_deadline": value, "comment": "认定"})
        assert step.status_code == 422
        assert field_errors(step.get_data(as_text=True))["rectify_deadline"] == by_write["/rectify_deadline"]
    by_step = api_errors(api_as("officer")("post", f"/api/v1{url}/confirm_major", {"data": {"rectify_deadline": value}}))
    assert by_step == by_write
