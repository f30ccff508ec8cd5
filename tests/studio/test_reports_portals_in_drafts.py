"""Reports (*.report.json) and portal pages (*.portal.json) are part of a module's draft: checked
like the rest, published with it, and carried by the zip round trip."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from anjian.audit import Actor
from anjian.studio import Studio

ADMIN = Actor("admin", is_admin=True)


def test_a_modules_reports_are_in_its_draft_checked_and_round_tripped(api: Any, app: Any) -> None:
    studio = Studio(app.extensions["anjian"])
    draft = studio.create_draft(ADMIN, "complaints")
    assert {"complaints_by_channel.report.json", "complaints_by_month.report.json"} <= set(draft.files)
    assert studio.review(draft).ok

    report = draft.files["complaints_by_month.report.json"]
    report["source"] = "no_such_entity"
    broken = studio.save_draft(ADMIN, draft.id, draft.version, files=draft.files)
    problems = studio.review(broken).problems()
    # One mistake, one message: hazard's county_officers dashboard shows this report, and does not
    # report it a second time as 「未知的报表」.
    assert [(p["file"], p["elsewhere"], p["pointer"]) for p in problems] == [("complaints_by_month.report.json", "", "/source")]
    report["source"] = "complaint"
    report["title"] = "举报投诉按月统计（草稿）"
    draft = studio.save_draft(ADMIN, draft.id, broken.version, files=draft.files)

    exported = api.get(f"/api/v1/studio/drafts/{draft.id}/export")
    names = zipfile.ZipFile(io.BytesIO(exported.data)).namelist()
    assert "metadata/complaints/complaints_by_month.report.json" in names
    other = api.post("/api/v1/studio/drafts", json={"module": "complaints"}).get_json()
    imported = api.post(
        f"/api/v1/studio/drafts/{other['id']}/import",
        data={"version": str(other["version"]), "file": (io.BytesIO(exported.data), "complaints.zip")},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 200, imported.get_json()
    assert api.get(f"/api/v1/studio/drafts/{other['id']}/export").data == exported.data

    result = studio.publish(ADMIN, draft.id, draft.version)
    assert "report:complaints_by_month" in result["changed"]
    assert studio.platform.registry.catalog.reports["complaints_by_month"].title == "举报投诉按月统计（草稿）"


def test_portal_pages_are_in_the_portal_modules_draft(app: Any) -> None:
    studio = Studio(app.extensions["anjian"])
    draft = studio.create_draft(ADMIN, "portal")
    portals = sorted(name for name in draft.files if name.endswith(".portal.json"))
    assert portals == ["decision.portal.json", "office.portal.json", "public.portal.json"]
    assert studio.review(draft).ok
    draft.files["office.portal.json"]["blocks"][0]["kind"] = "no_such_block"
    broken = studio.save_draft(ADMIN, draft.id, draft.version, files=draft.files)
    problems = studio.review(broken).problems()
    assert problems and {p["file"] for p in problems} == {"office.portal.json"}
