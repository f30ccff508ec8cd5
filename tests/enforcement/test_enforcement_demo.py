"""The demo loader adds inspections and penalty cases at different steps, once, with running clocks."""

from sqlalchemy import select, text

from anjian import Actor
from anjian.demo_flows import load_demo_enforcement, load_demo_flows
from anjian.workflow.tables import deadline


def test_demo_enforcement_loads_once_with_cases_in_flight(bureau):
    platform, app = bureau["platform"], bureau["app"]
    with app.app_context():
        load_demo_flows(app, platform)
        assert load_demo_enforcement(app, platform) == 5
        assert load_demo_enforcement(app, platform) == 0
    admin = Actor("admin", is_admin=True)
    states = {}
    for entity in ("inspection_record", "penalty_case"):
        with platform.engine.connect() as conn:
            ids = conn.execute(select(platform.registry.table(entity).c.id).order_by(text("id"))).scalars().all()
        states[entity] = [platform.workflow.status(admin, entity, i)["state"] for i in ids]
    assert states == {
        "inspection_record": ["rectifying", "closed", "referred"],
        "penalty_case": ["statement", "proposed"],
    }
    with platform.engine.connect() as conn:
        rules = sorted(
            (row.entity, row.rule, row.status) for row in conn.execute(select(deadline).where(deadline.c.status == "open"))
        )
    assert ("inspection_record", "rectification", "open") in rules
    assert ("penalty_case", "decision", "open") in rules
    assert ("penalty_case", "hearing_request", "open") in rules
