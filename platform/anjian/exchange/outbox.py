"""Upward delivery (逐级上报): records of an exchange, in batches, to the upper deployment's API.

Each record version travels under a stable exchange id (sender's region, exchange, record id,
row version), so the receiver stores it once however often it arrives. The sender's log
(``anjian_exchange_sent``) notes every send and every acknowledgement; what is not acknowledged
is pending and goes again on the next run, so an outage of the receiver (down, stopped mid-batch,
an answer lost on the way back) loses nothing and duplicates nothing. A new version of a
record (its ``row_version`` grew) is pending again and updates the receiver's copy.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, and_, delete, exists, func, insert, select, update

from .. import audit
from ..audit import Actor
from ..errors import NotFound
from ..meta.exchange_spec import ExchangeSpec
from ..store.clock import utc_now
from ..store.db import write
from .tables import ensure_tables, exchange_run, exchange_sent, exchange_target

__all__ = ["DeliveryFailed", "ExchangeError", "SendReport", "Transport", "exchange_id", "http_transport", "send", "set_target"]

BATCH_PATH = "/exchange/batches"

# (url, JSON body, API key) -> the receiver's JSON answer; raises DeliveryFailed.
Transport = Callable[[str, Mapping[str, Any], str], Mapping[str, Any]]


class ExchangeError(Exception):
    """An exchange that cannot run as configured; the message says what to set."""


class DeliveryFailed(Exception):
    """The receiver could not be reached, or refused the batch (``status`` when it answered)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def http_transport(url: str, body: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """POST the batch as JSON with ``Authorization: ApiKey``; the answer's JSON."""
    data = json.dumps(body, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"ApiKey {key}", "Accept-Language": "zh-CN"}
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310  (the URL is an administrator's https/http target)
            answer: Mapping[str, Any] = json.load(response)
            return answer
    except urllib.error.HTTPError as error:
        detail = error.read()[:2000].decode(errors="replace")
        raise DeliveryFailed(f"{url} answered {error.code}: {detail}", error.code) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise DeliveryFailed(f"{url} cannot be reached or answered no JSON ({error})") from None


def exchange_id(source_region: str, exchange: str, record_id: int, version: int) -> str:
    """The stable id of one version of one record in one exchange."""
    return f"{source_region}:{exchange}:{record_id}:v{version}"


@dataclass
class SendReport:
    """What one run sent and what the receiver acknowledged."""

    exchange: str
    batches: int = 0
    sent: int = 0
    accepted: int = 0
    duplicates: int = 0
    pending: int = 0  # still not acknowledged when the run ended
    failed: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def set_target(engine: Any, name: str, url: str, api_key: str, actor: Actor) -> None:
    """Create or replace the target ``name`` (the API key is kept in the database, never printed)."""
    ensure_tables(engine)
    if not url.startswith(("https://", "http://")):
        raise ExchangeError(f"{url!r} is not an http(s) URL of the upper deployment's API (e.g. https://city.example/api/v1)")
    with write(engine) as conn, conn.begin():
        conn.execute(delete(exchange_target).where(exchange_target.c.name == name))
        now = utc_now()
        conn.execute(
            insert(exchange_target).values(
                name=name, url=url.rstrip("/"), api_key=api_key, updated_at=now, updated_by=actor.username
            )
        )
        audit.append(conn, actor, "exchange_target", "_exchange", name, {"url": url})


def _spec(platform: Any, name: str) -> ExchangeSpec:
    spec: ExchangeSpec | None = platform.registry.catalog.exchanges.get(name)
    if spec is None:
        raise NotFound(f"数据交换 {name} 不存在")
    return spec


def _pending_query(platform: Any, spec: ExchangeSpec, actor: Actor) -> Select[Any]:
    """The ids of records matching the exchange whose current version was not acknowledged yet."""
    entity = platform.registry.entity(spec.entity)
    table = platform.registry.table(entity.name)
    acknowledged = exists().where(
        exchange_sent.c.exchange == spec.name,
        exchange_sent.c.record_id == table.c.id,
        exchange_sent.c.row_version == table.c.row_version,
        exchange_sent.c.acked_at.is_not(None),
    )
    clauses = [table.c[name].in_(values) for name, values in spec.filter.items()]
    scope = platform.access.scope(actor, entity, table)
    if scope is not None:
        clauses.append(scope)
    return select(table.c.id).where(and_(*clauses, ~acknowledged))


def _pending(conn: Connection, platform: Any, spec: ExchangeSpec, actor: Actor, limit: int) -> list[int]:
    query = _pending_query(platform, spec, actor).order_by("id").limit(limit)
    return [int(i) for i in conn.execute(query).scalars()]


def _batch(platform: Any, spec: ExchangeSpec, source: str, actor: Actor, limit: int) -> dict[str, Any] | None:
    entity = platform.registry.entity(spec.entity)
    with platform.engine.connect() as conn, conn.begin():  # one snapshot: each record with its own version
        ids = _pending(conn, platform, spec, actor, limit)
        if not ids:
            return None
        records = []
        for record_id in ids:
            stored = platform.records.read_scoped(conn, entity, record_id, actor)
            version = int(stored["row_version"])
            data = {name: stored.get(name) for name in spec.fields}
            records.append(
                {
                    "exchange_id": exchange_id(source, spec.name, record_id, version),
                    "record_id": record_id,
                    "version": version,
                    "data": data,
                }
            )
    return {
        "batch_id": uuid.uuid4().hex,
        "exchange": spec.name,
        "source_region": source,
        "entity": spec.entity,
        "records": records,
    }


def _log_sent(engine: Any, spec: ExchangeSpec, body: Mapping[str, Any]) -> None:
    now = utc_now()
    with write(engine) as conn, conn.begin():
        for record in body["records"]:
            conn.execute(delete(exchange_sent).where(exchange_sent.c.exchange_id == record["exchange_id"]))
            conn.execute(
                insert(exchange_sent).values(
                    exchange=spec.name,
                    exchange_id=record["exchange_id"],
                    record_id=record["record_id"],
                    row_version=record["version"],
                    batch_id=body["batch_id"],
                    sent_at=now,
                )
            )


def _log_acknowledged(engine: Any, answer: Mapping[str, Any]) -> tuple[int, int]:
    accepted = [str(i) for i in answer.get("accepted", [])]
    duplicates = [str(i) for i in answer.get("duplicates", [])]
    now = utc_now()
    with write(engine) as conn, conn.begin():
        for outcome, ids in (("accepted", accepted), ("duplicate", duplicates)):
            if ids:
                conn.execute(
                    update(exchange_sent).where(exchange_sent.c.exchange_id.in_(ids)).values(acked_at=now, outcome=outcome)
                )
    return len(accepted), len(duplicates)


def send(platform: Any, name: str, actor: Actor, transport: Transport = http_transport, batch_size: int = 100) -> SendReport:
    """Send every pending record of the upward exchange ``name``, batch by batch, until none is left or delivery fails."""
    spec = _spec(platform, name)
    if spec.direction != "upward":
        raise ExchangeError(f"exchange {name} is {spec.direction}: make packages with anjian exchange package {name}")
    source = platform.settings.deployment_region
    if not source:
        raise ExchangeError("ANJIAN_DEPLOYMENT_REGION is not set: the receiver needs this deployment's region code (e.g. 350524)")
    engine = platform.engine
    ensure_tables(engine)
    with engine.connect() as conn:
        target = conn.execute(select(exchange_target).where(exchange_target.c.name == spec.target)).first()
    if target is None:
        raise ExchangeError(
            f"no target {spec.target!r}: set it with anjian exchange target {spec.target} --url URL (and the key)"
        )
    report = SendReport(name)
    while True:
        body = _batch(platform, spec, source, actor, batch_size)
        if body is None:
            break
        _log_sent(engine, spec, body)
        report.batches += 1
        report.sent += len(body["records"])
        try:
            answer = transport(target.url + BATCH_PATH, body, target.api_key)
        except DeliveryFailed as error:
            report.failed = str(error)
            break
        accepted, duplicates = _log_acknowledged(engine, answer)
        report.accepted += accepted
        report.duplicates += duplicates
        if accepted + duplicates < len(body["records"]):
            report.failed = (
                f"the receiver acknowledged {accepted + duplicates} of {len(body['records'])} records of batch {body['batch_id']}"
            )
            break
    with engine.connect() as conn:
        report.pending = int(
            conn.execute(select(func.count()).select_from(_pending_query(platform, spec, actor).subquery())).scalar_one()
        )
    _finish(engine, spec, actor, report)
    return report


def _finish(engine: Any, spec: ExchangeSpec, actor: Actor, report: SendReport) -> None:
    result = json.dumps(report.as_dict(), ensure_ascii=False)
    with write(engine) as conn, conn.begin():
        conn.execute(delete(exchange_run).where(exchange_run.c.exchange == spec.name))
        conn.execute(insert(exchange_run).values(exchange=spec.name, last_run_at=utc_now(), last_result=result))
        audit.append(conn, actor, "exchange_send", "_exchange", spec.name, report.as_dict())
