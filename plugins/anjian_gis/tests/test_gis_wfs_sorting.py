"""WFS ``sortBy`` (KVP as OWSLib joins it, and a POSTed fes:SortBy): served properties only, ASC/DESC,
advertised in the capabilities; anything else is a 400 naming the property."""

from __future__ import annotations

from typing import Any

from test_gis_wfs_filters import get_feature


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [f["properties"]["name"] for f in response.get_json()["features"]]


def test_sort_by_served_properties(county: Any, token_of: Any) -> None:
    client, admin = county["client"], token_of("admin")
    down = names(get_feature(client, admin, sortBy="name DESC", outputFormat="application/json"))
    assert down == sorted(down, reverse=True) and len(down) == 6
    up = names(get_feature(client, admin, sortBy="aj:name ASC", outputFormat="application/json"))
    assert up == sorted(down)
    both = get_feature(client, admin, sortBy="industry A,name D", outputFormat="application/json")  # WFS 1.1 letters
    keys = [(f["properties"]["industry"], f["properties"]["name"]) for f in both.get_json()["features"]]
    assert keys == sorted(sorted(keys, key=lambda k: k[1], reverse=True), key=lambda k: k[0]) and len(set(keys)) == 6
    first_page = names(get_feature(client, admin, sortBy="name DESC", count="2", outputFormat="application/json"))
    assert first_page == down[:2]  # the order holds across pages


def test_posted_sort_by(county: Any, token_of: Any) -> None:
    body = (
        '<wfs:GetFeature service="WFS" version="2.0.0" outputFormat="application/json" '
        'xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0">'
        '<wfs:Query typeNames="aj:enterprise"><fes:SortBy><fes:SortProperty>'
        "<fes:ValueReference>name</fes:ValueReference><fes:SortOrder>DESC</fes:SortOrder>"
        "</fes:SortProperty></fes:SortBy></wfs:Query></wfs:GetFeature>"
    )
    found = county["client"].post("/ogc/wfs", data=body, content_type="application/xml", headers=token_of("admin"))
    listed = names(found)
    assert listed == sorted(listed, reverse=True) and len(listed) == 6


def test_bad_sort_by_and_capabilities(county: Any, token_of: Any) -> None:
    client, admin = county["client"], token_of("admin")
    unknown = get_feature(client, admin, sortBy="nosuch ASC")
    assert unknown.status_code == 400 and "nosuch" in unknown.get_data(as_text=True)
    sideways = get_feature(client, admin, sortBy="name SIDEWAYS")
    assert sideways.status_code == 400 and "ASC" in sideways.get_data(as_text=True)
    # anonymous callers may sort only by the public projection (区划边界: name, region_code, level)
    public = get_feature(client, {}, typeNames="aj:region_boundary", sortBy="public DESC")
    assert public.status_code == 400 and "public" in public.get_data(as_text=True)
    assert get_feature(client, {}, typeNames="aj:region_boundary", sortBy="name").status_code == 200
    capabilities = client.get("/ogc/wfs?service=WFS&request=GetCapabilities").get_data(as_text=True)
    assert 'name="ImplementsSorting"' in capabilities
    assert capabilities.split('name="ImplementsSorting"')[1].split("</fes:Constraint>")[0].count("TRUE") == 1
