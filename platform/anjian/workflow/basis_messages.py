"""Message keys of the legal basis shown beside a due date (registered in the one catalogue)."""

from __future__ import annotations

from ..messages import register

__all__ = ["KEYS"]

KEYS = {
    "basis.kind.law": ("法定时限", "statutory limit"),
    "basis.kind.order": ("指令确定", "set by an order"),
    "basis.kind.commitment": ("服务承诺（非法定）", "service commitment (not law)"),
    "basis.confidence.C": ("已核实", "confirmed"),
    "basis.confidence.P": ("待专家核实", "to be checked by an expert"),
    "basis.confidence.U": ("未核实", "unconfirmed"),
}
register(KEYS)
