"""MQTT as a second transport: Debian's mosquitto, started here, and the bridge storing what a gateway
publishes; a wrong key or topic is answered with the API's error, and a batch sent while the bridge
was away is delivered when it is back (persistent session, QoS 1)."""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import time
from typing import Any

import pytest
from anjian_monitoring.tables import sample
from monitoring_county import iso, server_env
from sqlalchemy import func, select

from anjian.testing import free_port

MOSQUITTO = shutil.which("mosquitto") or shutil.which("mosquitto", path="/usr/sbin")  # Debian's place for it
if MOSQUITTO is None and os.environ.get("ANJIAN_TEST_MQTT") == "required":  # set by the plugin's scripts/test.sh
    raise RuntimeError("mosquitto is required here but not installed (apt-get install mosquitto)")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(MOSQUITTO is None, reason="mosquitto not installed (apt-get install mosquitto)"),
]


def _count(platform: Any) -> int:
    with platform.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(sample)).scalar_one())


class Gateway:
    """A gateway's MQTT client: publishes batches, collects the bridge's answers."""

    def __init__(self, port: int, key: str) -> None:
        import paho.mqtt.client as mqtt

        self.key, self.key_id = key, key.split("_")[1]
        self.answers: queue.Queue[dict[str, Any]] = queue.Queue()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"gw-{self.key_id}", protocol=mqtt.MQTTv5)
        self.client.on_message = lambda _c, _u, m: self.answers.put(json.loads(m.payload))
        self.client.connect("127.0.0.1", port)
        self.client.subscribe(f"anjian/monitoring/{self.key_id}/result", qos=1)
        self.client.loop_start()

    def publish(self, points: list[dict[str, Any]], key: str | None = None, topic_key: str | None = None) -> None:
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        properties = Properties(PacketTypes.PUBLISH)
        properties.UserProperty = [("api-key", key or self.key)]
        topic = f"anjian/monitoring/{topic_key or self.key_id}/ingest"
        self.client.publish(topic, json.dumps({"points": points}), qos=1, properties=properties).wait_for_publish(10)

    def answer(self) -> dict[str, Any]:
        return self.answers.get(timeout=30)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def _broker_and_gateway(port: int, key: str) -> tuple[subprocess.Popen[bytes], Gateway]:
    """Debian's mosquitto on ``port``, and a gateway connected to it once it listens."""
    broker = subprocess.Popen([str(MOSQUITTO), "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            return broker, Gateway(port, key)
        except OSError:
            if time.monotonic() > deadline:
                broker.kill()
                raise AssertionError("mosquitto did not start") from None
            time.sleep(0.1)


def test_the_mqtt_command_stores_what_gateways_publish(county: Any, settings: Any) -> None:
    """``anjian monitoring mqtt --broker ...`` as an operator starts it: batches stored, answers sent,
    a wrong key refused, and SIGTERM ends it cleanly."""
    platform = county["platform"]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    port = free_port()
    broker, gateway = _broker_and_gateway(port, county["keys"]["ent"])
    command = subprocess.Popen(
        [sys.executable, "-m", "anjian.cli", "monitoring", "mqtt", "--broker", f"mqtt://127.0.0.1:{port}"],
        env=server_env(settings, free_port()),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert command.stdout is not None
        assert "listening on" in command.stdout.readline()
        # the command subscribes just after it says so: publish until its first answer arrives
        deadline = time.monotonic() + 60
        while True:
            gateway.publish([{"point": "A-T1", "ts": iso(now), "value": 30}, {"point": "A-P1", "ts": iso(now), "value": 1}])
            try:
                answer = gateway.answers.get(timeout=3)
                break
            except queue.Empty:
                assert command.poll() is None, command.stderr.read() if command.stderr else ""
                assert time.monotonic() < deadline, "the command never answered"
        assert answer["status"] == 200 and answer["accepted"] + answer.get("duplicates", 0) == 2
        gateway.publish([{"point": "A-T1", "ts": iso(now), "value": 30}], key=county["keys"]["ent"][:-3] + "xyz")
        while answer.get("status") == 200:  # retries published before the first answer are answered first
            answer = gateway.answer()
        assert answer["status"] == 401 and answer["error"]["code"] == "auth.api_key_invalid"
        assert _count(platform) == 2  # each sample once, however often it was published
        command.send_signal(signal.SIGTERM)
        out, _err = command.communicate(timeout=30)
        assert command.returncode == 0 and "stopped" in out
    finally:
        gateway.close()
        if command.poll() is None:
            command.kill()
        broker.terminate()
        broker.wait(timeout=10)


def test_a_gateway_publishes_over_mqtt(county: Any) -> None:
    from anjian_monitoring.mqtt import MqttBridge

    platform, clock = county["platform"], county["clock"]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    clock.set(now)
    port = free_port()
    broker = subprocess.Popen([str(MOSQUITTO), "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bridge = gateway = None
    try:
        deadline = time.monotonic() + 20
        while True:  # until the broker listens
            try:
                gateway = Gateway(port, county["keys"]["ent"])
                break
            except OSError:
                assert time.monotonic() < deadline, "mosquitto did not start"
                time.sleep(0.1)
        bridge = MqttBridge(platform, f"mqtt://127.0.0.1:{port}")
        bridge.start()
        assert bridge.ready.wait(20)
        gateway.publish([{"point": "A-T1", "ts": iso(now), "value": 30}, {"point": "B-T1", "ts": iso(now), "value": 1}])
        answer = gateway.answer()
        assert answer["status"] == 200 and answer["accepted"] == 1 and answer["refused"] == {"not_permitted": 1}
        gateway.publish([{"point": "A-T1", "ts": iso(now), "value": 30}], key=county["keys"]["ent"][:-3] + "xyz")
        refused = gateway.answer()
        assert refused["status"] == 401 and refused["error"]["code"] == "auth.api_key_invalid"
        other = county["keys"]["ent_b"].split("_")[1]
        gateway.publish([{"point": "A-T1", "ts": iso(now), "value": 30}], topic_key=other)  # answered on that topic
        assert _count(platform) == 1
        # the bridge goes away; a batch published meanwhile waits in its session and arrives afterwards
        bridge.stop()
        gateway.publish([{"point": "A-T1", "ts": iso(now - dt.timedelta(seconds=s)), "value": 31} for s in range(1, 6)])
        bridge = MqttBridge(platform, f"mqtt://127.0.0.1:{port}")
        bridge.start()
        late = gateway.answer()
        assert late["status"] == 200 and late["accepted"] == 5
        assert _count(platform) == 6
    finally:
        if gateway is not None:
            gateway.close()
        if bridge is not None:
            bridge.stop()
        broker.terminate()
        broker.wait(timeout=10)
