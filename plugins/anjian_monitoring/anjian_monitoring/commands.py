"""``anjian monitoring simulate``: feed enterprises' points through the ingest API."""

from __future__ import annotations

import random
from collections import Counter

import click

__all__ = ["monitoring"]


@click.group()
def monitoring() -> None:
    """在线监测 (online monitoring) commands."""


@monitoring.command()
@click.option("--url", default="http://127.0.0.1:5000", show_default=True, help="The anjian server.")
@click.option("--key", "keys", multiple=True, required=True, help="An enterprise's API key (one gateway each; repeat).")
@click.option("--rate", type=click.FloatRange(0.01, 100), default=1.0, show_default=True, help="Batches per second per gateway.")
@click.option("--ticks", type=click.IntRange(1), default=60, show_default=True, help="How many batches each gateway sends.")
@click.option("--spike-rate", type=click.FloatRange(0, 1), default=0.001, show_default=True, help="Odds of a value past 高高报.")
@click.option("--fault-rate", type=click.FloatRange(0, 1), default=0.0005, show_default=True, help="Odds of a 故障 sample.")
@click.option("--gap-rate", type=click.FloatRange(0, 1), default=0.0005, show_default=True, help="Odds a point falls silent.")
@click.option("--seed", type=int, default=None, help="Repeatable signals.")
@click.option("--silent", multiple=True, help="A point code that sends nothing (a dead sensor; repeat).")
def simulate(
    url: str,
    keys: tuple[str, ...],
    rate: float,
    ticks: int,
    spike_rate: float,
    fault_rate: float,
    gap_rate: float,
    seed: int | None,
    silent: tuple[str, ...],
) -> None:
    """Send realistic data for every point each key may report (N keys × their M points)."""
    from .simulate import Gateway, Signal, points_of_key, run

    rng = random.Random(seed)
    base = url.rstrip("/")
    gateways = []
    for key in keys:
        points = points_of_key(base, key)
        signals = [Signal.for_point(p, rng) for p in points if p["code"] not in silent]
        gateways.append(Gateway(key, signals, spike_rate, fault_rate, gap_rate, rng=random.Random(rng.random())))
        click.echo(f"gateway {key[:12]}…: {len(signals)} points")
    totals: Counter[str] = Counter()
    for answer in run(base, gateways, rate=rate, ticks=ticks):
        if "error" in answer:
            totals["failed_batches"] += 1
            click.echo(f"refused: {answer}", err=True)
            continue
        totals["accepted"] += answer["accepted"]
        totals["duplicates"] += answer["duplicates"]
        totals["refused"] += answer["refused_total"]
        totals["alarms"] += answer["alarms_raised"]
    click.echo(" ".join(f"{k}={v}" for k, v in sorted(totals.items())) or "nothing sent")


@monitoring.command()
def sweep() -> None:
    """Run the offline sweep and the rollups once (the worker's beat does this every 30 s)."""
    from anjian.cli._context import command_platform

    from .tasks import sweep as run_sweep

    result = run_sweep(command_platform(init_db=True))
    click.echo(" ".join(f"{k}={v}" for k, v in result.items()))


@monitoring.command()
def forward() -> None:
    """Send the samples of the points marked 上报上级 to the upper deployment once (the beat does it every 10 s)."""
    from anjian.cli._context import command_platform

    from .forward import forward as run_forward

    report = run_forward(command_platform(init_db=True))
    if not report.configured:
        raise click.ClickException(
            "未配置转发目标：anjian exchange target monitoring --url https://上级平台/api/v1（并输入上级平台发放的 API 密钥）"
        )
    click.echo(" ".join(f"{k}={v}" for k, v in report.as_dict().items() if k != "configured"))
    if report.failed:
        raise SystemExit(1)


@monitoring.command()
@click.option(
    "--broker", default="mqtt://127.0.0.1:1883", show_default=True, help="The MQTT broker (mqtt://user:password@host:port)."
)
def mqtt(broker: str) -> None:
    """Store what gateways publish on anjian/monitoring/<key id>/ingest (MQTT 5, QoS 1) until stopped."""
    import signal
    import time

    from anjian.cli._context import command_platform

    from .mqtt import MqttBridge

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM (a service manager's stop) ends as cleanly as Ctrl-C

    bridge = MqttBridge(command_platform(init_db=True), broker)
    signal.signal(signal.SIGTERM, interrupt)
    bridge.start()
    click.echo(f"listening on {broker} (anjian/monitoring/+/ingest); stop with Ctrl-C")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        bridge.stop()
        click.echo("stopped")
