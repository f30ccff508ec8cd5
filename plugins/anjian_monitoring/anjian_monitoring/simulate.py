"""The simulator: realistic signals with spikes, faults and gaps, sent through the ingest API.

Each API key stands for one enterprise's gateway; the simulator asks the API which points the key
may see, then sends one batch per tick with a value for every point: a slow daily-like wave
between the point's low and high thresholds plus noise, occasional excursions past 高高报, the
gateway's 故障 state now and then, and gaps (points that stop reporting for a while).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import math
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Gateway", "Signal", "post_batch"]


@dataclass
class Signal:
    """One point's signal: centre and swing from its thresholds, with its own phase."""

    code: str
    centre: float
    swing: float
    spike: float
    phase: float
    silent_until: float = 0.0

    @classmethod
    def for_point(cls, point: Mapping[str, Any], rng: random.Random) -> Signal:
        def number(*names: str) -> float | None:
            found = [point[n] for n in names if point.get(n) is not None]
            return float(found[0]) if found else None

        low, high = number("low", "low_low"), number("high", "high_high")
        if low is None and high is None:
            low, high = 0.0, 100.0
        elif low is None:
            low = (high or 0.0) * 0.5
        elif high is None:
            high = low * 2 or 100.0
        assert low is not None and high is not None
        centre = (low + high) / 2
        swing = (high - low) / 4
        top = number("high_high") or high + swing
        return cls(str(point["code"]), centre, swing, top + swing / 2, rng.uniform(0, 2 * math.pi))

    def value(self, t: float, rng: random.Random) -> float:
        return self.centre + self.swing * math.sin(t / 600 + self.phase) + rng.gauss(0, self.swing / 20)


@dataclass
class Gateway:
    """One enterprise's gateway: its key, its points' signals and the odds of spikes, faults and gaps."""

    key: str
    signals: list[Signal]
    spike_rate: float = 0.001
    fault_rate: float = 0.0005
    gap_rate: float = 0.0005
    gap_seconds: float = 600.0
    rng: random.Random = field(default_factory=random.Random)

    def batch(self, moment: dt.datetime) -> list[dict[str, Any]]:
        t = moment.timestamp()
        stamp = moment.isoformat(timespec="milliseconds")
        points = []
        for signal in self.signals:
            if t < signal.silent_until:
                continue
            if self.rng.random() < self.gap_rate:
                signal.silent_until = t + self.gap_seconds
                continue
            entry: dict[str, Any] = {"point": signal.code, "ts": stamp}
            if self.rng.random() < self.fault_rate:
                entry.update(value=0.0, quality="fault")
            elif self.rng.random() < self.spike_rate:
                entry["value"] = round(signal.spike, 3)
            else:
                entry["value"] = round(signal.value(t, self.rng), 3)
            points.append(entry)
        return points


def post_batch(
    url: str, key: str, points: Sequence[Mapping[str, Any]], *, compress: bool = True, timeout: float = 30
) -> dict[str, Any]:
    """POST one batch to ``url`` (…/api/v1/monitoring/ingest); the answer as a dict."""
    body = json.dumps({"points": list(points)}, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"ApiKey {key}"}
    if compress:
        body = gzip.compress(body, compresslevel=1)
        headers["Content-Encoding"] = "gzip"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer: dict[str, Any] = json.loads(response.read())
            return answer
    except urllib.error.HTTPError as exc:
        return {"status": exc.code, "error": json.loads(exc.read() or b"{}").get("error")}


def points_of_key(base: str, key: str) -> list[dict[str, Any]]:
    request = urllib.request.Request(f"{base}/api/v1/monitoring/points", headers={"Authorization": f"ApiKey {key}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        items: list[dict[str, Any]] = json.loads(response.read())["items"]
        return items


def run(
    base: str,
    gateways: Sequence[Gateway],
    *,
    rate: float,
    ticks: int,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[dict[str, Any]]:
    """Send ``ticks`` rounds of one batch per gateway, ``rate`` rounds a second; yield each answer."""
    url = f"{base}/api/v1/monitoring/ingest"
    for tick in range(ticks):
        started = time.monotonic()
        moment = clock()
        for gateway in gateways:
            points = gateway.batch(moment)
            if points:
                yield post_batch(url, gateway.key, points)
        if tick + 1 < ticks:
            sleep(max(0.0, 1 / rate - (time.monotonic() - started)))
