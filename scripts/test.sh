#!/usr/bin/env bash
# The whole test suite, as `make test` runs it: the default suite (SQLite), the process
# suites (several servers, a real Celery worker, `anjian run`), then the storage, sync and API
# tests again on a real PostgreSQL that scripts/postgres.sh installs and starts.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export PYTHONSAFEPATH=1
# Keep compiled bytecode between processes: with PYTHONDONTWRITEBYTECODE set (some CI images set it),
# every pytest worker and every server a test starts compiled the project again; collecting the
# suite took 13.6 s instead of 5.1 s.
unset PYTHONDONTWRITEBYTECODE

echo "== lint, format and types (ruff check and format; mypy --strict on platform/anjian, the plugins and the portals)"
"$PY" -m ruff check .
"$PY" -m ruff format --check .
"$PY" -m mypy platform/anjian
for package in plugins/*/anjian_*/__init__.py; do "$PY" -m mypy "$(dirname "$package")"; done
"$PY" -m mypy portals/anjian_portals

echo "== layer contract (import-linter, .importlinter)"
"$(dirname "$PY")/lint-imports" --no-cache

# Passes run on every core (pytest-xdist, -n auto); a module's tests stay on one worker where they
# share a server (--dist loadfile).
echo "== default suite (SQLite)"
"$PY" -m pytest -q -n auto

echo "== schemathesis (generated requests against the OpenAPI document, in-process, demo data)"
"$PY" -m pytest -q -s -m schemathesis

echo "== process suites (web servers, worker, anjian run)"
# The MQTT and scale-out tests are slow too; each has a pass of its own below.
"$PY" -m pytest -q -m "slow or worker" -n auto --dist loadfile \
  --ignore=plugins/anjian_monitoring/tests/test_monitoring_mqtt.py --ignore=tests/integration/test_scale_out.py

echo "== monitoring over MQTT (Debian's mosquitto, installed when missing)"
PY="$PY" plugins/anjian_monitoring/scripts/test.sh

echo "== browser suite (Playwright driving Debian's Chromium)"
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wenquanyi"; then
  echo "installing chromium and a CJK font (apt)" >&2
  if [ "$(id -u)" = 0 ]; then apt=(apt-get); else apt=(sudo apt-get); fi
  "${apt[@]}" update -qq >/dev/null || echo "apt-get update failed; trying the install anyway" >&2
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-install-recommends chromium fonts-wqy-zenhei >/dev/null
fi
"$PY" -m pytest -q -m browser -n auto --dist loadfile

echo "== PostgreSQL suite"
url=$(scripts/postgres.sh start)
trap 'scripts/postgres.sh stop >/dev/null 2>&1 || true' EXIT
ANJIAN_TEST_DATABASE_URL="$url" "$PY" -m pytest -q -m postgres -n auto

echo "== scale-out pass (PostgreSQL + Redis; two gunicorn web processes on one port, two Celery workers, one beat)"
redis_url=$(scripts/redis.sh start)
trap 'scripts/postgres.sh stop >/dev/null 2>&1 || true; scripts/redis.sh stop >/dev/null 2>&1 || true' EXIT
ANJIAN_TEST_DATABASE_URL="$url" ANJIAN_TEST_REDIS_URL="$redis_url" "$PY" -m pytest -q -s -m slow tests/integration/test_scale_out.py
