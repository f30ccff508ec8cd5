"""The editor's full check is kept per draft revision: reopening an unchanged draft finds it again,
while a saved change, a draft changed only in memory or another language is checked afresh."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from anjian.audit import Actor
from anjian.messages import use_language
from anjian.studio import Studio

ADMIN = Actor("admin", is_admin=True)


def test_an_unchanged_revision_is_checked_once(app: Any, fireworks: dict[str, Any]) -> None:
    studio = Studio(app.extensions["anjian"])
    draft = studio.create_draft(ADMIN, "fireworks")
    draft = studio.save_draft(ADMIN, draft.id, draft.version, files=fireworks)
    first = studio.review(studio.drafts.get(draft.id))
    assert first.ok
    again = Studio(app.extensions["anjian"]).review(studio.drafts.get(draft.id))  # the next request
    assert again is first

    # Changed in memory, not saved (the editor's check of a file as typed): same revision, other files.
    entity = draft.files["fireworks_flow.json"]
    options = {**entity["x-anjian"], "title_field": "ghost"}
    typed = {**draft.files, "fireworks_flow.json": {**entity, "x-anjian": options}}
    unsaved = studio.review(replace(draft, files=typed))
    assert unsaved is not first and not unsaved.ok
    assert studio.review(studio.drafts.get(draft.id)) is first

    # The caller's dicts edited afterwards cannot reach what was kept.
    draft.files["fireworks_flow.json"]["x-anjian"]["list_columns"].append("no_such_field")
    assert studio.review(studio.drafts.get(draft.id)).ok

    broken = studio.save_draft(ADMIN, draft.id, draft.version, files=draft.files)  # a new revision
    problems = studio.review(broken).problems()
    assert [p["pointer"] for p in problems] == ["/x-anjian/list_columns/4"]

    with use_language("en"):  # messages are in the reader's language: kept apart
        english = studio.review(broken)
    assert english is not studio.review(broken)
    assert english.problems()[0]["message"] != problems[0]["message"]
