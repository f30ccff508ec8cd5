"""The `anjian` command as a user runs it: exit codes, one-line messages, never a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from anjian.testing import entity_document, write_json

INVALID = Path(__file__).parent.parent / "fixtures" / "metadata" / "invalid"

# Every test starts real `anjian` processes (about 40 s together): they run in the process pass.
pytestmark = pytest.mark.slow


@pytest.fixture
def run(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANJIAN_")}
    env.update(ANJIAN_HOME=str(tmp_path / "var"), ANJIAN_SECRET_KEY="cli-test-secret-0123456789-0123456789")

    def call(*args, cwd=None, check=None, language=None):
        result = subprocess.run(
            [sys.executable, "-m", "anjian.cli", *args],
            env={**env, "ANJIAN_LANGUAGE": language} if language else env,
            cwd=cwd or tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "Traceback" not in result.stdout + result.stderr, result.stderr
        if check is not None:
            assert result.returncode == check, result.stdout + result.stderr
        return result

    return call


def test_check_passes_on_the_shipped_metadata(run):
    assert "all declarations are valid" in run("check", check=0).stdout


def test_check_reports_every_problem_of_every_file(run):
    result = run("check", str(INVALID / "dangling_references"), str(INVALID / "bad_names"), check=1)
    lines = result.stdout.strip().splitlines()
    expected = [
        (INVALID / case / "expected.txt").read_text(encoding="utf-8").splitlines()
        for case in ("dangling_references", "bad_names")
    ]
    assert len(lines) == sum(map(len, expected)) == 12
    assert all("#/" in line and ": " in line for line in lines)
    assert "12 problem(s) in 3 file(s)" in result.stderr


def test_check_of_a_missing_path_is_a_clear_error(run, tmp_path):
    result = run("check", str(tmp_path / "nowhere.json"), check=1)
    assert "文件或文件夹不存在" in result.stdout
    english = run("check", str(tmp_path / "nowhere.json"), check=1, language="en")
    assert "no such file or folder. Check the path." in english.stdout


def test_publish_then_refuse_a_destructive_change_then_confirm(run, tmp_path):
    run("publish", check=0)
    folder = tmp_path / "decl"
    write_json(
        folder / "site.json", entity_document("site", {"name": {"type": "string", "maxLength": 30}, "note": {"type": "string"}})
    )
    first = run("publish", str(folder), check=0)
    assert "create_table site" in first.stdout and "published catalog version 2" in first.stdout
    again = run("publish", str(folder), check=0)
    assert "up to date" in again.stdout
    csv_file = tmp_path / "sites.csv"
    csv_file.write_text("name,note\n凤城站,保留\n", encoding="utf-8")
    assert "imported 1 of 1" in run("import", "site", str(csv_file), check=0).stdout
    write_json(folder / "site.json", entity_document("site", {"name": {"type": "string", "maxLength": 30}}, drop_fields=["note"]))
    refused = run("publish", str(folder), check=3)
    assert "DESTRUCTIVE drop_column site.note: 1 stored values would be deleted" in refused.stdout
    assert "--confirm-destructive" in refused.stderr
    dry = run("publish", str(folder), "--dry-run", "--confirm-destructive", check=0)
    assert "dry run: nothing changed" in dry.stdout
    done = run("publish", str(folder), "--confirm-destructive", check=0)
    assert "data exported before destructive changes" in done.stdout
    exported = next(line.strip(" -") for line in done.stdout.splitlines() if line.strip().endswith(".csv"))
    assert "保留" in Path(exported).read_text(encoding="utf-8")


def test_import_errors_and_export(run, tmp_path):
    run("publish", check=0)
    bad = tmp_path / "bad.csv"
    bad.write_text("企业名称,industry\n某某,ZZ\n", encoding="utf-8")
    result = run("import", "enterprise", str(bad), check=1)
    assert "row 2 /industry" in result.stdout and "nothing imported" in result.stderr
    out = tmp_path / "out.xlsx"
    assert "exported 0 record(s)" in run("export", "enterprise", "--format", "xlsx", "-o", str(out), check=0).stdout
    assert out.exists()
    assert "unknown" not in run("export", "enterprise", "-o", str(tmp_path / "o.csv"), "--filter", "industry=C", check=0).stderr
    refused = run("export", "enterprise", "-o", str(tmp_path / "o.csv"), "--filter", "colour=red", check=1)
    assert "/query/colour" in refused.stderr


def test_audit_verify(run):
    run("publish", check=0)
    assert "audit chain intact: 1 entries" in run("audit", "verify", check=0).stdout


def test_configuration_errors_are_one_clear_message(run, tmp_path):
    env = {**os.environ, "ANJIAN_PROT": "5000", "ANJIAN_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "anjian.cli", "check"], env=env, capture_output=True, text=True)
    assert result.returncode == 2 and "ANJIAN_PROT: unknown setting" in result.stderr
    assert "Traceback" not in result.stderr


def test_accounts_grants_and_explain(run):
    run("publish", check=0)
    run("user", "add", "fengcheng", "--type", "agency", "--region", "350524100000", check=0)
    added = run("grant", "add", "fengcheng", "registry_clerk", "350524100000", check=0)
    grant_id = added.stdout.split()[1].rstrip(":")
    assert f"{grant_id}\tfengcheng\tregistry_clerk\t350524100000" in run("grant", "list", check=0).stdout
    explained = run("authz", "explain", "--user", "fengcheng", "--entity", "enterprise", check=0).stdout
    assert "registry_clerk in 350524100000 -> read, create, update, export" in explained
    assert "enterprise.region_code >= '350524100'" in explained
    assert "/region_code" in run("grant", "add", "fengcheng", "registry_clerk", "999999", check=1).stderr
    assert f"grant {grant_id} revoked" in run("grant", "revoke", grant_id, check=0).stdout
    assert "no grants" in run("authz", "explain", "--user", "fengcheng", "--entity", "enterprise", check=0).stdout
    assert "不存在或已撤销" in run("grant", "revoke", grant_id, check=1).stderr


def test_init_on_a_fresh_home_sends_nobody_to_fab_commands(run):
    result = run("init", check=0)
    output = result.stdout + result.stderr
    assert "admin" in output  # the administrator it created, not FAB's "use flask fab command"
    assert "flask fab" not in output
