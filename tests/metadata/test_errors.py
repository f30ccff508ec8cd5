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


def test_the_same_broken_document_reads_in_chinese_by_default_and_in_english_on_request(platform, monkeypatch):
    from anjian.messages import use_language

    case = Path(__file__).parent.parent / "fixtures" / "metadata" / "invalid" / "dangling_references"
    monkeypatch.chdir(case)
    names = sorted(p.name for p in case.glob("*.json"))
    chinese = {e.pointer: e.render() for e in platform.check(names)}
    with use_language("en"):
        english = {e.pointer: e.render() for e in platform.check(names)}
    assert chinese.keys() == english.keys()
    link = "/properties/owner_id/x-anjian/link"
    assert chinese[link] == "site.json#" + link + ": 关联目标 'company' 不是已声明的实体。已有的实体：site。"
    assert english[link] == ("site.json#" + link + ": link target 'company' is not a declared entity. Known entities: site.")
    for text in english.values():  # every problem of the file is translated, none left in Chinese
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in text), text
