"""A real worker with its beat fires a deadline that fell due while nothing ran, and e-mails the notice
(to the ``smtp_sink`` fixture of ``anjian.testing.plugin``)."""

import datetime as dt
import os
import subprocess
import sys
import time
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select, update

from anjian import Actor

PASSWORD = "Process-test-1"
TOWN = "350524100000"


@pytest.mark.worker
def test_a_missed_deadline_fires_when_the_worker_starts_and_is_mailed(tmp_path, smtp_sink):
    from anjian.config import load_settings
    from anjian.runtime import Platform
    from anjian.web.app import create_app
    from anjian.workflow.tables import deadline, notice

    port, received = smtp_sink
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANJIAN_")}
    env.update(
        ANJIAN_HOME=str(tmp_path / "var"),
        ANJIAN_ADMIN_PASSWORD=PASSWORD,
        ANJIAN_DEMO_DATA="false",
        ANJIAN_MFA_ADMIN="false",
        ANJIAN_SECRET_KEY="worker-test-secret-0123456789-0123456789",
        ANJIAN_TIMER_INTERVAL="1",
        ANJIAN_SMTP_HOST="127.0.0.1",
        ANJIAN_SMTP_PORT=str(port),
    )
    subprocess.run(
        [sys.executable, "-m", "anjian.cli", "init"], env=env, check=True, capture_output=True, timeout=120, cwd=tmp_path
    )
    platform = Platform(load_settings({k: v for k, v in env.items() if k.startswith("ANJIAN_")}))
    app = create_app(platform=platform)
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("keyuan", "科员", "", "keyuan@example.org", sm.find_role(sm.auth_role_public), password="Officer-pass-9")
        app.appbuilder.session.commit()
    admin = Actor("admin", is_admin=True)
    platform.access.store.save_account(admin, "keyuan", "agency", "350524")
    platform.access.store.add_grant(admin, "keyuan", "complaint_clerk", "350524")
    record = platform.records.create(
        "complaint",
        {
            "received_at": "2025-09-29T10:00:00+08:00",
            "channel": "hotline",
            "subject": "仓库违规动火",
            "content": "夜间违规动火作业。",
            "region_code": TOWN,
        },
        Actor("keyuan"),
    )
    # The screening deadline fell due two days ago while no worker was running.
    past = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=2)
    with platform.engine.begin() as conn:
        conn.execute(update(deadline).where(deadline.c.record_id == record["id"]).values(due_at=past, next_fire_at=past))
    worker = subprocess.Popen(
        [sys.executable, "-m", "anjian.cli", "worker"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        stop = time.monotonic() + 90
        while time.monotonic() < stop and len(received) < 2:
            time.sleep(0.5)
        with platform.engine.connect() as conn:
            kinds = [r.kind for r in conn.execute(select(notice).where(notice.c.username == "keyuan").order_by(notice.c.id))]
            row = conn.execute(select(deadline).where(deadline.c.record_id == record["id"])).one()
        assert kinds[-2:] == ["reminder", "overdue"]  # both missed stages, in order
        assert row.stage_kind == "overdue" and row.next_fire_at is None
        subjects = [str(make_header(decode_header(m["Subject"]))) for m in received]
        assert any("逾期" in s for s in subjects) and all(m["To"] == "keyuan@example.org" for m in received)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        platform.dispose()
