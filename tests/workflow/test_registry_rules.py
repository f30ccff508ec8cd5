"""Credit codes (GB 32100 positions 1-8 and 17) and dated region codes, through the API with the clock."""

import pytest

from anjian_registry.uscc import check_character, organisation_check_character

pytestmark = pytest.mark.postgres
TOWN = "350524100000"


def code(prefix8, body="MA2YJ1XR", position17=None):
    first17 = prefix8 + body + (position17 or organisation_check_character(body))
    return first17 + check_character(first17)


def firm(credit, **extra):
    return {"name": "安溪规则测试有限公司", "credit_code": credit, "region_code": TOWN, "industry": "C", **extra}


def errors(body):
    return {(e["pointer"], e["code"], e.get("overridable", False)) for e in body["error"]["errors"]}


@pytest.fixture
def clerk(county, api_as):
    """An officer who may register enterprises in the county."""
    from anjian import Actor

    county["platform"].access.store.add_grant(Actor("admin", is_admin=True), "officer", "registry_clerk", "350524")
    return api_as("officer")


def test_credit_codes_are_checked_position_by_position(county, clerk):
    admin = clerk
    post = lambda data: admin("post", "/api/v1/e/enterprise", data)  # noqa: E731
    status, body = post(firm("0" * 18))
    assert status == 422 and errors(body) == {("/credit_code", "uscc.zero", False)}
    status, body = post(firm(code("H1350524")))
    assert status == 422 and errors(body) == {("/credit_code", "uscc.authority", False)}
    status, body = post(firm(code("95350524")))
    assert status == 422 and errors(body) == {("/credit_code", "uscc.category", False)}
    status, body = post(firm(code("91990524")))
    assert status == 422 and errors(body) == {("/credit_code", "uscc.region", False)}
    status, body = post(firm(code("91350999")))  # a Fujian code the region table does not hold
    assert status == 422 and errors(body) == {("/credit_code", "uscc.region", True)}
    # Position 17 (GB 11714) is a warning: saved once staff give a reason.
    wrong17 = "2" if organisation_check_character("MA2YJ1XR") != "2" else "3"
    status, body = post(firm(code("91350524", position17=wrong17)))
    assert status == 422 and errors(body) == {("/credit_code", "uscc.organisation_check", True)}
    status, body = post(firm(code("91350524", position17=wrong17), _overrides={"/credit_code": "营业执照原件已核验"}))
    assert status == 201, body
    # A code registered by an authority in a region retired since (长乐市, 350182) is still valid.
    status, body = post(firm(code("91350182", body="MA3ABCDE"), name="长乐老企业有限公司"))
    assert status == 201, body
    # Lower case and surrounding spaces are normalised, not refused.
    typed = "  " + code("91350524", body="MA4KLMNP").lower() + " "
    status, body = post(firm(typed, name="小写代码测试有限公司"))
    assert status == 201 and body["credit_code"] == typed.strip().upper(), body
    assert body["registration_region"] == "350524"


def test_retired_region_codes_keep_their_labels_but_take_no_new_records(county, clerk):
    clock = county["clock"]
    enterprise = dict(firm(code("91350100", body="MA5QRTUW"), name="长乐老字号有限公司"), region_code="350182")
    status, body = clerk("post", "/api/v1/e/enterprise", enterprise)
    assert status == 422 and errors(body) == {("/region_code", "dictionary.retired", False)}, body
    from anjian import Actor

    platform = county["platform"]
    admin = Actor("admin", is_admin=True)
    with pytest.raises(Exception, match="停用"):
        platform.records.create("enterprise", enterprise, admin)
    clock.set_local("2016-06-01 09:00")  # before 长乐市 became 长乐区 (2017): the code was in force
    old = platform.records.create("enterprise", enterprise, admin)
    clock.set_local("2025-10-09 09:00")
    kept = platform.records.update("enterprise", old["id"], {"contact_person": "林先生"}, admin, partial=True)
    assert kept["region_code"] == "350182"  # an old record keeps its code when other fields change
    labels = platform.registry.dictionary_labels["region"]
    assert labels["350182"] == "长乐市"  # and its label
    other = platform.records.create("enterprise", firm(code("91350100", body="MA6XYABC"), name="新企业有限公司"), admin)
    with pytest.raises(Exception, match="停用"):
        platform.records.update("enterprise", other["id"], {"region_code": "350182"}, admin, partial=True)
    client = county["app"].test_client()
    assert client.post("/login/", data={"username": "officer", "password": "Flow-pass-1"}).status_code == 302
    picker = client.get("/e/_dict/region?parent=350100").get_json()["items"]
    assert "350112" in {i["code"] for i in picker} and "350182" not in {i["code"] for i in picker}
