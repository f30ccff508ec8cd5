"""A deadline or extension outside the caller's reach answers exactly as a missing one does.

Anything else (a 403 for an existing id, a 404 naming the record) tells a probing user which ids
exist on records they may not read.
"""

from sqlalchemy import func, select

from anjian import Actor
from anjian.workflow.tables import deadline, extension

TOWN = "350524100000"
ENT = Actor("ent")


def _danger(county):
    return county["platform"].records.create(
        "hidden_danger",
        {
            "enterprise_id": county["firms"][0],
            "region_code": TOWN,
            "title": "期限探测隐患",
            "level": "major",
            "found_on": "2025-09-28",
            "description": "期限探测的隐患描述。",
            "measures": "整改",
            "responsible_person": "甲",
            "current_state": "现状说明",
            "cause": "原因分析",
            "severity": "危害程度分析",
            "difficulty": "整改难度分析",
        },
        ENT,
    )["id"]


def _strip(body, number):
    """The answer with the probed id taken out, so two answers can be compared."""
    return repr(body).replace(str(number), "#")


def test_a_deadline_of_another_users_record_looks_missing(county, api_as):
    platform = county["platform"]
    record = _danger(county)
    platform.workflow.take(ENT, "hidden_danger", record, "report_major", {})
    with platform.engine.connect() as conn:
        existing = conn.execute(select(deadline.c.id).where(deadline.c.record_id == record)).scalars().first()
        missing = conn.execute(select(func.max(deadline.c.id))).scalar_one() + 1000
    ask = {"amount": 1, "unit": "days", "reason": "探测"}
    # ent2 is an enterprise user of another enterprise; stranger an officer of another county.
    for user in ("ent2", "stranger"):
        call = api_as(user)
        forbidden = call("post", f"/api/v1/deadlines/{existing}/extensions", ask)
        absent = call("post", f"/api/v1/deadlines/{missing}/extensions", ask)
        assert forbidden[0] == absent[0] == 404, (user, forbidden, absent)
        assert _strip(forbidden[1], existing) == _strip(absent[1], missing), user
    ext = api_as("ent")("post", f"/api/v1/deadlines/{existing}/extensions", ask)
    assert ext[0] == 201
    with platform.engine.connect() as conn:
        no_ext = conn.execute(select(func.max(extension.c.id))).scalar_one() + 1000
    for user in ("ent2", "stranger"):
        call = api_as(user)
        forbidden = call("post", f"/api/v1/extensions/{ext[1]['id']}/decision", {"approve": True})
        absent = call("post", f"/api/v1/extensions/{no_ext}/decision", {"approve": True})
        assert forbidden[0] == absent[0] == 404, (user, forbidden, absent)
        assert _strip(forbidden[1], ext[1]["id"]) == _strip(absent[1], no_ext), user
