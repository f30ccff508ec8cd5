"""Schemathesis against the API in-process (WSGI) with demo data: no 500s, responses match the document.

Its own pass (``-m schemathesis``, run by scripts/test.sh): every operation of the generated
OpenAPI document gets ``EXAMPLES`` generated requests (positive and negative) as the
administrator; the checks are ``not_a_server_error`` and ``response_schema_conformance``.
The cases run are counted and the pass fails below ``MIN_CASES``. (Operations are driven one by
one with their strategies: schemathesis' own pytest fixture loader does not run on pytest 9.)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

pytestmark = pytest.mark.schemathesis

EXAMPLES = int(os.environ.get("ANJIAN_TEST_SCHEMATHESIS_EXAMPLES", "8"))
MIN_CASES = 1000
ONLY = os.environ.get("ANJIAN_TEST_SCHEMATHESIS_ONLY", "")  # a path part: run those operations alone (debugging)
PASSWORD = "Schema-pass-1"
# Operations that would end the run's own session or change the catalog under it.
SKIPPED = {("POST", "/auth/logout"), ("POST", "/auth/password"), ("POST", "/meta/publish"), ("POST", "/auth/refresh")}
SKIPPED.add(("POST", "/studio/drafts/{draft_id}/publish"))  # publishes a draft: changes the catalog too
SKIPPED.add(("POST", "/studio/modules/{module}/withdraw"))  # withdraws a module: changes the catalog too


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from anjian.config import load_settings
    from anjian.demo import load_demo_data
    from anjian.runtime import Platform
    from anjian.web.app import create_app

    home: Path = tmp_path_factory.mktemp("schemathesis")
    platform = Platform(
        load_settings(
            {},
            home=home / "var",
            database_url=f"sqlite:///{home / 'anjian.db'}",
            secret_key="schemathesis-secret-0123456789-0123456789",
            celery_eager=True,
            demo_data=False,
            mfa_admin=False,
        )
    )
    platform.init_db()
    platform.publish()
    load_demo_data(platform, 40)
    app = create_app(platform=platform, config={"TESTING": True, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        sm = app.appbuilder.sm
        sm.create_db()
        app.appbuilder.add_permissions(update_perms=True)
        sm.add_user("admin", "系统", "管理员", "admin@example.org", sm.find_role(sm.auth_role_admin), password=PASSWORD)
    yield app
    platform.dispose()


@pytest.fixture(scope="module")
def token(demo_app: Any) -> str:
    response = demo_app.test_client().post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return str(response.get_json()["access_token"])


@pytest.fixture(scope="module")
def api_schema(demo_app: Any) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo_app)


def _run(operation: Any, mode: Any, token: str, cases: list[str]) -> None:
    """``EXAMPLES`` generated requests of one kind (valid or invalid input) against one operation."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        cases.append(f"{case.method} {case.path}")
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error, response_schema_conformance]
        )

    run()


def test_api_answers_every_request_by_its_document(api_schema: Any, token: str) -> None:
    cases: list[str] = []
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue  # would end the run's own session or republish the catalog under it
        if ONLY not in operation.path:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _run(operation, mode, token, cases)
            except Exception as exc:  # one operation's failure must not hide the others'
                causes = "; ".join(repr(e)[:1000] for e in getattr(exc, "exceptions", ()))  # a flaky run's first failure
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {exc} {causes}"[:3000])
    print(f"schemathesis: {len(cases)} cases over {len({c for c in cases})} operations, {len(failures)} failing")
    assert not failures, "\n\n".join(failures)
    assert ONLY or len(cases) >= MIN_CASES, len(cases)
