"""The record factory fills a required 公民身份号码 (the studio palette's GB 11643 field) with a
number whose check character holds, so tests of such entities need not pass one."""

from __future__ import annotations

import copy
from typing import Any

from anjian.testing import entity_document, write_json


def test_a_required_citizen_id_number_is_filled_and_passes_its_check(record_factory: Any, published: Any, tmp_path: Any) -> None:
    from anjian.studio.designer import STANDARD_FIELDS
    from anjian_registry.idnumber import check_id_number

    holder = {"name": {"type": "string", "maxLength": 40}, "id_number": copy.deepcopy(STANDARD_FIELDS["id_number"])}
    write_json(
        tmp_path / "decl" / "licence_holder.json",
        entity_document("licence_holder", holder, required=["name", "id_number"], unique=[["id_number"]]),
    )
    published.publish([tmp_path / "decl"])
    assert "registry.id_number_check" in published.registry.entity("licence_holder").field("id_number").validators

    first = record_factory.create("licence_holder")
    second = record_factory.create("licence_holder")  # a unique column: the numbers differ
    assert first["id_number"] != second["id_number"]
    for record in (first, second):
        assert check_id_number(record["id_number"]) == []
