#!/usr/bin/env bash
# The monitoring plugin's process tests that need a real MQTT broker: installs Debian's mosquitto
# when it is missing (apt-get as root, else sudo), then runs the MQTT tests, which start their own
# mosquitto on a free port. ANJIAN_TEST_MQTT=required turns their "mosquitto not installed" skip
# into a failure, so a machine that could not install it does not pass silently.
# Run from anywhere; scripts/test.sh runs it in the process pass. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/../../.."
PY=${PY:-.venv/bin/python}
export PYTHONSAFEPATH=1

if ! command -v mosquitto >/dev/null 2>&1 && [ ! -x /usr/sbin/mosquitto ]; then
  echo "installing mosquitto (apt)" >&2
  if [ "$(id -u)" = 0 ]; then apt=(apt-get); else apt=(sudo apt-get); fi
  "${apt[@]}" update -qq >/dev/null || echo "apt-get update failed; trying the install anyway" >&2
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-install-recommends mosquitto >/dev/null
fi
export PATH="$PATH:/usr/sbin"  # Debian installs the broker there, outside a normal user's PATH
ANJIAN_TEST_MQTT=required "$PY" -m pytest -q -m slow plugins/anjian_monitoring/tests/test_monitoring_mqtt.py "$@"
