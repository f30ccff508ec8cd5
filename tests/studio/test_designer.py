"""The designer's edits and the diagram, as plain functions over a draft's files."""

from __future__ import annotations

from typing import Any

from anjian.meta.compile import compile_catalog
from anjian.meta.loader import load_documents
from anjian.studio import designer
from anjian.studio.diagram import auto_layout, process_svg
from anjian.studio.files import draft_documents


def _compiles(files: dict[str, Any]) -> None:
    standard, errors = load_documents(["metadata"])
    assert not errors
    own = {"fireworks"}
    draft, problems = draft_documents("fireworks", files)
    assert not problems
    compile_catalog([d for d in standard if d.name not in own] + draft)


def test_rename_follows_the_field_everywhere_and_declares_renamed_from(fireworks: dict[str, Any]) -> None:
    fireworks["fireworks_flow.process.json"]["transitions"][0]["requires"] = ["wholesaler"]
    fireworks["fireworks_flow.process.json"]["states"]["draft"]["editable"] = ["wholesaler", "note"]
    files = designer.rename_field(fireworks, "fireworks_flow", "wholesaler", "dealer")
    entity = files["fireworks_flow.json"]
    assert list(entity["properties"])[0] == "dealer"
    assert entity["properties"]["dealer"]["x-anjian"]["renamed_from"] == "wholesaler"
    assert entity["x-anjian"]["title_field"] == "dealer" and entity["x-anjian"]["list_columns"][0] == "dealer"
    process = files["fireworks_flow.process.json"]
    assert process["transitions"][0]["requires"] == ["dealer"] and process["states"]["draft"]["editable"][0] == "dealer"
    back = designer.rename_field(files, "fireworks_flow", "dealer", "wholesaler")
    assert "x-anjian" not in back["fireworks_flow.json"]["properties"]["wholesaler"]
    assert fireworks["fireworks_flow.json"]["properties"].get("wholesaler")  # the input is not changed
    _compiles(files)


def test_every_kind_and_standard_field_compiles(fireworks: dict[str, Any]) -> None:
    files = fireworks
    for kind in designer.KINDS:
        files = designer.add_field(files, "fireworks_flow", f"f_{kind}", "", kind)
    for name in designer.STANDARD_FIELDS:
        files = designer.add_field(files, "fireworks_flow", f"s_{name}", "", f"std:{name}", required=True)
    assert "s_mobile" in files["fireworks_flow.json"]["required"]
    _compiles(files)


def test_retire_delete_and_move(fireworks: dict[str, Any]) -> None:
    retired = designer.remove_field(fireworks, "fireworks_flow", "note")
    assert "note" not in retired["fireworks_flow.json"]["properties"]
    assert "drop_fields" not in retired["fireworks_flow.json"]["x-anjian"]
    deleted = designer.remove_field(fireworks, "fireworks_flow", "note", delete=True)
    assert deleted["fireworks_flow.json"]["x-anjian"]["drop_fields"] == ["note"]
    restored = designer.add_field(deleted, "fireworks_flow", "note", "备注", "text")
    assert restored["fireworks_flow.json"]["x-anjian"]["drop_fields"] == []
    moved = designer.move_fields(fireworks, "fireworks_flow", ["note", "flow_type"])
    assert list(moved["fireworks_flow.json"]["properties"])[:3] == ["note", "flow_type", "wholesaler"]


def test_diagram_lays_states_out_by_distance_and_escapes_text(fireworks: dict[str, Any]) -> None:
    process = fireworks["fireworks_flow.process.json"]
    assert auto_layout(process) == {"draft": (0, 0), "submitted": (1, 0), "approved": (2, 0)}
    process["states"]["draft"]["title"] = "<script>"
    svg = process_svg(process, {"approved": [500, 10]})
    assert "&lt;script&gt;" in svg and "<script>" not in svg
    assert 'x="500" y="10"' in svg and svg.count("marker-end") == 2


def test_adding_a_field_of_an_existing_name_is_refused(fireworks: dict[str, Any]) -> None:
    import pytest

    with pytest.raises(ValueError, match="已存在"):
        designer.add_field(fireworks, "fireworks_flow", "note", "备注二", "text")
    assert fireworks["fireworks_flow.json"]["properties"]["note"]["title"] == "备注"
