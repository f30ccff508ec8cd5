"""MQTT as a second transport: Debian's mosquitto, started here, and the bridge storing what a gateway
publishes; a wrong key or topic is answered with the API's error, and a batch sent while the bridge
was away is delivered when it is back (persistent session, QoS 1)."""

from __future__ import annotations

import datetime as dt
import json
import queue
import shutil
import subprocess
import time
from typing import Any

import pytest
from anjian_monitoring.tables import sample
from monitoring_county import free_port, iso
from sqlalchemy import func, select

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("mosquitto") is None, reason="mosquitto not installed (apt-get install mosquitto)"),
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


def test_a_gateway_publishes_over_mqtt(county: Any) -> None:
    from anjian_monitoring.mqtt import MqttBridge

    platform, clock = county["platform"], county["clock"]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    clock.set(now)
    port = free_port()
    broker = subprocess.Popen(["mosquitto", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
