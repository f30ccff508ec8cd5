"""Organisations and the accounts that belong to them: checks, delegated administrators, audit, older databases."""

import pytest
from sqlalchemy import create_engine, inspect, select, text

from anjian import Actor, PermissionDenied, RecordConflict, RecordValidationError
from anjian.audit import verify
from anjian.authz.organisations import OrganisationInput
from anjian.data.system import account, audit_log

pytestmark = pytest.mark.postgres
ADMIN = Actor("admin", is_admin=True)


def org(name="安溪县应急管理局", kind="agency", region="350524", **options):
    return OrganisationInput(name=name, kind=kind, region_code=region, **options)


def pointers(info):
    return {e.pointer: e.message for e in info.value.errors}


def test_every_problem_of_an_organisation_is_reported_at_once(published):
    store = published.access.organisations
    with pytest.raises(RecordValidationError) as info:
        store.save(ADMIN, org(name="", kind="shop", region="35052", credit_code="12345"))
    assert set(pointers(info)) == {"/name", "/kind", "/region_code", "/credit_code"}
    with pytest.raises(RecordValidationError) as info:
        store.save(ADMIN, org(region="*"))  # an organisation sits somewhere
    assert "/region_code" in pointers(info)
    with pytest.raises(RecordValidationError) as info:
        store.save(ADMIN, org(kind="enterprise"))
    assert "企业" in pointers(info)["/enterprise_id"]
    with pytest.raises(RecordValidationError) as info:
        store.save(ADMIN, org(kind="enterprise", enterprise_id=4040))
    assert "不存在" in pointers(info)["/enterprise_id"]


def test_parents_credit_codes_and_renames(published):
    store = published.access.organisations
    city = store.save(ADMIN, org("泉州市应急管理局", region="350500", credit_code="11350500MB0000000X"))
    county = store.save(ADMIN, org(parent_id=city))
    with pytest.raises(RecordValidationError) as info:
        store.save(ADMIN, org("思明区应急管理局", region="350203", parent_id=city))
    assert "上级机构的区划" in pointers(info)["/region_code"]
    with pytest.raises(RecordValidationError) as info:
        store.save(ADMIN, org("泉州市应急管理局", region="350500", parent_id=county), city)  # a loop
    assert "/parent_id" in pointers(info)
    with pytest.raises(RecordConflict) as info:
        store.save(ADMIN, org("另一局", region="350500", credit_code="11350500mb0000000x"))  # the same code, lower case
    assert "/credit_code" in pointers(info)

    published.access.store.save_account(ADMIN, "wang", "agency", "350524100000", organisation_id=county)
    assert published.access.state().accounts["wang"].org_name == "安溪县应急管理局"
    store.save(ADMIN, org("安溪县应急局", parent_id=city), county)
    with published.engine.connect() as conn:
        assert conn.execute(select(account.c.org_name).where(account.c.username == "wang")).scalar() == "安溪县应急局"
        entries = conn.execute(select(audit_log.c.action, audit_log.c.region).where(audit_log.c.entity == "_organisations")).all()
        assert [e.action for e in entries] == ["organisation"] * 3 and entries[1].region == "350524"
        assert verify(conn)[1] is None


def test_an_account_must_fit_its_organisation(published):
    store = published.access.organisations
    county = store.save(ADMIN, org())
    closed = store.save(ADMIN, org("旧机构", active=False))
    accounts = published.access.store
    with pytest.raises(RecordValidationError) as info:
        accounts.save_account(ADMIN, "li", "member_unit", "350203", organisation_id=county)
    assert set(pointers(info)) == {"/user_type", "/region_code"}
    with pytest.raises(RecordValidationError) as info:
        accounts.save_account(ADMIN, "li", "agency", "350524", organisation_id=closed)
    assert "停用" in pointers(info)["/organisation_id"]
    with pytest.raises(RecordValidationError) as info:
        accounts.save_account(ADMIN, "li", "agency", "350524", organisation_id=999)
    assert "/organisation_id" in pointers(info)


def test_a_delegated_administrator_manages_organisations_of_their_area_only(published):
    published.access.store.add_grant(ADMIN, "county_admin", "region_admin", "350524")
    delegate = Actor("county_admin")
    store = published.access.organisations
    town = store.save(delegate, org("凤城镇安监站", region="350524100000"))
    with pytest.raises(PermissionDenied):
        store.save(delegate, org("思明区应急管理局", region="350203"))
    city = store.save(ADMIN, org("泉州市应急管理局", region="350500"))
    with pytest.raises(PermissionDenied):
        store.save(delegate, org("泉州市应急管理局（改）", region="350500"), city)
    with pytest.raises(PermissionDenied):  # moving an organisation out of the area
        store.save(delegate, org("凤城镇安监站", region="350203"), town)
    with pytest.raises(PermissionDenied):  # joining a user to an organisation above the area
        published.access.store.save_account(delegate, "wang", "agency", "350524", organisation_id=city)


def test_a_delegated_administrator_cannot_take_over_users_with_wider_rights(published):
    accounts = published.access.store
    accounts.add_grant(ADMIN, "county_admin", "region_admin", "350524")
    accounts.save_account(ADMIN, "boss", "agency", "350524")
    accounts.add_grant(ADMIN, "boss", "registry_head", "350500")
    delegate = Actor("county_admin")
    with pytest.raises(PermissionDenied):
        accounts.check_may_manage_user(delegate, "boss")
    with pytest.raises(PermissionDenied):
        accounts.save_account(delegate, "boss", "agency", "350524100000")
    accounts.save_account(ADMIN, "li", "agency", "350203")
    with pytest.raises(PermissionDenied):  # pulling another county's user into one's own area
        accounts.save_account(delegate, "li", "agency", "350524")


def test_init_db_adds_the_organisation_column_to_an_older_database(settings):
    """A database made before organisations existed keeps its accounts and gains the column."""
    from anjian.runtime import Platform

    engine = create_engine(settings.db_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE anjian_account (username VARCHAR(150) PRIMARY KEY, user_type VARCHAR(20) NOT NULL, "
                "org_name VARCHAR(200) NOT NULL, region_code VARCHAR(12) NOT NULL, enterprise_id INTEGER, "
                "created_at TIMESTAMP NOT NULL)"  # valid on SQLite and PostgreSQL
            )
        )
        conn.execute(text("INSERT INTO anjian_account VALUES ('old', 'agency', '老机构', '350524', NULL, '2025-01-01 00:00:00')"))
    engine.dispose()
    platform = Platform(settings)
    try:
        platform.init_db()
        platform.init_db()  # idempotent
        with platform.engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("anjian_account")}
            assert "organisation_id" in columns
            assert conn.execute(select(account.c.org_name, account.c.organisation_id)).one() == ("老机构", None)
            assert "anjian_organisation" in inspect(conn).get_table_names()
    finally:
        platform.dispose()
