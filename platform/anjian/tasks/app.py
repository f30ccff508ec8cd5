"""The Celery application and the engine's tasks."""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from celery import Celery
from celery.schedules import crontab
from sqlalchemy import select

from ..audit import Actor
from ..config import Settings, load_settings
from ..data.users import ab_user
from ..errors import PluginError

__all__ = ["backup_schedule", "celery_app", "make_celery", "register_plugins", "worker_platform"]

logger = logging.getLogger(__name__)


def make_celery(settings: Settings) -> Celery:
    app = Celery("anjian", broker=settings.broker, backend=settings.results, include=[])
    app.conf.update(
        task_always_eager=settings.celery_eager,
        task_eager_propagates=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        timezone=settings.timezone,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        result_expires=7 * 24 * 3600,
        beat_schedule={
            # The deadline scan: stored due times, so a scan after downtime fires what fell due meanwhile.
            "anjian-deadlines": {"task": "anjian.workflow_tick", "schedule": settings.timer_interval},
            "anjian-audit-purge": {"task": "anjian.audit_purge", "schedule": crontab(hour=3, minute=30)},
            # The audit chain's head, anchored outside the database (HOME/audit-anchor.json).
            "anjian-audit-anchor": {"task": "anjian.audit_anchor", "schedule": settings.audit_anchor_interval},
            # Expected filings of the period just ended (idempotent; hourly so a new quarter is caught the same day).
            "anjian-obligations": {"task": "anjian.obligations_tick", "schedule": crontab(minute=5)},
        },
    )
    app.conf.beat_schedule.update(backup_schedule(settings))
    # Data exchange: each declared exchange runs when its own schedule (every_minutes) comes round.
    app.conf.beat_schedule["anjian-exchange"] = {"task": "anjian.exchange_tick", "schedule": 60.0}
    # Scheduled reports: each subscription once per week or month, computed with its recipient's scope.
    app.conf.beat_schedule["anjian-report-schedules"] = {"task": "anjian.report_schedules", "schedule": crontab(minute=10)}
    # Statutory statistics: the filing step snapshots its figures; this catches filings made before it did.
    app.conf.beat_schedule["anjian-statutory-capture"] = {"task": "anjian.statutory_capture", "schedule": crontab(minute=20)}
    if not settings.broker.startswith("sqla+"):
        # A real broker (scale-out): a task is acknowledged when it is done, so one whose worker dies
        # mid-task is delivered again (tasks are idempotent: scans, all-or-nothing imports, exchanges).
        app.conf.update(task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1)
        if settings.broker.startswith(("redis://", "rediss://")):
            app.conf.broker_transport_options = {"visibility_timeout": settings.broker_visibility_timeout}
    if settings.broker.startswith("sqla+"):
        from kombu.transport import sqlalchemy as sqla_transport

        # Set on the class: a polling_interval in broker_transport_options reaches create_engine and crashes.
        sqla_transport.Channel.polling_interval = 0.5  # type: ignore[attr-defined]  # read by kombu, not declared
        settings.home.mkdir(parents=True, exist_ok=True)
    _register(app)
    register_plugins(app, settings)
    return app


def register_plugins(app: Celery, settings: Settings) -> None:
    """Enabled plugins' tasks and beat entries (hooks ``anjian_celery_tasks``, ``anjian_beat_schedule``)."""
    from ..hooks import PluginHost

    host = PluginHost(settings.plugins, values=settings.plugin_values)
    host.register_tasks(app, worker_platform)
    for key, entry in host.beat_schedule().items():
        if key in app.conf.beat_schedule:
            raise PluginError(key, "a plugin's beat entry has the name of one of the engine's; rename it.")
        app.conf.beat_schedule[key] = entry


def backup_schedule(settings: Settings) -> dict[str, Any]:
    """Beat entries of the scheduled backups: a full one weekly, an incremental one on the other days."""
    if not settings.backup_schedule:
        return {}
    full_day = settings.backup_full_weekday
    other_days = ",".join(str(day) for day in range(7) if day != full_day)
    at = {"hour": settings.backup_hour, "minute": 0}
    return {
        "anjian-backup-full": {"task": "anjian.backup", "schedule": crontab(day_of_week=str(full_day), **at), "args": ("full",)},
        "anjian-backup-incremental": {
            "task": "anjian.backup",
            "schedule": crontab(day_of_week=other_days, **at),
            "args": ("incremental",),
        },
    }


@cache
def worker_platform() -> Any:
    """The Platform of this worker process (built on first use)."""
    from ..runtime import Platform

    platform = Platform()
    platform.init_db()
    return platform


def _addresses(platform: Any) -> dict[str, str]:
    """User name -> e-mail address of active users (FAB's user table)."""
    with platform.engine.connect() as conn:
        rows = conn.execute(select(ab_user.c.username, ab_user.c.email).where(ab_user.c.active.is_(True)))
        return {r.username: r.email for r in rows if r.email}


def _register(app: Celery) -> None:
    @app.task(name="anjian.ping")
    def ping() -> dict[str, Any]:
        """The catalog version this worker sees (used to check it follows publishes)."""
        platform = worker_platform()
        return {"version": platform.registry.version, "entities": sorted(platform.registry.catalog.entities)}

    @app.task(name="anjian.workflow_tick")
    def workflow_tick() -> dict[str, Any]:
        """Fire the deadline stages that fell due and e-mail the notices not yet sent."""
        platform = worker_platform()
        fired = platform.timers.scan()
        mailed = platform.workflow.notices.deliver_mail(lambda: _addresses(platform))
        return {"fired": fired, "mailed": mailed}

    @app.task(name="anjian.obligations_tick")
    def obligations_tick() -> dict[str, Any]:
        """Create the filings owed for the period just ended that nobody has opened (workflow.obligations)."""
        return {"created": worker_platform().obligations.materialise()}

    @app.task(name="anjian.import_file")
    def import_file(entity: str, path: str, username: str, skip_invalid: bool = False, is_admin: bool = False) -> dict[str, Any]:
        """Import a CSV/XLSX file in the background as ``username``; returns the import report.

        Tasks are queued by server code only, which passes the identity it has authenticated; the
        user's grants and scope apply in the worker as they would in the web process.
        """
        from ..data.transfer import import_records, read_rows

        platform = worker_platform()
        report = import_records(
            platform.records,
            entity,
            read_rows(path),
            Actor(username=username, address="worker", is_admin=is_admin),
            source=path,
            skip_invalid=skip_invalid,
        )
        return report.as_dict()

    @app.task(name="anjian.audit_anchor")
    def audit_anchor() -> dict[str, Any]:
        """Beat: check the audit entries written since the last anchor and anchor the new head."""
        from ..audit import advance_anchor

        platform = worker_platform()
        with platform.engine.connect() as conn:
            checked, fault = advance_anchor(conn)
        if fault:
            logger.error("audit chain: %s (anchor kept; run anjian audit verify)", fault)
        return {"checked": checked, "fault": fault}

    @app.task(name="anjian.backup")
    def backup(kind: str) -> dict[str, Any]:
        """Beat: take a backup into ANJIAN_BACKUP_DIR (an incremental one starts with a full one) and prune old ones."""
        from ..backup import create_backup, list_backups, prune
        from ..backup import installation_seal as seal_at

        platform = worker_platform()
        settings = platform.settings
        root = settings.backups
        if kind == "incremental" and not any(m.kind == "full" for m in list_backups(root)):
            kind = "full"
        seal = seal_at(settings.home, settings.audit_key_file)
        manifest = create_backup(platform.engine, seal, settings.upload_dir, root, kind, Actor.system("worker:backup"))
        deleted = prune(root, settings.backup_keep_full)
        return {"backup": manifest.id, "kind": manifest.kind, "deleted": deleted}

    @app.task(name="anjian.exchange_tick")
    def exchange_tick() -> dict[str, Any]:
        """Beat: send or package every declared exchange whose schedule has come round."""
        from ..exchange import run_due

        platform = worker_platform()
        return run_due(platform, Actor.system("worker:exchange"), platform.settings.home / "exchange")

    @app.task(name="anjian.audit_purge")
    def audit_purge() -> dict[str, Any]:
        """Daily (beat): delete audit entries past the retention period, recording a checkpoint."""
        from ..audit.retention import purge

        platform = worker_platform()
        result = purge(platform.engine, Actor.system("worker:audit_purge"), platform.settings.audit_retention_days)
        return {"purged": result.purged, "checkpoint": result.checkpoint, "cutoff": result.cutoff.isoformat()}

    @app.task(name="anjian.report_schedules")
    def report_schedules() -> dict[str, Any]:
        """Beat: deliver the report subscriptions due this week or month (reports.schedules)."""
        from ..reports import ReportRunner
        from ..reports.schedules import ReportSchedules

        platform = worker_platform()
        runner = ReportRunner(platform.registry, platform.access, platform.engine)
        return {"delivered": ReportSchedules(runner, platform.workflow.notices, platform.settings).deliver_due()}

    @app.task(name="anjian.statutory_capture")
    def statutory_capture() -> dict[str, Any]:
        """Beat, the safety net: snapshot statutory filings their step did not capture (reports.statutory_snapshots)."""
        from ..reports import ReportRunner
        from ..reports.statutory import StatutoryFilings

        platform = worker_platform()
        return {"captured": StatutoryFilings(ReportRunner(platform.registry, platform.access, platform.engine)).capture_all()}


celery_app = make_celery(load_settings())
