"""Portal declarations (*.portal.json) and public projections are checked like every declaration."""

import json
import shutil

from anjian.config import bundled_metadata_path
from anjian.meta.public import PublicProjection, mask_value, project


def _check(platform, tmp_path, change):
    root = tmp_path / "metadata"
    shutil.copytree(bundled_metadata_path(), root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = root / "portal" / "public.portal.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return [str(e) for e in platform.check([root])]


def test_standard_portals_are_valid_and_published(published):
    catalog = published.registry.catalog
    assert {p.face for p in catalog.portals.values()} == {"public", "office", "decision"}
    public = catalog.portal_of("public")
    assert public.form("complaint").tracking == "tracking_code"
    assert list(public.groups()) == ["政务公开", "宣传教育", "互动交流"]


def test_portal_errors_name_the_file_and_pointer(platform, tmp_path):
    def break_it(document):
        document["columns"][0]["entity"] = "complaint"  # not published
        document["columns"][1]["where"] = {"colum": "policy"}
        document["intake"][0]["fields"].append("secret")
        document["blocks"][3]["column"] = "nowhere"

    errors = _check(platform, tmp_path, break_it)
    text = "\n".join(errors)
    assert "public.portal.json#/columns/0/entity" in text and "published" in text
    assert "public.portal.json#/columns/1/where/colum" in text
    assert "public.portal.json#/intake/0/fields/6" in text and "'secret'" in text
    assert "public.portal.json#/blocks/3/column" in text and "nowhere" in text


def test_unknown_portal_keywords_are_refused(platform, tmp_path):
    errors = _check(platform, tmp_path, lambda d: d.update(colums=[]))
    assert any("public.portal.json#/colums" in e for e in errors)


def test_public_projection_shows_only_declared_fields_masked():
    projection = PublicProjection(
        fields=("subject", "name", "phone", "id"), mask={"name": "name", "phone": "phone", "id": "id_number"}
    )
    shown = project(
        projection, {"subject": "事项", "name": "欧阳娜娜", "phone": "13812345678", "id": "350524199001011234", "secret": "x"}
    )
    assert shown == {"subject": "事项", "name": "欧***", "phone": "138****5678", "id": "3505**********1234"}
    assert project(None, {"a": 1}) == {}
    assert mask_value("", "phone") == "" and mask_value("12", "phone") == "1*"


def test_a_portal_declaration_is_hot_published(client, published, tmp_path):
    assert "安溪县应急管理局 · 公共服务平台" in client.get("/").get_data(as_text=True)
    root = tmp_path / "metadata"
    shutil.copytree(bundled_metadata_path(), root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = root / "portal" / "public.portal.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["title"] = "安溪县应急管理局 · 网上服务大厅"
    document["columns"].append(
        {"name": "law", "title": "法律法规库", "group": "政务公开", "entity": "article", "where": {"column": "policy"}}
    )
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    published.publish([root])
    html = client.get("/").get_data(as_text=True)
    assert "网上服务大厅" in html and "公共服务平台" not in html
    assert client.get("/column/law").status_code == 200
