"""The Platform: one per process, holding the engine, plugins and the live registry.

Web requests, CLI commands and Celery tasks all reach data through a Platform. Its registry
follows the published catalog: at most every ``catalog_poll_interval`` seconds it reads the
version number, and rebuilds when it changed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from .access import Access
from .audit import Actor, Seal
from .audit import attach as audit_seal
from .authz import CasbinAccess
from .catalog import PublishResult, Registry, current_version, load_documents_at, version_digest
from .catalog import publish as publish_catalog
from .config import Settings, load_settings
from .data.codec import Codec
from .data.db import make_engine
from .data.files import FileStore
from .data.query import RecordReader
from .data.records import RecordService
from .data.system import SYSTEM
from .errors import MetadataError, MetadataErrors
from .hooks import PluginHost
from .meta.compile import Catalog, compile_catalog, duplicate_errors
from .meta.loader import Document, load_documents
from .meta.schema_check import check_document
from .reports import tables as report_tables  # noqa: F401  # statutory snapshots, subscriptions: on SYSTEM for init_db
from .reports.indexes import create_report_indexes
from .reports.statutory_snapshots import FilingSnapshots
from .workflow.engine import Workflow
from .workflow.inbox import Inbox
from .workflow.obligations import Obligations
from .workflow.steps import StepTaken
from .workflow.timers import Timers

__all__ = ["Platform"]


class Platform:
    """Engine, plugins, access policy and the catalog-following registry of one process."""

    def __init__(self, settings: Settings | None = None, *, access: Access | None = None, plugins: Iterable[object] = ()) -> None:
        self.settings = settings or load_settings()
        self.settings.home.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = make_engine(self.settings.db_url)
        audit_seal(self.engine, Seal.at(self.settings.home, self.settings.audit_key_file))
        self.host = PluginHost(self.settings.plugins, extra=plugins, values=self.settings.plugin_values)
        self.access: Access = access or CasbinAccess(self.engine, lambda: self.registry, self.settings.catalog_poll_interval)
        self.codec = Codec(self.settings.timezone)
        self._lock = threading.Lock()
        self._registry = Registry(Catalog(), 0, self.host.functions)
        self._checked = 0.0
        self.files = FileStore(self.engine, self.settings.upload_dir)
        self.records = RecordService(self.engine, lambda: self.registry, self.access, self.host.hook, self.codec, self.files)
        self.workflow = Workflow(self)
        # Step listeners, wired where the platform is assembled (the workflow layer may not import reports):
        # each runs inside the step's transaction, and an error rolls the step back.
        self.statutory_snapshots = FilingSnapshots(lambda: self.registry, self.engine)
        self.workflow.on_step(self.statutory_snapshots.on_step)  # statutory figures as filed, captured by the filing step
        self.workflow.on_step(self._tell_plugins_of_step)
        self.timers = Timers(self.workflow)
        self.obligations = Obligations(self)  # expected filings (workflow.obligations)
        self.inbox = Inbox(self.workflow)

    def _tell_plugins_of_step(self, step: StepTaken) -> None:
        """The ``anjian_step_taken`` hook: plugins act on a step inside its transaction."""
        self.host.hook.anjian_step_taken(step=step)

    # ---- catalog ---------------------------------------------------------------------------

    def init_db(self) -> None:
        """Create the engine's own tables, and add columns and indexes newer versions need (idempotent)."""
        from .data.db import write
        from .data.sync import apply_plan, plan_sync

        for metadata in (SYSTEM, *self.host.tables()):  # the engine's tables, then each enabled plugin's own
            metadata.create_all(self.engine)
            with write(self.engine) as conn, conn.begin():
                plan = plan_sync(conn, metadata, {}, {}, {})
                if plan.actions:  # additive only: a destructive change here would be refused, never applied
                    apply_plan(conn, metadata, plan, confirm_destructive=False, export_dir=self.settings.export_dir)

    def init_plugin_tables(self) -> None:
        """Create the enabled plugins' tables and add their new columns (publish runs this too)."""
        if self.host.tables():
            self.init_db()

    @property
    def registry(self) -> Registry:
        """The registry of the newest published version (checked at most every poll interval)."""
        if time.monotonic() - self._checked >= self.settings.catalog_poll_interval:
            self.refresh()
        return self._registry

    def refresh(self) -> Registry:
        """Rebuild the registry if a newer catalog version was published."""
        with self._lock:
            with self.engine.connect() as conn:
                version = current_version(conn)
                if version != self._registry.version:
                    names = self.host.functions.names()
                    self._registry = Registry.shared(
                        version_digest(conn, version),
                        names,
                        lambda: compile_catalog(load_documents_at(conn, version), names),
                        version,
                        self.host.functions,
                    )
            self._checked = time.monotonic()
        return self._registry

    @property
    def reader(self) -> RecordReader:
        return RecordReader(self.registry, self.codec)

    def metadata_paths(self) -> list[Path]:
        return [*self.settings.metadata_dirs, *self.host.metadata_paths()]

    def check(self, paths: Iterable[Path | str] | None = None) -> list[MetadataError]:
        """Every problem of the documents below ``paths`` (default: configured metadata)."""
        documents, errors = load_documents(paths or self.metadata_paths())
        errors += duplicate_errors(documents)
        merged = self._with_published(documents)
        # A duplicate is replaced in the merged set; still report its own problems.
        kept = {id(d) for d in merged}
        errors += [e for d in documents if id(d) not in kept for e in check_document(d)]
        try:
            compile_catalog(merged, self.host.functions.names())
        except MetadataErrors as exc:
            errors += exc.errors
        return sorted(errors, key=lambda e: (e.path, e.pointer))

    def _with_published(self, documents: list[Document]) -> list[Document]:
        """Documents checked together with what is published, as a publish would see them."""
        from .catalog.store import merge

        try:
            with self.engine.connect() as conn:
                current = load_documents_at(conn, current_version(conn))
        except Exception:  # no database yet: check the files on their own
            current = []
        return merge(current, documents, replace_all=False)

    def publish(
        self,
        paths: Iterable[Path | str] | None = None,
        *,
        documents: list[Document] | None = None,
        actor: Actor | None = None,
        confirm_destructive: bool = False,
        dry_run: bool = False,
        replace_all: bool = False,
        comment: str = "",
    ) -> PublishResult:
        """Validate and publish documents (from ``paths`` or given); MetadataErrors on any problem."""
        actor = actor or Actor.system()
        self.access.check(actor, None, "publish")
        if documents is None:
            documents, errors = load_documents(paths or self.metadata_paths())
            errors += duplicate_errors(documents)
            if errors:
                raise MetadataErrors(errors)
        result = publish_catalog(
            self.engine,
            documents,
            self.host.functions,
            actor,
            export_dir=self.settings.export_dir,
            confirm_destructive=confirm_destructive,
            dry_run=dry_run,
            replace_all=replace_all,
            comment=comment,
        )
        if not dry_run:
            self.init_plugin_tables()
            self.refresh()
            self.timers.migrate(actor)  # processes that declare a migration take their records in flight along
            create_report_indexes(self.engine, self.registry)  # reports group by walking an index (SQLite)
        return result

    def dispose(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"<Platform {self.settings.db_url!r} version={self._registry.version}>"

    def __getstate__(self) -> Any:  # Platforms hold connections; never pickle them into tasks
        raise TypeError("Platform objects are per process; pass names and ids to tasks instead")
