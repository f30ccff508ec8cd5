"""Complaints with tracking codes, urging and supervision; concurrent transitions; processes edited in flight."""

import json
import threading

import pytest
from sqlalchemy import select

from anjian import Actor
from anjian.config import bundled_metadata_path
from anjian.errors import WorkflowRefused
from anjian.meta.loader import parse_document
from anjian.workflow.tables import instance

pytestmark = pytest.mark.postgres
TOWN = "350524100000"
OFFICER, HEAD, HANDLER = Actor("officer"), Actor("head"), Actor("handler")


def complaint(platform, **extra):
    return platform.records.create(
        "complaint",
        {
            "received_at": "2025-09-29T10:00:00+08:00",
            "channel": "hotline",
            "subject": "烟花爆竹非法储存",
            "content": "民房内大量储存烟花爆竹。",
            "region_code": TOWN,
            **extra,
        },
        OFFICER,
    )


def test_complaint_runs_from_screening_to_archive_with_a_tracking_code(county, api_as):
    platform = county["platform"]
    record = complaint(platform)
    code = record["tracking_code"]
    assert code.startswith("TS") and len(code) == 13
    other = complaint(platform)
    assert other["tracking_code"] != code
    officer, head, handler = api_as("officer"), api_as("head"), api_as("handler")
    url = f"/api/v1/e/complaint/{record['id']}/transitions"
    assert officer("post", f"{url}/accept", {})[0] == 200
    status, body = officer("patch", f"/api/v1/e/complaint/{record['id']}", {"tracking_code": "TSAAAAA-AAAAA"})
    assert status == 200 and body["tracking_code"] == code  # computed once, never changed
    agency = platform.records.create(
        "agency",
        {"name": "凤城镇安监站", "kind": "township_office", "level": "township", "region_code": TOWN},
        Actor("admin", is_admin=True),
    )
    assert officer("post", f"{url}/dispatch", {"data": {"handling_unit": agency["id"]}})[0] == 403  # the head dispatches
    assert head("post", f"{url}/dispatch", {"data": {"handling_unit": agency["id"]}})[0] == 200
    # 催办: the head urges the handler, who gets a notice; the history records it.
    status, body = head("post", f"/api/v1/e/complaint/{record['id']}/urge", {"message": "请今日内核查"})
    assert status == 200 and body["notified"] == 1
    assert officer("post", f"/api/v1/e/complaint/{record['id']}/urge", {})[0] == 403  # clerks may not urge
    status, body = handler("get", "/api/v1/notices")
    assert body["unread"] >= 1 and any(n["kind"] == "urge" and "请今日内核查" in n["body"] for n in body["items"])
    status, body = handler(
        "post", f"{url}/report_handling", {"data": {"onsite_record": "现场已查封，移交公安", "result": "substantiated"}}
    )
    assert status == 200, body
    assert officer("post", f"{url}/answer", {"data": {"answer": "经核查属实，已依法处理。"}})[0] == 200
    status, body = officer("post", f"{url}/archive", {})
    assert status == 200 and body["state"] == "archived"
    status, body = officer("get", url)
    steps = [h["transition"] for h in body["history"]]
    assert steps == ["_start", "accept", "dispatch", "_urge", "report_handling", "answer", "archive"]
    assert {d["rule"]: d["status"] for d in body["deadlines"]} == {"screening": "met", "handling": "met", "answer": "met"}
    # The stranger from another county sees nothing of it.
    assert api_as("stranger")("get", url)[0] == 404


def test_two_officers_taking_the_same_step_at_once_give_one_transition_and_one_conflict(county):
    platform = county["platform"]
    record = complaint(platform)["id"]
    results, barrier = [], threading.Barrier(2)

    def act(actor):
        barrier.wait()
        try:
            platform.workflow.take(actor, "complaint", record, "accept", {})
            results.append("ok")
        except WorkflowRefused as exc:
            results.append(exc.http_status)

    threads = [threading.Thread(target=act, args=(a,)) for a in (OFFICER, HEAD)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results, key=str) == [409, "ok"]
    status = platform.workflow.status(OFFICER, "complaint", record)
    assert [h["transition"] for h in status["history"]] == ["_start", "accept"]


def _process_document(changes):
    path = bundled_metadata_path() / "complaints" / "complaint.process.json"
    content = json.loads(path.read_text(encoding="utf-8"))
    changes(content)
    return parse_document(str(path), json.dumps(content, ensure_ascii=False))


def test_a_changed_process_never_breaks_records_in_flight(county):
    platform = county["platform"]
    old = complaint(platform)["id"]
    platform.workflow.take(OFFICER, "complaint", old, "accept", {})

    def add_review(content):  # v2: accepted complaints go through a review before dispatch
        content["states"]["reviewing"] = {"title": "审核中"}
        dispatch = next(t for t in content["transitions"] if t["name"] == "dispatch")
        dispatch["from"] = "reviewing"
        content["transitions"].append(
            {"name": "review", "title": "送审", "from": "accepted", "to": "reviewing", "roles": ["complaint_clerk"]}
        )

    platform.publish(documents=[_process_document(add_review)])
    new = complaint(platform)["id"]
    platform.workflow.take(OFFICER, "complaint", new, "accept", {})
    before = platform.workflow.status(HEAD, "complaint", old)
    after = platform.workflow.status(HEAD, "complaint", new)
    assert (before["version"], after["version"]) == (1, 2)
    assert [t["name"] for t in before["transitions"]] == ["dispatch"]  # the old record finishes on version 1
    assert [t["name"] for t in after["transitions"]] == ["review"]
    agency = platform.records.create(
        "agency",
        {"name": "凤城镇安监站", "kind": "township_office", "level": "township", "region_code": TOWN},
        Actor("admin", is_admin=True),
    )
    platform.workflow.take(HEAD, "complaint", old, "dispatch", {"data": {"handling_unit": agency["id"]}})
    with pytest.raises(WorkflowRefused):
        platform.workflow.take(HEAD, "complaint", new, "dispatch", {"data": {"handling_unit": agency["id"]}})


def test_a_declared_migration_moves_records_in_flight(county):
    platform = county["platform"]
    waiting = complaint(platform)["id"]  # in "received"
    accepted = complaint(platform)["id"]
    platform.workflow.take(OFFICER, "complaint", accepted, "accept", {})

    def rename(content):  # v2 renames "received" to "screening" and says how records move
        content["states"]["screening"] = content["states"].pop("received")
        content["start"] = "screening"
        for t in content["transitions"]:
            t["from"] = "screening" if t["from"] == "received" else t["from"]
        for d in content["deadlines"]:
            if d["starts"].get("state") == "received":
                d["starts"]["state"] = "screening"
        content["migration"] = {"states": {"received": "screening"}}

    heard = []
    platform.workflow.on_step(lambda step: heard.append((step.transition, step.record["id"], step.from_state, step.to_state)))
    platform.publish(documents=[_process_document(rename)])
    with platform.engine.connect() as conn:
        rows = {r.record_id: (r.state, r.version) for r in conn.execute(select(instance).where(instance.c.entity == "complaint"))}
    assert rows == {waiting: ("screening", 2), accepted: ("accepted", 2)}
    # step listeners hear of each move like of any step (a record that stays in its state moves too, to the new version)
    moves = {(waiting, "received", "screening"), (accepted, "accepted", "accepted")}
    assert {(record, was, now) for step, record, was, now in heard if step == "_migrate"} == moves and len(heard) == 2
    assert platform.workflow.status(OFFICER, "complaint", waiting)["history"][-1]["transition"] == "_migrate"
    platform.workflow.take(OFFICER, "complaint", waiting, "accept", {})
