"""Golden messages: every invalid fixture's problems, reviewed like code.

Each case folder under fixtures/metadata/invalid holds documents and ``expected.txt``; refresh
the expectations with ANJIAN_TEST_UPDATE_GOLDEN=1 and review the diff.
"""

import os
from pathlib import Path

import pytest

CASES = sorted(p for p in (Path(__file__).parent.parent / "fixtures" / "metadata" / "invalid").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_invalid_metadata_messages(case, platform, monkeypatch):
    monkeypatch.chdir(case)
    errors = platform.check(sorted(p.name for p in case.glob("*.json")))
    text = "\n".join(e.render() for e in errors) + "\n"
    expected = case / "expected.txt"
    if os.environ.get("ANJIAN_TEST_UPDATE_GOLDEN"):
        expected.write_text(text, encoding="utf-8")
    assert errors, "an invalid fixture must produce errors"
    assert text == expected.read_text(encoding="utf-8")
    for error in errors:
        assert error.path.endswith(".json") and (error.pointer == "" or error.pointer.startswith("/"))
        assert error.hint, f"every problem says what to do: {error.render()}"
