"""The resource directory (GET /api/v1/catalog), sideways packages, the schedule, and the
declarations' checks (file and JSON pointer)."""

import csv
import hashlib
import json

import pytest
from openpyxl import load_workbook

from anjian import Actor
from anjian.errors import MetadataErrors
from anjian.exchange import ExchangeError, make_package, run_due, send
from anjian.testing import write_json

ROOT = Actor("admin", is_admin=True)
SIDEWAYS = "enterprise_registry_sideways"


def test_the_directory_lists_each_exchange_with_its_fields_and_state(api, officer_api):
    answer = api.get("/api/v1/catalog")
    assert answer.status_code == 200
    resources = {r["exchange"]: r for r in answer.get_json()["resources"]}
    upward = resources["high_risk_enterprise_upward"]
    assert upward["direction"] == "upward" and upward["target"] == "city" and upward["entity_title"]
    assert upward["code"] == "350524-AJ-001" and upward["share_type"] == "有条件共享"
    assert {"name": "credit_code", "title": "统一社会信用代码"}.items() <= upward["fields"][1].items()
    assert upward["filter"]["high_risk_category"][0] == "hazardous_chemicals"
    assert (upward["sent"], upward["acknowledged"], upward["last_run_at"]) == (0, 0, None)
    assert resources[SIDEWAYS]["format"] == "xlsx"
    assert officer_api.get("/api/v1/catalog").status_code == 200
    document = api.get("/api/v1/openapi.json").get_json()
    assert {"/catalog", "/exchange/batches"} <= set(document["paths"])


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_a_sideways_package_holds_the_filtered_records_and_a_manifest(published, record_factory, tmp_path, monkeypatch, fmt):
    spec = published.registry.catalog.exchanges[SIDEWAYS]
    monkeypatch.setitem(published.registry.catalog.exchanges, SIDEWAYS, spec.model_copy(update={"format": fmt}))
    active = [record_factory.create("enterprise", status="active", name=f"共享企业{n}") for n in range(3)]
    record_factory.create("enterprise", status="closed")
    package = make_package(published, SIDEWAYS, tmp_path / "out", ROOT)
    assert package.folder.parent == tmp_path / "out" / "member-units"
    manifest = json.loads((package.folder / "manifest.json").read_text(encoding="utf-8"))
    data = package.folder / manifest["data_file"]
    assert manifest["records"] == package.records == len(active)
    assert manifest["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert manifest["fields"][0] == {"name": "name", "title": "企业名称", "type": "string", "values": {}}
    if fmt == "json":
        names = [row["name"] for row in json.loads(data.read_text(encoding="utf-8"))]
    elif fmt == "csv":
        rows = list(csv.reader(data.read_text(encoding="utf-8-sig").splitlines()))
        assert rows[0][0] == "企业名称"
        names = [row[0] for row in rows[1:]]
    else:
        book = load_workbook(data, read_only=True)
        rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
        assert rows[0][0] == "企业名称"
        names = [row[0] for row in rows[1:]]
    assert names == [r["name"] for r in active]


def test_directions_and_missing_settings_are_explained(published, monkeypatch, tmp_path):
    with pytest.raises(ExchangeError, match="sideways"):
        send(published, SIDEWAYS, ROOT)
    with pytest.raises(ExchangeError, match="ANJIAN_DEPLOYMENT_REGION"):
        send(published, "high_risk_enterprise_upward", ROOT)
    monkeypatch.setattr(published, "settings", published.settings.model_copy(update={"deployment_region": "350524"}))
    with pytest.raises(ExchangeError, match="no target 'city'"):
        send(published, "high_risk_enterprise_upward", ROOT)
    with pytest.raises(ExchangeError, match="upward"):
        make_package(published, "high_risk_enterprise_upward", tmp_path, ROOT)


def test_the_schedule_runs_what_is_due_once_per_period(published, clock, tmp_path):
    first = run_due(published, ROOT, tmp_path / "packages")
    assert set(first) == {"high_risk_enterprise_upward", SIDEWAYS}
    assert "ANJIAN_DEPLOYMENT_REGION" in first["high_risk_enterprise_upward"]["failed"]
    assert first[SIDEWAYS]["records"] == 0
    clock.advance(minutes=61)
    assert set(run_due(published, ROOT, tmp_path / "packages")) == {"high_risk_enterprise_upward"}  # hourly; the package weekly
    assert run_due(published, ROOT, tmp_path / "packages") == {}


def test_exchange_declarations_are_checked_with_file_and_pointer(published, tmp_path):
    declaration = {
        "exchange": "broken_upward",
        "title": "坏的交换",
        "entity": "enterprise",
        "fields": ["name", "no_such_field", "safety_staff"],
        "filter": {"status": ["gone"], "colour": ["red"]},
        "direction": "upward",
        "target": "city",
    }
    path = write_json(tmp_path / "decl" / "broken.exchange.json", declaration)
    with pytest.raises(MetadataErrors) as caught:
        published.publish([path.parent])
    found = {(e.path, e.pointer) for e in caught.value.errors}
    assert found == {
        (str(path), "/fields/1"),
        (str(path), "/fields/2"),
        (str(path), "/filter/status/0"),
        (str(path), "/filter/colour"),
    }
    wrong_entity = write_json(tmp_path / "decl2" / "x.exchange.json", {**declaration, "entity": "nothing", "direction": "down"})
    problems = published.check([wrong_entity.parent])
    assert {(e.pointer) for e in problems} == {"/direction"}


def test_the_commands_set_a_target_send_and_package(published, record_factory, tmp_path):
    from click.testing import CliRunner

    from anjian.cli.main import cli

    env = {"ANJIAN_HOME": str(published.settings.home), "ANJIAN_DATABASE_URL": published.settings.db_url}
    runner = CliRunner()
    bad = runner.invoke(cli, ["exchange", "target", "city", "--url", "ftp://city"], input="ajk_secret\n", env=env)
    assert bad.exit_code == 1 and "not an http(s) URL" in bad.output
    set_ = runner.invoke(cli, ["exchange", "target", "city", "--url", "http://127.0.0.1:9/api/v1"], input="ajk_secret\n", env=env)
    assert set_.exit_code == 0 and "ajk_secret" not in set_.output
    unset = runner.invoke(cli, ["exchange", "send", "high_risk_enterprise_upward"], env=env)
    assert unset.exit_code == 1 and "ANJIAN_DEPLOYMENT_REGION" in unset.output
    down = runner.invoke(
        cli, ["exchange", "send", "high_risk_enterprise_upward"], env={**env, "ANJIAN_DEPLOYMENT_REGION": "350524"}
    )
    assert down.exit_code == 0 and "0 sent" in down.output  # nothing high-risk yet: nothing to deliver
    record_factory.create("enterprise", region_code="350524", high_risk_category="mining")
    refused = runner.invoke(
        cli, ["exchange", "send", "high_risk_enterprise_upward"], env={**env, "ANJIAN_DEPLOYMENT_REGION": "350524"}
    )
    assert refused.exit_code == 1 and "1 sent" in refused.output and "1 pending" in refused.output
    assert "cannot be reached" in refused.output
    package = runner.invoke(cli, ["exchange", "package", SIDEWAYS, "-o", str(tmp_path / "pkg")], env=env)
    assert package.exit_code == 0 and "manifest.json" in package.output
    listing = runner.invoke(cli, ["exchange", "list"], env=env)
    assert listing.exit_code == 0 and "high_risk_enterprise_upward\tupward -> city" in listing.output
