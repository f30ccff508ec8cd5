"""Process versions: every definition records have run on is kept, so records in flight finish on it."""

from __future__ import annotations

import hashlib
import json
import threading

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import IntegrityError

from ..errors import NotFound
from ..meta.process_spec import ProcessSpec, build_process
from ..store.clock import utc_now
from .tables import process_version

__all__ = ["ProcessBook", "digest_of"]


def digest_of(process: ProcessSpec) -> str:
    body = json.dumps(process.content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


class ProcessBook:
    """Numbers process definitions (1, 2, ...) as they are first used, and reads old ones back."""

    def __init__(self) -> None:
        self._specs: dict[tuple[str, int], ProcessSpec] = {}
        self._numbers: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def ensure(self, conn: Connection, process: ProcessSpec) -> int:
        """The version number of ``process`` as published now (recorded if new)."""
        digest = digest_of(process)
        key = (process.name, digest)
        if key in self._numbers:
            return self._numbers[key]
        found = conn.execute(
            select(process_version.c.version).where(process_version.c.process == process.name, process_version.c.digest == digest)
        ).scalar()
        recorded = found is not None
        if found is None:
            latest = conn.execute(
                select(func.coalesce(func.max(process_version.c.version), 0)).where(process_version.c.process == process.name)
            ).scalar_one()
            found = latest + 1
            try:
                with conn.begin_nested():
                    conn.execute(
                        insert(process_version).values(
                            process=process.name, version=found, digest=digest, definition=process.content, created_at=utc_now()
                        )
                    )
            except IntegrityError:  # another process recorded it at the same moment
                found = conn.execute(
                    select(process_version.c.version).where(
                        process_version.c.process == process.name, process_version.c.digest == digest
                    )
                ).scalar_one()
        if recorded:  # a number inserted just now is remembered only once it is read back committed
            with self._lock:
                self._numbers[key] = int(found)
                self._specs[(process.name, int(found))] = process
        return int(found)

    def load(self, conn: Connection, name: str, version: int) -> ProcessSpec:
        """The definition of ``name`` at ``version``."""
        key = (name, version)
        spec = self._specs.get(key)
        if spec is None:
            content = conn.execute(
                select(process_version.c.definition).where(
                    process_version.c.process == name, process_version.c.version == version
                )
            ).scalar()
            if content is None:
                raise NotFound(f"流程 {name} 的第 {version} 版不存在")
            spec = build_process(content, f"{name}@v{version}")
            with self._lock:
                self._specs[key] = spec
        return spec
