"""The vendored JSON Schema Test Suite (draft 2020-12) as anjian entities, one field ``v`` each.

A suite schema applies to the whole instance; here it becomes the declaration of field ``v`` and
the instance is sent as ``{"v": data}``. anjian fields must declare a type (see docs/metadata.md),
so a schema without one is declared once per JSON type its instances have, with that type added:
the added type never changes the suite's verdict on those instances. Schemas that use keywords a
field may not declare are refused by ``anjian check``: that refusal is their verdict.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

SUITE = Path(__file__).parent / "suite"
FIELD = "v"


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


@dataclass
class Case:
    """One test of the suite: the value, the suite's verdict, and where it came from."""

    file: str
    group: str
    description: str
    data: Any
    valid: bool

    @property
    def name(self) -> str:
        return f"{self.file} | {self.group} | {self.description}"


@dataclass
class Declared:
    """One entity built from one suite schema (and one instance type when the schema has none)."""

    entity: str
    schema: dict[str, Any]
    cases: list[Case] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        return {"type": "object", "properties": {FIELD: self.schema}, "x-anjian": {"entity": self.entity}}


def declarations() -> list[Declared]:
    """Every suite case, grouped into the entities that carry them."""
    result: list[Declared] = []
    for path in sorted(SUITE.rglob("*.json")):
        name = str(path.relative_to(SUITE))
        for group in json.loads(path.read_text(encoding="utf-8")):
            schema = group["schema"]
            if not isinstance(schema, dict):  # a boolean schema cannot declare a field
                schema = {"x-boolean-schema": schema}
            schema = {k: v for k, v in schema.items() if k != "$schema"}
            by_type: dict[str, Declared] = {}
            for test in group["tests"]:
                case = Case(name, group["description"], test["description"], test["data"], test["valid"])
                kind = "declared" if "type" in schema else json_type(case.data)
                if kind == "null":  # null is absent: any one of the group's entities carries it
                    kind = next(iter(by_type), "string")
                if kind not in by_type:
                    typed = schema if "type" in schema else {**schema, "type": kind}
                    by_type[kind] = Declared(f"suite_{len(result) + len(by_type)}", typed)
                by_type[kind].cases.append(case)
            result += by_type.values()
    return result


def split_by_check(all_declared: list[Declared]) -> tuple[list[Declared], list[tuple[Declared, str]]]:
    """(declarations `anjian check` accepts, (refused declaration, its first problem))."""
    from anjian.errors import MetadataErrors
    from anjian.meta import compile_catalog
    from anjian.meta.loader import parse_document

    accepted, refused = [], []
    for declared in all_declared:
        document = parse_document(f"{declared.entity}.json", json.dumps(declared.document()))
        try:
            compile_catalog([document])
        except MetadataErrors as exc:
            refused.append((declared, exc.errors[0].render()))
        else:
            accepted.append(declared)
    return accepted, refused


@cache
def declarable() -> list[Declared]:
    """The declarations `anjian check` accepts: their cases run through both write paths."""
    return split_by_check(declarations())[0]
