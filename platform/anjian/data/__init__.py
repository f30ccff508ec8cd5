"""Storage: tables built from specs, safe schema sync, and the one record service.

Every write of business data goes through ``RecordService``; nothing else inserts, updates or
deletes rows of entity tables. Must not import flask.
"""
