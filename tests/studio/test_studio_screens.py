"""The studio's screens driven through the web session: build, preview, publish, grant."""

from __future__ import annotations

import re
from typing import Any

import pytest

from anjian.testing.plugin import ADMIN_PASSWORD


@pytest.fixture
def admin_web(app: Any) -> Any:
    client = app.test_client()
    response = client.post("/login/", data={"username": "admin", "password": ADMIN_PASSWORD})
    assert response.status_code == 302
    return client


def _draft_id(response: Any) -> int:
    match = re.search(r"/studio/drafts/(\d+)", response.headers["Location"])
    assert match, response.headers
    return int(match.group(1))


def _version(page: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', page)
    assert match
    return match.group(1)


# About 15 s of screens and three publishes: it runs in the process pass (the browser test covers the flow too).
@pytest.mark.slow
def test_configurator_builds_previews_and_publishes_a_module(admin_web: Any, app: Any, fireworks: dict[str, Any]) -> None:
    page = admin_web.get("/studio/")
    assert page.status_code == 200 and "建模工作台" in page.get_data(as_text=True)
    created = admin_web.post("/studio/drafts", data={"module": "fireworks"})
    draft_id = _draft_id(created)
    studio_draft = f"/studio/drafts/{draft_id}"
    import json

    for name in ("fireworks_flow.json", "module.json", "fireworks_flow.process.json"):
        version = _version(admin_web.get(studio_draft).get_data(as_text=True))
        text = json.dumps(fireworks[name], ensure_ascii=False)
        saved = admin_web.post(f"{studio_draft}/edit", data={"version": version, "op": "file", "file": name, "text": text})
        assert saved.status_code == 302
    page = admin_web.get(studio_draft + "?entity=fireworks_flow").get_data(as_text=True)
    assert "检查通过" in page and 'data-field="lines"' in page and "<svg" in page and "待审核" in page

    version = _version(page)
    added = admin_web.post(
        f"{studio_draft}/edit",
        data={
            "version": version,
            "op": "add",
            "entity": "fireworks_flow",
            "name": "contact_mobile",
            "title": "",
            "kind": "std:mobile",
        },
    )
    assert added.status_code == 302
    stale = admin_web.post(
        f"{studio_draft}/edit",
        data={"version": version, "op": "retire", "entity": "fireworks_flow", "name": "note"},
        follow_redirects=True,
    )
    assert "已被" in stale.get_data(as_text=True)  # the page saw an older version: refused, not overwritten

    preview = admin_web.get(f"{studio_draft}/preview/fireworks_flow").get_data(as_text=True)
    assert "手机号码" in preview and "产品明细" in preview and 'name="contact_mobile"' in preview

    version = _version(admin_web.get(studio_draft).get_data(as_text=True))
    broken = admin_web.post(
        f"{studio_draft}/edit",
        data={"version": version, "op": "add", "entity": "fireworks_flow", "name": "Bad-Name", "kind": "text"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "修正后才能发布" in broken and "anjian-field-problem" in broken
    version = _version(broken)
    admin_web.post(
        f"{studio_draft}/edit", data={"version": version, "op": "retire", "entity": "fireworks_flow", "name": "Bad-Name"}
    )

    live = admin_web.post(f"{studio_draft}/check-file", json={"file": "fireworks_flow.process.json", "text": "{"})
    assert "JSON 语法错误" in live.get_json()["problems"][0]["message"]
    bad = json.loads(json.dumps(fireworks["fireworks_flow.process.json"]))
    bad["transitions"][0]["condition"] = "flow_type =="
    live = admin_web.post(f"{studio_draft}/check-file", json={"file": "fireworks_flow.process.json", "text": json.dumps(bad)})
    assert [p["pointer"] for p in live.get_json()["problems"]] == ["/transitions/0/condition"], live.get_json()

    plan_page = admin_web.get(f"{studio_draft}/publish").get_data(as_text=True)
    assert "变更计划" in plan_page and "新建表" in plan_page
    done = admin_web.post(f"{studio_draft}/publish", data={"version": _version(plan_page)}, follow_redirects=True)
    assert "已发布为目录版本" in done.get_data(as_text=True)
    granted = admin_web.post(
        f"{studio_draft}/grant",
        data={"role": "fireworks_officer", "username": "officer", "region": "350524"},
        follow_redirects=True,
    )
    assert "已授予" in granted.get_data(as_text=True)
    assert "fireworks_officer" in {g.role for g in app.extensions["anjian"].access.grants_of("officer")}
    export = admin_web.get(f"{studio_draft}/export")
    assert export.status_code == 200 and export.mimetype == "application/zip"
    refused = admin_web.post("/studio/modules/fireworks/withdraw", data={"confirm": ""}, follow_redirects=True)
    assert "请输入模块名" in refused.get_data(as_text=True)
    withdrawn = admin_web.post("/studio/modules/fireworks/withdraw", data={"confirm": "fireworks"}, follow_redirects=True)
    assert "已撤下模块 fireworks" in withdrawn.get_data(as_text=True)
    version = _version(admin_web.get(studio_draft).get_data(as_text=True))
    removed = admin_web.post(
        f"{studio_draft}/edit",
        data={"version": version, "op": "remove_entity", "entity": "fireworks_flow"},
        follow_redirects=True,
    )
    assert "已撤下实体 fireworks_flow" in removed.get_data(as_text=True)


def test_officers_without_the_role_are_refused(app: Any) -> None:
    client = app.test_client()
    client.post("/login/", data={"username": "officer", "password": ADMIN_PASSWORD})
    assert client.get("/studio/").status_code == 403
