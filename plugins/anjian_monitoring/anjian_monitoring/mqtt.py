"""MQTT as a second transport: a bridge that feeds messages from a broker (e.g. Debian's mosquitto)
into the same ingest as ``POST /api/v1/monitoring/ingest``.

A gateway publishes (MQTT 5, QoS 1) the HTTP body, JSON or gzip (user property
``content-encoding: gzip``), on ``anjian/monitoring/<key id>/ingest`` with its API key in the user
property ``api-key``. The bridge authenticates the key and builds its actor exactly as the API
does (inside a request context of the web app: the user's roles, the key's scopes, the throttled
audit of key use), runs ``ingest`` and publishes the answer — the counts, or the API's error body
with ``status`` — on ``anjian/monitoring/<key id>/result`` (with the request's correlation data).
A message is acknowledged to the broker only after its batch is committed; the bridge's session
is persistent (``clean_start`` off), so batches published while it is down or cut off mid-batch
are delivered again, and ingest stores them once.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any
from urllib.parse import urlparse

from anjian.errors import AnjianError, AuthenticationFailed

from .ingest import decode_body, ingest
from .settings import MonitoringSettings

__all__ = ["TOPIC", "MqttBridge"]

log = logging.getLogger(__name__)
TOPIC = "anjian/monitoring/+/ingest"


def _property(message: Any, name: str) -> str:
    pairs = getattr(message.properties, "UserProperty", None) or []
    return next((value for key, value in pairs if key.lower() == name), "")


class MqttBridge:
    """Subscribes to the ingest topic of a broker and stores what gateways publish there."""

    def __init__(self, platform: Any, broker: str, client_id: str = "anjian-monitoring") -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        from anjian.web.app import create_app

        self.platform = platform
        self.app = create_app(platform=platform)
        self.settings: MonitoringSettings = platform.host.settings.get("monitoring") or MonitoringSettings()
        where = urlparse(broker if "://" in broker else f"mqtt://{broker}")
        self.host, self.port = where.hostname or "127.0.0.1", where.port or 1883
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, manual_ack=True)
        if where.username:
            self.client.username_pw_set(where.username, where.password)
        self.client.on_connect = self._subscribe
        self.client.on_message = self._message
        self.client.on_subscribe = self._subscribed
        self.ready = threading.Event()

    def start(self) -> None:
        """Connect with a persistent session and handle messages in a background thread."""
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        session = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]  # paho's Properties is untyped
        session.SessionExpiryInterval = 7 * 86_400  # the broker keeps QoS 1 batches while the bridge is away
        self.client.connect(self.host, self.port, clean_start=False, properties=session)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def _subscribe(self, client: Any, _userdata: Any, _flags: Any, reason: Any, _properties: Any) -> None:
        if reason.is_failure:
            log.error("MQTT broker %s:%s refused the bridge: %s", self.host, self.port, reason)
            return
        client.subscribe(TOPIC, qos=1)

    def _subscribed(self, _client: Any, _userdata: Any, _mid: Any, _reasons: Any, _properties: Any) -> None:
        self.ready.set()  # the broker routes the topic to the bridge from now on

    def _message(self, client: Any, _userdata: Any, message: Any) -> None:
        try:
            secret, encoding = _property(message, "api-key"), _property(message, "content-encoding")
            answer = self.handle(message.topic, message.payload, secret, encoding)
        except Exception:  # not acknowledged: the broker delivers the batch again
            log.exception("MQTT batch on %s not stored", message.topic)
            return
        self._reply(client, message, answer)
        client.ack(message.mid, message.qos)

    def handle(self, topic: str, payload: bytes, secret: str, encoding: str = "") -> dict[str, Any]:
        """Authenticate, decode and ingest one message; the answer the API would give (and its status)."""
        from anjian.api._blueprint import error_body, key_actor
        from anjian.messages import use_language

        with self.app.test_request_context(topic, method="POST", environ_base={"REMOTE_ADDR": "mqtt"}):
            with use_language(self.platform.settings.language):
                try:
                    actor = key_actor(secret)
                    topic_key = topic.split("/")[2] if topic.count("/") >= 3 else ""
                    if actor.key_id != topic_key:  # a key publishes only on its own topic
                        expected = f"anjian/monitoring/{actor.key_id}/ingest"
                        raise AuthenticationFailed(f"主题应为 {expected}", code="monitoring.wrong_topic")
                    document = decode_body(payload, encoding, self.settings.max_body_bytes)
                    report = ingest(self.platform, actor, document, self.settings)
                except AnjianError as error:
                    return {"status": error.http_status, "error": error_body(error)}
        return {"status": 200, **report.as_dict()}

    @staticmethod
    def _reply(client: Any, message: Any, answer: dict[str, Any]) -> None:
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        parts = message.topic.split("/")
        properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
        correlation = getattr(message.properties, "CorrelationData", None)
        if correlation:
            properties.CorrelationData = correlation
        result = "/".join([*parts[:-1], "result"])
        client.publish(result, json.dumps(answer, ensure_ascii=False), qos=1, properties=properties)
