"""One mistake, one message: a dashboard naming a report that failed to compile is not a second error."""

from __future__ import annotations

from typing import Any

import pytest

from anjian.errors import MetadataErrors
from anjian.meta.compile import compile_catalog
from anjian.meta.loader import Document

SITE = {
    "title": "场所",
    "type": "object",
    "x-anjian": {"entity": "site"},
    "properties": {"name": {"type": "string", "title": "名称"}},
}


def _doc(path: str, content: dict[str, Any]) -> Document:
    from anjian.meta.loader import document_kind

    kind = document_kind(content)
    assert kind is not None
    return Document(path=path, kind=kind[0], name=kind[1], content=content)


def _problems(*documents: Document) -> list[tuple[str, str]]:
    with pytest.raises(MetadataErrors) as caught:
        compile_catalog(documents)
    return [(e.path, e.pointer) for e in caught.value.errors]


def _dashboard(*reports: str) -> Document:
    widgets = [{"report": r} for r in reports]
    return _doc("home.dashboard.json", {"dashboard": "home", "title": "首页", "widgets": widgets})


@pytest.mark.parametrize(
    "report",
    [
        {"report": "by_site", "title": "统计", "source": "factory", "measures": [{"name": "n", "kind": "count"}]},
        {"report": "by_site", "source": "site", "measures": [{"name": "n", "kind": "count"}]},  # no title
    ],
    ids=["unknown source", "not meta-schema valid"],
)
def test_a_dashboard_showing_a_broken_report_adds_no_problem_of_its_own(report: dict[str, Any]) -> None:
    problems = _problems(_doc("site.json", SITE), _doc("by_site.report.json", report), _dashboard("by_site"))
    assert problems and {path for path, _ in problems} == {"by_site.report.json"}


def test_a_report_nobody_declared_is_still_unknown_and_the_hint_lists_the_declared_ones() -> None:
    broken = {"report": "by_site", "title": "统计", "source": "factory", "measures": [{"name": "n", "kind": "count"}]}
    with pytest.raises(MetadataErrors) as caught:
        compile_catalog([_doc("site.json", SITE), _doc("by_site.report.json", broken), _dashboard("by_site", "nowhere")])
    on_dashboard = [e for e in caught.value.errors if e.path == "home.dashboard.json"]
    assert [e.pointer for e in on_dashboard] == ["/widgets/1/report"]
    assert "nowhere" in on_dashboard[0].message and "by_site" in (on_dashboard[0].hint or "")
