"""Backup fixtures: an empty database to restore onto, beside the test's own."""

import pytest
from sqlalchemy import create_engine, make_url, text


@pytest.fixture
def target_url(database_url, tmp_path):
    """An empty database of the test's engine: a new SQLite file, or a fresh PostgreSQL database."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored' / 'anjian.db'}"
    url = make_url(database_url)
    name = f"{url.database}_restore"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return url.set(database=name).render_as_string(hide_password=False)
