"""A gateway's API key: its use is written at most once a minute, and every request is still accounted for."""

from __future__ import annotations

import datetime as dt
from typing import Any

from monitoring_county import START, Gateway, iso
from sqlalchemy import select

from anjian.data.system import api_key, audit_log


def _uses(platform: Any) -> list[Any]:
    with platform.engine.connect() as conn:
        return list(conn.execute(select(audit_log).where(audit_log.c.action == "apikey_used").order_by(audit_log.c.id)))


def _last_used(platform: Any) -> Any:
    with platform.engine.connect() as conn:
        return conn.execute(select(api_key.c.last_used_at).where(api_key.c.username == "ent")).scalar_one()


def test_key_use_is_written_once_a_minute_without_losing_requests(county: Any, gateway: Gateway) -> None:
    platform, clock = county["platform"], county["clock"]
    for second in range(5):
        clock.set(START + dt.timedelta(seconds=second))
        assert gateway.send([{"point": "A-T1", "ts": iso(START), "value": 20}]).status_code == 200
    uses = _uses(platform)
    assert len(uses) == 1 and uses[0].detail["path"] == "/api/v1/monitoring/ingest" and "earlier" not in uses[0].detail
    assert _last_used(platform) == START
    clock.set(START + dt.timedelta(seconds=61))
    assert gateway.send([{"point": "A-T1", "ts": iso(START), "value": 20}]).status_code == 200
    uses = _uses(platform)
    assert len(uses) == 2 and _last_used(platform) == START + dt.timedelta(seconds=61)
    earlier = uses[1].detail["earlier"]
    assert earlier["requests"] == 4 and earlier["paths"] == {"POST /api/v1/monitoring/ingest": 4}
    assert earlier["from"].startswith("2026-03-02T02:00:01") and earlier["to"].startswith("2026-03-02T02:00:04")
    # counted after the last write, then the process ends: flushed, not dropped
    clock.set(START + dt.timedelta(seconds=70))
    assert gateway.send([{"point": "A-T1", "ts": iso(START), "value": 20}]).status_code == 200
    assert len(_uses(platform)) == 2
    county["app"].extensions["anjian_key_use"].flush()
    uses = _uses(platform)
    assert len(uses) == 3 and uses[2].detail["flushed"] and uses[2].detail["earlier"]["requests"] == 1
    assert _last_used(platform) == START + dt.timedelta(seconds=70)
