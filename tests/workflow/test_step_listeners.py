"""Step listeners: told of every step inside its transaction, after the instance moved and the step
was logged, and able to roll it back; and the plugin hook ``anjian_step_taken`` the runtime wires
to them."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from anjian import Actor
from anjian.hooks import PluginInfo, hookimpl
from anjian.store.clock import utc_now
from anjian.workflow.tables import deadline, history, instance

pytestmark = pytest.mark.postgres
TOWN = "350524100000"
ENT, OFFICER = Actor("ent"), Actor("officer")


def statistics(platform, firm, actor=ENT):
    """A quarterly hidden-danger statistics report of ``firm``, signed and ready to submit."""
    body = {"enterprise_id": firm, "region_code": TOWN, "period": "quarter", "year": 2025, "quarter": 3}
    return platform.records.create("hazard_statistics", {**body, "general_found": 2, "signed_by": "陈总经理"}, actor)["id"]


class Heard:
    """A listener keeping each step it hears with what the step's own connection shows at that
    moment (the instance's state, the last history line); raises on the step named ``refuse``."""

    def __init__(self, refuse=None):
        self.steps, self.seen, self.refuse = [], [], refuse

    def __call__(self, step):
        conn, entity, record_id = step.connection, step.entity.name, step.record["id"]
        where = (instance.c.entity == entity, instance.c.record_id == record_id)
        state = conn.execute(select(instance.c.state).where(*where)).scalar_one()
        logged = conn.execute(
            select(history.c.transition)
            .where(history.c.entity == entity, history.c.record_id == record_id)
            .order_by(history.c.id.desc())
            .limit(1)
        ).scalar_one()
        self.steps.append(step)
        self.seen.append((step.transition, step.from_state, step.to_state, step.actor.username, state, logged))
        if step.transition == self.refuse:
            raise RuntimeError(f"监听拒绝「{step.transition}」")


def test_listeners_hear_every_step_after_the_move_inside_its_transaction(county):
    platform, clock = county["platform"], county["clock"]
    heard = Heard()
    platform.workflow.on_step(heard)
    record = statistics(platform, county["firms"][0])
    clock.advance(hours=2)
    platform.workflow.take(ENT, "hazard_statistics", record, "submit", {})
    platform.workflow.take(OFFICER, "hazard_statistics", record, "receive", {})
    assert heard.seen == [
        ("_start", None, "draft", "ent", "draft", "_start"),
        ("submit", "draft", "submitted", "ent", "submitted", "submit"),
        ("receive", "submitted", "received", "officer", "received", "receive"),
    ]
    submit = heard.steps[1]
    assert submit.moved and submit.now == utc_now() == heard.steps[0].now + dt.timedelta(hours=2)  # the step's moment
    assert (submit.entity.name, submit.process.name, submit.record["id"]) == (
        "hazard_statistics",
        "hazard_statistics_flow",
        record,
    )
    assert submit.record["signed_by"] == "陈总经理" and submit.record["general_found"] == 2


def test_a_listener_that_raises_rolls_the_step_back(county):
    platform = county["platform"]
    record = statistics(platform, county["firms"][0])
    platform.workflow.on_step(Heard(refuse="submit"))
    with pytest.raises(RuntimeError, match="监听拒绝「submit」"):
        platform.workflow.take(ENT, "hazard_statistics", record, "submit", {})
    status = platform.workflow.status(ENT, "hazard_statistics", record)
    assert status["state"] == "draft" and [h["transition"] for h in status["history"]] == ["_start"]
    with platform.engine.connect() as conn:  # the clock the step would have met still runs
        assert conn.execute(select(deadline.c.status).where(deadline.c.record_id == record)).scalars().all() == ["open"]


def test_a_listener_that_raises_on_the_start_refuses_the_record(county):
    platform = county["platform"]
    platform.workflow.on_step(Heard(refuse="_start"))
    table = platform.registry.table("hazard_statistics")
    with pytest.raises(RuntimeError, match="监听拒绝「_start」"):
        statistics(platform, county["firms"][0])
    with platform.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(instance)).scalar_one() == 0


class StepPlugin:
    """A plugin given as an object: keeps the steps it is told of; refuses the step named ``refuse``."""

    def __init__(self, refuse=None):
        self.heard, self.refuse = [], refuse

    @hookimpl
    def anjian_plugin(self):
        return PluginInfo(title="步骤监听（测试）", requires=">=0")

    @hookimpl
    def anjian_step_taken(self, step):
        self.heard.append(
            (step.entity.name, step.record["id"], step.transition, step.from_state, step.to_state, step.actor.username)
        )
        if step.transition == self.refuse:
            raise RuntimeError("插件拒绝")


def test_plugins_hear_of_steps_through_anjian_step_taken(county, settings):
    from anjian.runtime import Platform

    plugin = StepPlugin(refuse="receive")
    platform = Platform(settings, plugins=[plugin])
    try:
        record = statistics(platform, county["firms"][0])
        platform.workflow.take(ENT, "hazard_statistics", record, "submit", {})
        with pytest.raises(RuntimeError, match="插件拒绝"):
            platform.workflow.take(OFFICER, "hazard_statistics", record, "receive", {})
        assert plugin.heard == [
            ("hazard_statistics", record, "_start", None, "draft", "ent"),
            ("hazard_statistics", record, "submit", "draft", "submitted", "ent"),
            ("hazard_statistics", record, "receive", "submitted", "received", "officer"),
        ]
        assert platform.workflow.status(ENT, "hazard_statistics", record)["state"] == "submitted"  # rolled back
    finally:
        platform.dispose()
