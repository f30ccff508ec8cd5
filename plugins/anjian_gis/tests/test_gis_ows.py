"""WFS 2.0 and WMS 1.3.0 read by OWSLib (the real client) over HTTP, and OGC API - Features too."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from gis_county import OTHER, TOWN
from PIL import Image


@pytest.fixture
def server(county: Any) -> Iterator[str]:
    from werkzeug.serving import make_server

    httpd = make_server("127.0.0.1", 0, county["app"], threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(5)


def opaque(png: bytes) -> int:
    """How many pixels of a PNG something was drawn on."""
    alpha = Image.open(io.BytesIO(png)).convert("RGBA").getchannel("A")
    return alpha.width * alpha.height - alpha.histogram()[0]


def bearer(county: Any, user: str) -> dict[str, str]:
    from gis_county import PASSWORD

    response = county["client"].post("/api/v1/auth/token", json={"username": user, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def test_owslib_ogc_api_features(county: Any, server: str) -> None:
    from owslib.ogcapi.features import Features

    api = Features(f"{server}/ogc", headers=bearer(county, "officer"))
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in api.conformance()["conformsTo"]
    assert {"enterprise", "hazard_source_filing", "hidden_danger", "region_boundary"} <= set(api.feature_collections())
    found = api.collection_items("enterprise", bbox=[118.18, 25.05, 118.2, 25.07], limit=10)
    assert sorted(f["id"] for f in found["features"]) == sorted(county["firms"]["anxi"][:2])
    with pytest.raises(RuntimeError):  # OWSLib turns the 400 into an error carrying the message
        api.collection_items("enterprise", bbox=[118.2, 25.05, 118.1, 25.07])


def test_owslib_wfs_capabilities_schema_and_bbox(county: Any, server: str) -> None:
    from owslib.wfs import WebFeatureService

    wfs = WebFeatureService(f"{server}/ogc/wfs", version="2.0.0", headers=bearer(county, "officer"))
    assert {"aj:enterprise", "aj:hazard_source_filing", "aj:hidden_danger", "aj:region_boundary"} <= set(wfs.contents)
    west, south, east, north = wfs.contents["aj:enterprise"].boundingBoxWGS84
    assert 117.8 < west <= east < 118.3 and 25.0 < south <= north < 25.3  # the officer's county only
    schema = wfs.get_schema("aj:region_boundary")  # OWSLib sends no headers here: the public view of a public layer
    assert set(schema["properties"]) == {"name", "region_code", "level"} and schema["geometry_column"] == "boundary"
    # OWSLib sends the box as lat/lon with the EPSG:4326 urn; the server must read it so
    response = wfs.getfeature(typename=["aj:enterprise"], bbox=(118.18, 25.05, 118.2, 25.07), outputFormat="application/json")
    features = json.loads(response.read())["features"]
    assert sorted(f["id"] for f in features) == sorted(f"enterprise.{i}" for i in county["firms"]["anxi"][:2])
    gml = wfs.getfeature(typename=["aj:enterprise"], maxfeatures=2).read()
    gml_text = gml.decode() if isinstance(gml, bytes) else gml
    assert gml_text.count("<wfs:member>") == 2 and "<gml:pos>25.056 118.186</gml:pos>" in gml_text


def test_wfs_scope_and_bad_requests(county: Any) -> None:
    client = county["client"]
    stranger = bearer(county, "stranger")
    query = {
        "service": "WFS",
        "version": "2.0.0",
        "request": "GetFeature",
        "typeNames": "aj:enterprise",
        "outputFormat": "application/json",
    }
    found = client.get("/ogc/wfs", query_string=query, headers=stranger).get_json()
    assert {f["properties"]["region_code"] for f in found["features"]} == {OTHER}
    anonymous = client.get("/ogc/wfs", query_string=query)
    assert anonymous.status_code == 400 and b"aj:enterprise" in anonymous.data  # not a layer for the public
    by_id = {**query, "typeNames": "", "storedQuery_id": "urn:ogc:def:query:OGC-WFS::GetFeatureById"}
    by_id["ID"] = f"enterprise.{county['firms']['anxi'][0]}"
    assert client.get("/ogc/wfs", query_string=by_id, headers=stranger).status_code == 404  # another county's firm
    bad = client.get("/ogc/wfs", query_string={**query, "bbox": "25.1,118.2,25.0,118.1"}, headers=stranger)
    assert bad.status_code == 400 and "ExceptionReport" in bad.get_data(as_text=True)
    listed = client.get("/ogc/wfs", query_string={"service": "WFS", "request": "ListStoredQueries"}, headers=stranger)
    assert "GetFeatureById" in listed.get_data(as_text=True)


def test_owslib_wms_capabilities_map_and_feature_info(county: Any, server: str) -> None:
    from owslib.wms import WebMapService

    wms = WebMapService(f"{server}/ogc/wms", version="1.3.0", headers=bearer(county, "officer"))
    assert {"enterprise", "hazard_source_filing", "hidden_danger", "region_boundary"} <= set(wms.contents)
    box = (118.17, 25.04, 118.21, 25.08)  # lon/lat; OWSLib swaps it for EPSG:4326 in 1.3.0
    image = wms.getmap(layers=["enterprise"], srs="EPSG:4326", bbox=box, size=(200, 200), format="image/png", transparent=True)
    png = Image.open(io.BytesIO(image.read())).convert("RGBA")  # a map of points only is a palette PNG
    assert png.size == (200, 200)
    # 凤城镇's two firms are drawn where they are: (118.186, 25.056) -> x = 80, y = 120
    assert png.getpixel((80, 120))[3] == 255 and png.getpixel((10, 10))[3] == 0
    info = wms.getfeatureinfo(
        layers=["enterprise"],
        srs="EPSG:4326",
        bbox=box,
        size=(200, 200),
        format="image/png",
        query_layers=["enterprise"],
        info_format="application/json",
        xy=(80, 120),
    )
    ids = [f["id"] for f in json.loads(info.read())["features"]]
    assert ids == [f"enterprise.{county['firms']['anxi'][0]}"]


def test_wms_draws_only_what_the_caller_may_see(county: Any) -> None:
    client = county["client"]
    xiamen = {
        "service": "WMS",
        "version": "1.3.0",
        "request": "GetMap",
        "layers": "enterprise",
        "crs": "CRS:84",
        "bbox": "118.05,24.42,118.2,24.52",
        "width": "150",
        "height": "100",
        "format": "image/png",
    }

    def drawn(headers: dict[str, str]) -> int:
        response = client.get("/ogc/wms", query_string=xiamen, headers=headers)
        assert response.status_code == 200 and response.mimetype == "image/png"
        return opaque(response.data)

    assert drawn(bearer(county, "stranger")) > 0  # 思明区's own firms
    assert drawn(bearer(county, "officer")) == 0  # 安溪's officer gets an empty picture of 思明区
    boundary = {**xiamen, "layers": "region_boundary"}
    anonymous = client.get("/ogc/wms", query_string=boundary)
    assert anonymous.status_code == 200  # boundaries are a public layer, but 思明区's is not published
    assert opaque(anonymous.data) == 0
    refused = client.get("/ogc/wms", query_string={**xiamen, "crs": "EPSG:9999"})
    assert refused.status_code == 400 and "InvalidCRS" in refused.get_data(as_text=True)
    assert TOWN.startswith("350524")


def test_owslib_wfs_filter_by_get_and_post(county: Any, server: str) -> None:
    from owslib.etree import etree
    from owslib.fes2 import And, BBox, Filter, PropertyIsEqualTo
    from owslib.wfs import WebFeatureService

    wfs = WebFeatureService(f"{server}/ogc/wfs", version="2.0.0", headers=bearer(county, "officer"))
    condition = And([PropertyIsEqualTo("industry", "C"), BBox([25.0, 118.1, 25.1, 118.3], crs="urn:ogc:def:crs:EPSG::4326")])
    text = etree.tostring(Filter(condition).toXML()).decode()
    for method in ("Get", "Post"):
        response = wfs.getfeature(typename=["aj:enterprise"], filter=text, outputFormat="application/json", method=method)
        found = json.loads(response.read())
        assert [f["id"] for f in found["features"]] == [f"enterprise.{county['firms']['anxi'][0]}"], method
