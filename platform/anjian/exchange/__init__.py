"""Data exchange (数据共享交换) between deployments: upward delivery, sideways packages, the directory.

Declarations (``*.exchange.json``, checked by ``anjian.meta.exchange_spec``) say what leaves the
deployment. Upward exchanges go to the upper deployment's API in idempotent, resumable batches
(``outbox``), which the upper deployment stores in the sender's region (``receive``); sideways
ones become packages for member units (``package``); ``directory`` lists them all. See
docs/exchange.md. Sits above ``anjian.runtime``; the API, CLI and beat call it.
"""

from .directory import resource_directory
from .outbox import DeliveryFailed, ExchangeError, SendReport, Transport, exchange_id, http_transport, send, set_target
from .package import Package, make_package
from .receive import receive_batch
from .schedule import run_due

__all__ = [
    "DeliveryFailed",
    "ExchangeError",
    "Package",
    "SendReport",
    "Transport",
    "exchange_id",
    "http_transport",
    "make_package",
    "receive_batch",
    "resource_directory",
    "run_due",
    "send",
    "set_target",
]
