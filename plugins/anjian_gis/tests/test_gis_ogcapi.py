"""OGC API - Features at /ogc/: the documents, the items parameters, scope, publication, API keys."""

from __future__ import annotations

from typing import Any

from gis_county import OTHER, TOWN


def login(client: Any, user: str) -> None:
    from gis_county import PASSWORD

    response = client.post("/login/", data={"username": user, "password": PASSWORD})
    assert response.status_code in (302, 303), response.status_code


def items(client: Any, collection: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
    response = client.get(f"/ogc/collections/{collection}/items", query_string={"f": "json", **params}, headers=headers or {})
    return response


def test_landing_conformance_and_api(county: Any) -> None:
    client = county["client"]
    landing = client.get("/ogc/?f=json").get_json()
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "alternate", "service-desc", "conformance", "data"} <= rels
    conformance = client.get("/ogc/conformance?f=json").get_json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
    api = client.get("/ogc/api").get_json()
    assert api["openapi"].startswith("3.0")
    html = client.get("/ogc/?f=html")
    assert html.status_code == 200 and "安监地理信息服务" in html.get_data(as_text=True)


def test_admin_sees_every_layer_and_pages(county: Any, token_of: Any) -> None:
    client, admin = county["client"], token_of("admin")
    ids = {c["id"] for c in client.get("/ogc/collections?f=json", headers=admin).get_json()["collections"]}
    assert {"enterprise", "hazard_source_filing", "hidden_danger", "region_boundary"} <= ids
    first = items(client, "enterprise", admin, limit=4).get_json()
    assert first["numberMatched"] == 6 and first["numberReturned"] == 4
    nxt = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = client.get(nxt, headers=admin).get_json()
    assert second["numberReturned"] == 2 and not any(link["rel"] == "next" for link in second["links"])
    assert {f["id"] for f in first["features"]}.isdisjoint({f["id"] for f in second["features"]})


def test_bbox_datetime_and_property_filters(county: Any, token_of: Any) -> None:
    client, admin = county["client"], token_of("admin")
    near = items(client, "enterprise", admin, bbox="118.18,25.05,118.20,25.07").get_json()
    assert sorted(f["id"] for f in near["features"]) == sorted(county["firms"]["anxi"][:2])
    industry = items(client, "enterprise", admin, industry="B").get_json()
    assert industry["numberMatched"] == 3 and all(f["properties"]["industry"] == "B" for f in industry["features"])
    dangers = items(client, "hidden_danger", admin, datetime="2026-01-01/2026-01-31").get_json()
    assert dangers["numberMatched"] == 2
    none = items(client, "hidden_danger", admin, datetime="2025-01-01/..").get_json()
    assert none["numberMatched"] == 2
    later = items(client, "hidden_danger", admin, datetime="2026-02-01/..").get_json()
    assert later["numberMatched"] == 0
    one = client.get(f"/ogc/collections/enterprise/items/{county['firms']['anxi'][0]}?f=json", headers=admin).get_json()
    assert one["geometry"] == {"type": "Point", "coordinates": [118.186, 25.056]}


BAD = [
    ({"bbox": "118.3,25.0,118.1,25.1"}, "最小值大于最大值"),
    ({"bbox": "1,2,3"}, "4 个"),
    ({"limit": "100000000"}, "limit"),
    ({"limit": "abc"}, "limit"),
    ({"colour": "red"}, "未知的查询参数 colour"),
    ({"datetime": "yesterday"}, "datetime"),
    ({"f": "xml"}, "参数 f"),
]


def test_bad_parameters_are_400_with_a_message(county: Any, token_of: Any) -> None:
    admin = token_of("admin")
    for params, locator in BAD:
        response = items(county["client"], "enterprise", admin, **params)
        assert response.status_code == 400, params
        assert locator in response.get_json()["description"], params


def test_unknown_collection_and_feature_are_404(county: Any, token_of: Any) -> None:
    client, admin = county["client"], token_of("admin")
    assert client.get("/ogc/collections/nothing?f=json", headers=admin).status_code == 404
    assert client.get("/ogc/collections/enterprise/items/999999?f=json", headers=admin).status_code == 404


def test_county_officer_sees_only_their_county(county: Any, token_of: Any) -> None:
    client = county["client"]
    officer = items(client, "enterprise", token_of("officer"), limit=100).get_json()
    assert sorted(f["id"] for f in officer["features"]) == sorted(county["firms"]["anxi"])
    assert all(f["properties"]["region_code"].startswith("350524") for f in officer["features"])
    stranger = items(client, "enterprise", token_of("stranger"), limit=100).get_json()
    assert sorted(f["id"] for f in stranger["features"]) == sorted(county["firms"]["xiamen"])
    # a record of the other county is not found, not forbidden: its existence is not revealed
    other = county["firms"]["xiamen"][0]
    assert client.get(f"/ogc/collections/enterprise/items/{other}?f=json", headers=token_of("officer")).status_code == 404
    # the extent follows the scope too
    extent = client.get("/ogc/collections/enterprise?f=json", headers=token_of("officer")).get_json()["extent"]["spatial"][
        "bbox"
    ][0]
    assert extent[1] > 24.9


def test_signed_in_session_is_scoped(county: Any) -> None:
    client = county["client"]
    login(client, "stranger")
    found = items(client, "enterprise").get_json()
    assert {f["properties"]["region_code"] for f in found["features"]} == {OTHER}


def test_anonymous_sees_published_layers_and_public_fields_only(county: Any) -> None:
    client = county["client"]
    ids = {c["id"] for c in client.get("/ogc/collections?f=json").get_json()["collections"]}
    assert ids == {"region_boundary"}
    found = items(client, "region_boundary").get_json()
    assert [f["properties"]["name"] for f in found["features"]] == ["凤城镇"]  # 思明区's boundary is not public
    assert set(found["features"][0]["properties"]) == {"name", "region_code", "level"}  # the public projection
    assert items(client, "enterprise").status_code == 404
    assert items(client, "region_boundary", source="x").status_code == 400  # not a public field: unknown parameter


def test_api_key_reads_within_its_scopes(county: Any) -> None:
    client, key = county["client"], {"X-API-Key": county["key"]}
    found = items(client, "enterprise", key).get_json()
    assert {f["properties"]["region_code"] for f in found["features"]} == {TOWN}
    ids = {c["id"] for c in client.get("/ogc/collections?f=json", headers=key).get_json()["collections"]}
    assert "hidden_danger" not in ids  # the key's scopes do not include it, whatever the user may do
    bad = client.get("/ogc/collections?f=json", headers={"X-API-Key": "wrong"})
    assert bad.status_code == 401
