"""Grants: region checks, delegated administrators, expiry, and policy changes seen by every process."""

import datetime as dt

import pytest

from anjian import Actor, PermissionDenied, RecordValidationError

pytestmark = pytest.mark.postgres
ADMIN = Actor("admin", is_admin=True)


def test_a_grant_needs_a_known_role_and_an_existing_region(published):
    store = published.access.store
    with pytest.raises(RecordValidationError) as info:
        store.add_grant(ADMIN, "li", "registry_clerk", "999999")
    assert info.value.errors[0].pointer == "/region_code"
    with pytest.raises(RecordValidationError):
        store.add_grant(ADMIN, "li", "no_such_role", "350524")
    with pytest.raises(RecordValidationError):
        store.add_grant(ADMIN, "li", "registry_clerk", "35'; DROP TABLE anjian_grant; --")


def test_a_delegated_administrator_manages_only_below_their_own_region(published):
    store = published.access.store
    store.add_grant(ADMIN, "county_admin", "region_admin", "350524")
    delegate = Actor("county_admin")
    store.save_account(delegate, "wang", "agency", "350524100000")
    store.add_grant(delegate, "wang", "registry_clerk", "350524100000")
    with pytest.raises(PermissionDenied):
        store.add_grant(delegate, "wang", "registry_clerk", "350500")  # above their own region
    with pytest.raises(PermissionDenied):
        store.add_grant(delegate, "wang", "registry_clerk", "350203")  # beside it
    with pytest.raises(PermissionDenied):
        store.save_account(delegate, "zhao", "agency", "350200")


def test_policy_changes_reach_every_process_within_seconds(published, settings):
    from anjian.runtime import Platform

    other = Platform(settings)  # a second process's view of the same database
    try:
        spec = other.registry.entity("enterprise")
        officer = Actor("chen")
        with pytest.raises(PermissionDenied):
            other.access.check(officer, spec, "read")
        grant_id = published.access.store.add_grant(ADMIN, "chen", "registry_clerk", "350524")
        other.access._checked = 0  # the next call polls, as it would after the poll interval
        other.access.check(officer, spec, "read")
        published.access.store.revoke_grant(ADMIN, grant_id)
        other.access._checked = 0
        with pytest.raises(PermissionDenied):
            other.access.check(officer, spec, "read")
    finally:
        other.dispose()


def test_temporary_grants_stop_working_at_their_expiry(published, clock):
    soon = clock() + dt.timedelta(seconds=4)
    published.access.store.add_grant(ADMIN, "temp", "registry_clerk", "350524", expires_at=soon)
    spec = published.registry.entity("enterprise")
    published.access.check(Actor("temp"), spec, "read")
    clock.advance(seconds=3.9)
    published.access.check(Actor("temp"), spec, "read")  # still before the expiry
    clock.advance(seconds=0.2)
    with pytest.raises(PermissionDenied):
        published.access.check(Actor("temp"), spec, "read")


def test_grants_and_revocations_are_audited(published):
    from sqlalchemy import select

    from anjian.audit import verify
    from anjian.data.system import audit_log

    grant_id = published.access.store.add_grant(ADMIN, "sun", "registry_clerk", "350524")
    published.access.store.revoke_grant(ADMIN, grant_id)
    with published.engine.connect() as conn:
        actions = list(conn.execute(select(audit_log.c.action).where(audit_log.c.entity == "_grants")).scalars())
        assert actions == ["grant", "revoke"] and verify(conn)[1] is None


def test_regions():
    from anjian.authz.regions import region_range, within

    assert within("350524100000", "350524") and within("350524", "350500") and within("350524", "350000")
    assert not within("350500", "350524") and not within("350203", "350500") and not within("350524", "350524100000")
    assert within("350524100000", "350524100000") and within("110101", "*")
    assert region_range("350524100000") == ("350524100", "350524101")
    assert region_range("350000") == ("35", "36") and region_range("*") is None


def test_area_conditions_are_index_ranges():
    from sqlalchemy import Column, MetaData, String, Table
    from sqlalchemy.dialects import sqlite

    from anjian.authz.sql import in_areas, within_area

    column = Table("t", MetaData(), Column("region_code", String)).c.region_code

    def sql(clause):
        return str(clause.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))

    assert sql(within_area(column, "350524")) == "t.region_code >= '350524' AND t.region_code < '350525'"
    assert within_area(column, "*") is None  # the whole country: no condition
    assert in_areas(column, ["*"]) is None and in_areas(column, None) is None
    assert sql(in_areas(column, ["350524", "350200"])) == (
        "t.region_code >= '350524' AND t.region_code < '350525' OR t.region_code >= '3502' AND t.region_code < '3503'"
    )


def test_a_delegated_administrator_grants_neither_themself_nor_the_audit_role(published):
    store = published.access.store
    store.add_grant(ADMIN, "county_admin", "region_admin", "350524")
    delegate = Actor("county_admin")
    store.save_account(delegate, "wang", "agency", "350524100000")
    with pytest.raises(PermissionDenied):
        store.add_grant(delegate, "county_admin", "registry_head", "350524")  # a self-grant
    with pytest.raises(PermissionDenied):
        store.add_grant(delegate, "wang", "auditor", "350524")  # 三员分立: the system administrator's to give
    store.add_grant(ADMIN, "wang", "auditor", "350524")  # the system administrator may


def test_an_enterprise_user_is_bound_only_to_an_enterprise_within_the_administrators_area(published):
    store = published.access.store
    records = published.records
    import random

    from anjian.demo import credit_code

    rng = random.Random(3)
    here = records.create(
        "enterprise",
        {"name": "安溪测试甲有限公司", "credit_code": credit_code(rng), "region_code": "350524100000", "industry": "C"},
        ADMIN,
    )
    there = records.create(
        "enterprise",
        {"name": "思明测试乙有限公司", "credit_code": credit_code(rng), "region_code": "350203", "industry": "C"},
        ADMIN,
    )
    store.add_grant(ADMIN, "county_admin", "region_admin", "350524")
    delegate = Actor("county_admin")
    for actor in (delegate, ADMIN):  # an enterprise outside the account's region (and the administrator's county)
        with pytest.raises(RecordValidationError) as info:
            store.save_account(actor, "spy", "enterprise", "350524", enterprise_id=there["id"])
        assert info.value.errors[0].pointer == "/enterprise_id"
    with pytest.raises(PermissionDenied):  # an account (and its enterprise) outside the administrator's county
        store.save_account(delegate, "spy", "enterprise", "350203", enterprise_id=there["id"])
    with pytest.raises(RecordValidationError):
        store.save_account(ADMIN, "spy", "enterprise", "350524", enterprise_id=999999)
    store.save_account(delegate, "boss", "enterprise", "350524100000", enterprise_id=here["id"])
