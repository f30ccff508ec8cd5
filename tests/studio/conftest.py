"""The module the studio tests build: 烟花爆竹流向 (fireworks wholesale flows)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

FIREWORKS: dict[str, Any] = {
    "module.json": {
        "module": "fireworks",
        "title": "烟花爆竹流向",
        "entities": ["fireworks_flow"],
        "menu": [{"title": "烟花爆竹流向", "items": [{"title": "流向登记", "entity": "fireworks_flow"}]}],
        "roles": [
            {
                "name": "fireworks_officer",
                "title": "烟花爆竹流向管理员",
                "permissions": {"fireworks_flow": ["read", "create", "update"], "enterprise": ["read"]},
            }
        ],
    },
    "fireworks_flow.json": {
        "title": "烟花爆竹流向登记",
        "type": "object",
        "required": ["flow_type", "flow_date", "region_code"],
        "properties": {
            "wholesaler": {"type": "string", "title": "批发企业", "maxLength": 100},
            "flow_type": {
                "type": "string",
                "title": "流向类型",
                "enum": ["purchase", "sale", "return"],
                "x-anjian": {"enum_labels": {"purchase": "购进", "sale": "销售", "return": "退货"}},
            },
            "flow_date": {"type": "string", "format": "date", "title": "日期"},
            "counterparty": {"type": "string", "title": "往来单位", "maxLength": 100},
            "region_code": {"type": "string", "title": "所在区划", "maxLength": 12, "x-anjian": {"dictionary": "region"}},
            "note": {"type": "string", "title": "备注", "maxLength": 500},
            "lines": {
                "type": "array",
                "title": "产品明细",
                "x-anjian": {"child": "fireworks_flow_line"},
                "items": {
                    "type": "object",
                    "required": ["product"],
                    "properties": {
                        "product": {"type": "string", "title": "产品名称", "maxLength": 100},
                        "quantity": {"type": "integer", "title": "数量（箱）", "minimum": 0},
                    },
                },
            },
        },
        "x-anjian": {
            "entity": "fireworks_flow",
            "title_field": "wholesaler",
            "list_columns": ["wholesaler", "flow_type", "flow_date", "region_code"],
            "search_fields": ["wholesaler", "counterparty"],
            "scope": "region_code",
        },
    },
    "fireworks_flow.process.json": {
        "process": "fireworks_flow_approval",
        "entity": "fireworks_flow",
        "title": "流向审核",
        "start": "draft",
        "states": {
            "draft": {"title": "填报中"},
            "submitted": {"title": "待审核", "editable": "none"},
            "approved": {"title": "已审核", "end": True, "locked": True},
        },
        "transitions": [
            {"name": "submit", "title": "提交", "from": "draft", "to": "submitted", "roles": ["fireworks_officer"]},
            {"name": "approve", "title": "审核通过", "from": "submitted", "to": "approved", "roles": ["fireworks_officer"]},
        ],
        "deadlines": [
            {
                "name": "review",
                "title": "五个工作日内审核",
                "starts": {"state": "submitted"},
                "due": {"amount": 5, "unit": "workdays"},
                "ends": ["approved"],
                "stages": [{"kind": "reminder", "before": {"amount": 1, "unit": "workdays"}}, {"kind": "overdue"}],
            }
        ],
    },
}


@pytest.fixture
def fireworks() -> dict[str, Any]:
    """A fresh copy of the 烟花爆竹流向 module's files."""
    return copy.deepcopy(FIREWORKS)
