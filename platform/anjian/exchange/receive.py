"""The upper deployment's side: take a batch from a lower one, store each record version once.

A batch is refused whole when its shape is wrong, when its entity is unknown here (422), when
its id was taken before (a replay, 409), or when the sender's key belongs to an account of
another region than the batch claims (403). Otherwise, in one transaction: each record version
already received is answered as a duplicate; a new record is created through the record service
as the key's user (so its grants and region scope apply: the record stays in the sender's
region and is visible to this deployment's users whose scope covers it); a new version of a
record received before updates that record. The receiver's log remembers the batch and every
version, so a batch resent after an outage is stored exactly once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, insert, select

from .. import audit
from ..audit import Actor
from ..authz.regions import within
from ..errors import FieldError, PermissionDenied, RecordConflict, RecordValidationError
from ..store.clock import utc_now
from ..store.db import write
from .tables import ensure_tables, exchange_batch, exchange_received

__all__ = ["receive_batch"]

BATCH_ID = re.compile(r"^[0-9a-f]{32}$")
REGION = re.compile(r"^[0-9]{2,12}$")
MAX_RECORDS = 1000
MAX_ID = 2**31 - 1  # the id and version columns are 32-bit integers on PostgreSQL


def _shape(body: Any) -> list[FieldError]:
    """Field errors of a batch body that is not one (JSON pointers into the body)."""
    if not isinstance(body, dict):
        return [FieldError("", "批次必须是 JSON 对象", "type")]
    errors = []
    if not isinstance(body.get("batch_id"), str) or not BATCH_ID.match(body["batch_id"]):
        errors.append(FieldError("/batch_id", "批次号必须是 32 位十六进制字符", "pattern"))
    if not isinstance(body.get("source_region"), str) or not REGION.match(body["source_region"]):
        errors.append(FieldError("/source_region", "发送方行政区划代码必须是 2 到 12 位数字", "pattern"))
    for key in ("exchange", "entity"):
        if not isinstance(body.get(key), str) or not body[key]:
            errors.append(FieldError(f"/{key}", "必填", "required"))
    records = body.get("records")
    if not isinstance(records, list) or not 0 < len(records) <= MAX_RECORDS:
        errors.append(FieldError("/records", f"必须是 1 到 {MAX_RECORDS} 条记录的列表", "type"))
        return errors
    for i, record in enumerate(records):
        where = f"/records/{i}"
        if not isinstance(record, dict):
            errors.append(FieldError(where, "记录必须是 JSON 对象", "type"))
            continue
        if not isinstance(record.get("exchange_id"), str) or not 0 < len(record["exchange_id"]) <= 200:
            errors.append(FieldError(f"{where}/exchange_id", "交换标识必填（最多 200 个字符）", "required"))
        for key in ("record_id", "version"):
            value = record.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_ID:
                errors.append(FieldError(f"{where}/{key}", f"必须是 1 到 {MAX_ID} 之间的整数", "type"))
        if not isinstance(record.get("data"), dict):
            errors.append(FieldError(f"{where}/data", "记录数据必须是 JSON 对象", "type"))
    return errors


def _check_sender(platform: Any, actor: Actor, body: Mapping[str, Any]) -> None:
    """The key's account must cover the region the batch comes from (a county key sends only for its county)."""
    account = platform.access.account(actor.username)
    region = account.region if account is not None else ""
    if not region or not within(body["source_region"], region):
        claimed = body["source_region"]
        raise PermissionDenied(
            f"发送方密钥属于区划 {region or '（未设置）'} 的账号，不能代表区划 {claimed} 报送",
            subject=actor.username,
            action="exchange",
            object=claimed,
        )


def _store(conn: Connection, platform: Any, actor: Actor, body: Mapping[str, Any]) -> dict[str, Any]:
    spec = platform.registry.entity(body["entity"])
    source = body["source_region"]
    accepted, duplicates = [], []
    now = utc_now()
    for i, record in enumerate(body["records"]):
        seen = conn.execute(
            select(exchange_received.c.exchange_id).where(exchange_received.c.exchange_id == record["exchange_id"])
        ).first()
        if seen is not None:
            duplicates.append(record["exchange_id"])
            continue
        region = spec.region_of(record["data"])
        if spec.scope and not within(region, source):
            where = f"/records/{i}/data/{spec.scope}"
            raise RecordValidationError(
                spec.name, [FieldError(where, f"记录的区划 {region} 不在发送方区划 {source} 之内", "region")]
            )
        earlier = conn.execute(
            select(exchange_received.c.local_record_id, exchange_received.c.row_version)
            .where(
                exchange_received.c.source_region == source,
                exchange_received.c.entity == spec.name,
                exchange_received.c.source_record_id == record["record_id"],
            )
            .order_by(exchange_received.c.row_version.desc())
            .limit(1)
        ).first()
        try:
            if earlier is None:
                local_id = int(platform.records.create_in(conn, spec, record["data"], actor)["id"])
            else:
                local_id = int(earlier.local_record_id)
                if earlier.row_version < record["version"]:  # an older version arriving late changes nothing
                    old = platform.records.read_scoped(conn, spec, local_id, actor)
                    platform.records.update_in(conn, spec, old, record["data"], actor, partial=True)
        except RecordValidationError as error:
            raise type(error)(
                spec.name, [FieldError(f"/records/{i}/data{e.pointer}", e.message, e.code) for e in error.errors]
            ) from None
        conn.execute(
            insert(exchange_received).values(
                exchange_id=record["exchange_id"],
                batch_id=body["batch_id"],
                source_region=source,
                entity=spec.name,
                source_record_id=record["record_id"],
                row_version=record["version"],
                local_record_id=local_id,
                received_at=now,
            )
        )
        accepted.append(record["exchange_id"])
    return {"batch_id": body["batch_id"], "accepted": accepted, "duplicates": duplicates}


def receive_batch(platform: Any, actor: Actor, body: Any) -> dict[str, Any]:
    """Store a batch from a lower deployment; answer which exchange ids were accepted or already held."""
    errors = _shape(body)
    if errors:
        raise RecordValidationError("exchange_batch", errors)
    if body["entity"] not in platform.registry.catalog.entities or platform.registry.catalog.entities[body["entity"]].is_child:
        message = f"本级平台没有实体 {body['entity']}：请先发布它的声明，或与上级核对交换目录"
        raise RecordValidationError("exchange_batch", [FieldError("/entity", message, "exchange.entity_unknown")])
    _check_sender(platform, actor, body)
    ensure_tables(platform.engine)
    with write(platform.engine) as conn, conn.begin():
        if conn.execute(select(exchange_batch.c.batch_id).where(exchange_batch.c.batch_id == body["batch_id"])).first():
            raise RecordConflict(
                "exchange_batch",
                [FieldError("/batch_id", f"批次 {body['batch_id']} 已接收过：重放的批次不予接收", "exchange.replayed")],
            )
        conn.execute(
            insert(exchange_batch).values(
                batch_id=body["batch_id"],
                exchange=body["exchange"],
                source_region=body["source_region"],
                records=len(body["records"]),
                received_at=utc_now(),
                received_by=actor.username,
            )
        )
        answer = _store(conn, platform, actor, body)
        detail = {"batch": body["batch_id"], "source_region": body["source_region"], "accepted": len(answer["accepted"])}
        audit.append(conn, actor, "exchange_receive", body["entity"], "", detail, region=body["source_region"])
    return answer
