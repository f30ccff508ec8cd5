"""The documentation states what the code does: settings, default plugins, actions, kinds, widgets."""

import json
from pathlib import Path

from anjian.config import Settings
from anjian.meta.references import ACTIONS

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
METADATA = (ROOT / "docs" / "metadata.md").read_text(encoding="utf-8")
FIELDS_TEMPLATE = (ROOT / "platform" / "anjian" / "templates" / "anjian" / "_fields.html").read_text(encoding="utf-8")


def test_every_setting_is_listed_in_the_readme():
    variables = [name for name in Settings.model_fields if name != "plugin_values"]  # plugin_values holds ANJIAN_<PLUGIN>_*
    missing = [f"ANJIAN_{name.upper()}" for name in variables if f"`ANJIAN_{name.upper()}`" not in README]
    assert missing == []
    assert "`ANJIAN_<PLUGIN>_<SETTING>`" in README


def test_the_default_plugins_are_stated_as_they_are():
    default = ",".join(Settings.model_fields["plugins"].default)
    assert f"`ANJIAN_PLUGINS` (default `{default}`" in README
    assert f"the default is `{default}`" in METADATA


def test_the_permission_list_is_the_list_publish_accepts():
    row = next(line for line in METADATA.splitlines() if line.startswith("| `permissions` |"))
    assert all(f"`{action}`" in row for action in ACTIONS)
    assert f"Use one of: {', '.join(ACTIONS)}." in METADATA


def test_every_declaration_kind_has_a_row():
    kinds = {"Entity", "Module manifest", "Dictionary", "Process", "Working-day calendar"}
    rows = {line.split("(")[0].strip("| ").strip() for line in METADATA.splitlines() if line.startswith("| ") and "`" in line}
    assert kinds <= rows
    assert f"There are {['zero', 'one', 'two', 'three', 'four', 'five'][len(kinds)]} kinds of declaration" in METADATA


def test_widgets_drawn_as_plain_inputs_are_said_to_be():
    row = next(line for line in METADATA.splitlines() if line.startswith("| `widget` |"))
    said = row.split("not yet drawn as their own control", 1)[1]
    for widget in ("switch", "richtext", "map", "image"):
        drawn = f"f.widget == '{widget}'" in FIELDS_TEMPLATE  # a control of its own in the form macro
        assert drawn != (f"`{widget}`" in said), widget


def test_the_obligations_example_is_the_shipped_declaration():
    workflow = (ROOT / "docs" / "workflow.md").read_text(encoding="utf-8")
    block = workflow.split('```json\n"obligations": [', 1)[1].split("```", 1)[0]
    shown = json.loads('{"obligations": [' + block + "}")
    shipped = json.loads((ROOT / "metadata" / "hazard" / "hazard_statistics.process.json").read_text(encoding="utf-8"))
    assert shown["obligations"] == shipped["obligations"]
    assert all(f"`{key}`" in workflow for ob in shipped["obligations"] for key in ob)  # every keyword is explained
