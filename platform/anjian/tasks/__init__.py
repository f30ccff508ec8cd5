"""Celery: the background worker for imports, reminders and timers.

The embedded default needs no server: kombu's SQLAlchemy transport on a SQLite file is the
broker and a database is the result backend. ``ANJIAN_BROKER_URL`` points it at Redis or
PostgreSQL instead. Each worker process has its own Platform, which follows the catalog like
the web processes do.
"""

from .app import celery_app, make_celery

__all__ = ["celery_app", "make_celery"]
