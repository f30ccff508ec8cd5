"""Processes as metadata: states, transitions, deadlines, inbox.

``engine.Workflow`` moves records through their entity's process via the record service;
``timers.Timers`` scans deadlines (Celery beat) and handles extensions and version migration;
``inbox.Inbox`` answers what each user has to do. ``calendar`` and ``expr`` are pure helpers
(the metamodel checks conditions with ``expr``), so this package imports nothing on its own.
"""
