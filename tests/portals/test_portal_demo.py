"""The demo's public face is alive: every column of the home page has published content, the
guides are listed, a closed 意见征集 shows its summary and a closed survey its results."""

import re

from anjian.demo_portal import load_demo_portal


def test_demo_content_fills_every_public_column(client, published):
    added = load_demo_portal(published)
    assert added > 20
    assert load_demo_portal(published) == 0  # once
    home = client.get("/").get_data(as_text=True)
    assert "暂无内容" not in home
    portal = published.registry.catalog.portal_of("public")
    for column in portal.columns:
        page = client.get(f"/column/{column.name}").get_data(as_text=True)
        assert "暂无内容" not in page, column.name
    assert "在线举报" in client.get("/guide/").get_data(as_text=True)

    consult = client.get("/column/consult").get_data(as_text=True)
    links = re.findall(r'href="(/article/consultation/\d+)"', consult)
    pages = [client.get(link).get_data(as_text=True) for link in links]
    assert any("共收到意见建议 12 条" in page for page in pages)  # the closed one, with its summary
    assert any("提交意见</button>" in page for page in pages)  # the open one takes comments

    surveys = client.get("/column/surveys").get_data(as_text=True)
    pages = [client.get(link).get_data(as_text=True) for link in re.findall(r'href="(/article/survey/\d+)"', surveys)]
    assert any("共 8 人参加" in page for page in pages) and any("提交答卷" in page for page in pages)
    assert "约谈办法" in client.get("/search?q=约谈").get_data(as_text=True)
