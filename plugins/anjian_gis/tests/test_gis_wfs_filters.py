"""WFS GetFeature with FES filters as OWSLib builds and sends them (GET ``QUERY``, KVP ``FILTER``,
a POSTed wfs:GetFeature), inside the caller's scope; bad filters and unknown parameters are 400s."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from gis_county import TOWN

WFS = "/ogc/wfs?"


def fes(*conditions: Any) -> str:
    from owslib.etree import etree
    from owslib.fes2 import And, Filter

    body = conditions[0] if len(conditions) == 1 else And(list(conditions))
    return etree.tostring(Filter(body).toXML()).decode()


def get_feature(client: Any, headers: dict[str, str], **params: str) -> Any:
    base = {"service": "WFS", "version": "2.0.0", "request": "GetFeature", "typeNames": "aj:enterprise"}
    return client.get(WFS + urlencode({**base, **params}), headers=headers)


def test_property_and_bbox_filter_as_owslib_sends_it(county: Any, token_of: Any) -> None:
    from owslib.fes2 import BBox, PropertyIsEqualTo

    client, officer = county["client"], token_of("officer")
    anxi = county["firms"]["anxi"]
    both = fes(PropertyIsEqualTo("industry", "C"), BBox([25.0, 118.1, 25.1, 118.3], crs="urn:ogc:def:crs:EPSG::4326"))
    found = get_feature(client, officer, query=both, outputFormat="application/json")  # OWSLib's GET puts it in QUERY
    assert found.status_code == 200, found.get_data(as_text=True)
    assert [f["id"] for f in found.get_json()["features"]] == [f"enterprise.{anxi[0]}"]
    # the filter alone: industry C everywhere, but the officer sees 安溪县 only (厦门's C firm stays out)
    industry = get_feature(client, officer, filter=fes(PropertyIsEqualTo("industry", "C")), outputFormat="application/json")
    assert sorted(f["id"] for f in industry.get_json()["features"]) == [f"enterprise.{anxi[0]}", f"enterprise.{anxi[2]}"]
    gml = get_feature(client, officer, filter=both)
    assert gml.status_code == 200 and 'numberMatched="1"' in gml.get_data(as_text=True)


def test_logical_like_between_and_null(county: Any, token_of: Any) -> None:
    from owslib.fes2 import Not, Or, PropertyIsEqualTo, PropertyIsLike, PropertyIsNull

    client, admin = county["client"], token_of("admin")
    anxi, xiamen = county["firms"]["anxi"], county["firms"]["xiamen"]

    def ids(text: str) -> list[str]:
        response = get_feature(client, admin, filter=text, outputFormat="application/json")
        assert response.status_code == 200, response.get_data(as_text=True)
        return sorted(f["id"] for f in response.get_json()["features"])

    names = ids(fes(PropertyIsLike("name", "xiamen*", wildCard="*")))
    assert names == sorted(f"enterprise.{n}" for n in xiamen)
    either = ids(fes(Or([PropertyIsEqualTo("region_code", "350203"), PropertyIsEqualTo("industry", "B")])))
    assert either == sorted(f"enterprise.{n}" for n in [*xiamen, anxi[1], anxi[3]])
    assert ids(fes(Not([PropertyIsEqualTo("industry", "C")]))) == sorted(f"enterprise.{n}" for n in [anxi[1], anxi[3], xiamen[1]])
    assert ids(fes(PropertyIsNull("address"))) == sorted(f"enterprise.{n}" for n in [*anxi, *xiamen])
    between = (
        '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsBetween><fes:ValueReference>id</fes:ValueReference>'
        "<fes:LowerBoundary><fes:Literal>1</fes:Literal></fes:LowerBoundary>"
        "<fes:UpperBoundary><fes:Literal>2</fes:Literal></fes:UpperBoundary></fes:PropertyIsBetween></fes:Filter>"
    )
    refused = get_feature(client, admin, filter=between)
    assert refused.status_code == 400 and "id" in refused.get_data(as_text=True)  # id is not a property


def test_posted_get_feature_as_owslib_posts_it(county: Any, token_of: Any) -> None:
    from owslib.feature.postrequest import PostRequest_2_0_0
    from owslib.fes2 import PropertyIsEqualTo

    client, officer = county["client"], token_of("officer")
    post = PostRequest_2_0_0()
    post.create_query("aj:enterprise")
    post.set_filter(fes(PropertyIsEqualTo("industry", "B")))
    post.set_maxfeatures(1)
    post.set_outputformat("application/json")
    response = client.post("/ogc/wfs", data=post.to_string(), headers={**officer, "Content-Type": "text/xml"})
    assert response.status_code == 200, response.get_data(as_text=True)
    found = response.get_json()
    assert found["numberMatched"] == 2 and [f["id"] for f in found["features"]] == [f"enterprise.{county['firms']['anxi'][1]}"]


def test_property_names_and_hits(county: Any, token_of: Any) -> None:
    client, officer = county["client"], token_of("officer")
    picked = get_feature(client, officer, propertyName="name,industry", outputFormat="application/json").get_json()
    assert {tuple(sorted(f["properties"])) for f in picked["features"]} == {("industry", "name")}
    hits = get_feature(client, officer, resultType="hits")
    text = hits.get_data(as_text=True)
    assert hits.status_code == 200 and 'numberMatched="4"' in text and 'numberReturned="0"' in text
    unknown = get_feature(client, officer, propertyName="salary")
    assert unknown.status_code == 400 and "salary" in unknown.get_data(as_text=True)


def test_bad_filters_and_unknown_parameters_are_400_with_a_message(county: Any, token_of: Any) -> None:
    from owslib.fes2 import PropertyIsEqualTo

    client, officer = county["client"], token_of("officer")
    cases = {
        "secret": get_feature(client, officer, filter=fes(PropertyIsEqualTo("secret", "x"))),
        "不是正确的 XML": get_feature(client, officer, filter="<fes:Filter"),
        "DOCTYPE": get_feature(client, officer, filter='<!DOCTYPE x [<!ENTITY a "b">]><Filter/>'),
        "不支持的过滤条件": get_feature(
            client,
            officer,
            filter='<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:Intersects/></fes:Filter>',
        ),
        "应为整数": get_feature(client, officer, count="many"),
        "frobnicate": get_feature(client, officer, frobnicate="1"),
        "BBOX 与 FILTER": get_feature(client, officer, bbox="25,118,25.1,118.3", filter=fes(PropertyIsEqualTo("industry", "C"))),
    }
    for expected, response in cases.items():
        text = response.get_data(as_text=True)
        assert response.status_code == 400 and "ExceptionReport" in text and expected in text, (expected, text)
    wms = client.get(
        "/ogc/wms?service=WMS&version=1.3.0&request=GetMap&layers=enterprise&crs=CRS:84&bbox=118,25,118.3,25.2"
        "&width=10&height=10&format=image/png&colour=red",
        headers=officer,
    )
    assert wms.status_code == 400 and "colour" in wms.get_data(as_text=True)
    # anonymous callers may filter on the public projection only
    boundaries = {"typeNames": "aj:region_boundary", "outputFormat": "application/json"}
    anonymous = get_feature(client, {}, **boundaries, filter=fes(PropertyIsEqualTo("source", "x")))
    assert anonymous.status_code == 400 and "source" in anonymous.get_data(as_text=True)
    public = get_feature(client, {}, **boundaries, filter=fes(PropertyIsEqualTo("region_code", TOWN)))
    assert [f["properties"]["name"] for f in public.get_json()["features"]] == ["凤城镇"]
