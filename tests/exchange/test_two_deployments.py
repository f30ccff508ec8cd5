"""Two deployments, two databases, two apps: 安溪县 (350524) sends high-risk enterprises up to the
city (泉州市, 350500). The receiver dies mid-batch, loses an answer after committing, restarts, and
the city still ends with every record exactly once, in the county's region, visible in its scopes."""

import pytest
from sqlalchemy import func, select

from anjian import Actor
from anjian.auth.apikeys import ApiKeys
from anjian.exchange import DeliveryFailed, send, set_target
from anjian.exchange.tables import exchange_sent
from anjian.runtime import Platform
from anjian.testing.plugin import ADMIN_PASSWORD, TEST_APP_CONFIG, build_stage
from anjian.web.app import create_app

ROOT = Actor("admin", is_admin=True)
EXCHANGE = "high_risk_enterprise_upward"
ANXI, NAN_AN, CITY = "350524", "350583", "350500"


class ReceiverKilled(BaseException):
    """The receiving process dies: nothing after this point runs, its transaction is not committed."""


class Receiver:
    """The city's web process as the county's transport sees it: up or down, restartable."""

    def __init__(self, settings):
        self.settings = settings
        self.platform = self.app = None
        self.kill_after = None  # die while storing this many records of the next batch
        self.lose_next_answer = False
        self.bodies = []
        self.start()

    def start(self):
        """Start (or restart) the process: a new Platform and app over the city's database."""
        self.stop()
        self.platform = Platform(self.settings)
        self.app = create_app(platform=self.platform, config=TEST_APP_CONFIG)
        self.up = True

    def stop(self):
        if self.platform is not None:
            self.platform.dispose()

    def __call__(self, url, body, key):
        if not self.up:
            raise DeliveryFailed(f"{url} cannot be reached (connection refused)")
        self.bodies.append(body)
        records, create_in = self.platform.records, type(self.platform.records).create_in
        stored = []

        def dying_create_in(service, *args, **kwargs):
            if self.kill_after is not None and len(stored) >= self.kill_after:
                raise ReceiverKilled
            stored.append(1)
            return create_in(service, *args, **kwargs)

        records.create_in = dying_create_in.__get__(records)
        try:
            response = self.app.test_client().post(
                url.split("/api/v1", 1)[1].join(["/api/v1", ""]), json=body, headers={"Authorization": f"ApiKey {key}"}
            )
        except ReceiverKilled:
            self.up, self.kill_after = False, None
            raise DeliveryFailed(f"{url}: connection reset (the receiver stopped)") from None
        finally:
            del records.create_in
        if self.lose_next_answer:
            self.lose_next_answer = False
            raise DeliveryFailed(f"{url}: connection reset before the answer arrived")
        if response.status_code != 200:
            raise DeliveryFailed(
                f"{url} answered {response.status_code}: {response.get_data(as_text=True)}", response.status_code
            )
        return response.get_json()


@pytest.fixture
def city(settings, tmp_path, anjian_templates):
    """The upper deployment: its own home and database, FAB users, a sender account for 安溪县 with a key."""
    city_settings = settings.model_copy(
        update={"home": tmp_path / "city", "database_url": f"sqlite:///{tmp_path / 'city.db'}", "deployment_region": CITY}
    )
    anjian_templates.prepare("app", city_settings, build_stage("app"))
    platform = Platform(city_settings)
    app = create_app(platform=platform, config=TEST_APP_CONFIG)
    with app.app_context():
        sm = app.appbuilder.sm
        for name in ("anxi_sender", "city_viewer", "nanan_viewer"):
            sm.add_user(name, name, "", f"{name}@example.org", sm.find_role(sm.auth_role_public), password=ADMIN_PASSWORD)
    store = platform.access.store
    for name, region in (("anxi_sender", ANXI), ("city_viewer", CITY), ("nanan_viewer", NAN_AN)):
        store.save_account(ROOT, name, "agency", region)
        store.add_grant(ROOT, name, "registry_clerk", region)
    _key, secret = ApiKeys(platform.engine).create("anxi_sender", "安溪县上报", ["enterprise:*"], "test")
    yield platform, secret
    platform.dispose()


@pytest.fixture
def county(published, monkeypatch):
    monkeypatch.setattr(published, "settings", published.settings.model_copy(update={"deployment_region": ANXI}))
    return published


def _credit_codes(platform, region_prefix=None, username=None):
    spec = platform.registry.entity("enterprise")
    table = platform.registry.table("enterprise")
    query = select(table.c.credit_code, func.count()).group_by(table.c.credit_code)
    if username is not None:
        scope = platform.access.scope(Actor(username), spec, table)
        query = query.where(scope) if scope is not None else query
    with platform.engine.connect() as conn:
        return dict(conn.execute(query).all())


@pytest.mark.postgres  # the county on PostgreSQL in that pass, the city on SQLite
def test_a_county_sends_upward_through_outages_and_the_city_holds_each_record_once(county, city, record_factory, request):
    city_platform, key = city
    high_risk = [
        record_factory.create("enterprise", region_code=ANXI, high_risk_category=category)
        for category in ["mining", "fireworks", "hazardous_chemicals", "metallurgy", "mining", "fireworks", "mining"]
    ]
    ordinary = record_factory.create("enterprise", region_code=ANXI, high_risk_category="none")
    wanted = {r["credit_code"] for r in high_risk}
    set_target(county.engine, "city", "https://city.example/api/v1", key, ROOT)
    receiver = Receiver(city_platform.settings)
    request.addfinalizer(receiver.stop)

    receiver.kill_after = 1  # the second batch: one record stored, then the city's process dies
    receiver.bodies.clear()
    first = _send(county, receiver, batches_before_kill=1)
    assert (first.accepted, first.pending) == (3, 4) and "stopped" in first.failed
    assert wanted & set(_credit_codes(city_platform)) == {r["credit_code"] for r in high_risk[:3]}

    down = send(county, EXCHANGE, ROOT, receiver, batch_size=3)  # still down: nothing lost
    assert (down.sent, down.accepted, down.pending) == (3, 0, 4) and "refused" in down.failed

    receiver.start()  # restarted; this time the answer of the first batch is lost after the commit
    receiver.lose_next_answer = True
    lost = send(county, EXCHANGE, ROOT, receiver, batch_size=3)
    assert (lost.accepted, lost.pending) == (0, 4)
    resumed = send(county, EXCHANGE, ROOT, receiver, batch_size=3)
    assert (resumed.accepted, resumed.duplicates, resumed.pending, resumed.failed) == (1, 3, 0, "")

    held = _credit_codes(city_platform)
    assert {code: held.get(code) for code in wanted} == dict.fromkeys(wanted, 1)
    assert ordinary["credit_code"] not in held
    with county.engine.connect() as conn:
        logged = conn.execute(
            select(func.count()).select_from(exchange_sent).where(exchange_sent.c.acked_at.is_not(None))
        ).scalar()
    assert logged == 7

    # A new version updates the city's copy instead of adding one.
    county.records.update("enterprise", high_risk[0]["id"], {"employees": 321}, ROOT, partial=True)
    again = send(county, EXCHANGE, ROOT, receiver, batch_size=3)
    assert (again.accepted, again.pending) == (1, 0)
    table = city_platform.registry.table("enterprise")
    with city_platform.engine.connect() as conn:
        rows = conn.execute(
            select(table.c.employees, table.c.region_code).where(table.c.credit_code == high_risk[0]["credit_code"])
        ).all()
    assert rows == [(321, ANXI)]

    # In the county's region, visible to the city's scope, not to another county's.
    assert wanted <= set(_credit_codes(city_platform, username="city_viewer"))
    assert not wanted & set(_credit_codes(city_platform, username="nanan_viewer"))


def _send(county, receiver, batches_before_kill):
    """Send with the receiver dying in batch ``batches_before_kill + 1``."""
    kill_after, receiver.kill_after = receiver.kill_after, None
    calls = []

    def transport(url, body, key):
        calls.append(body)
        if len(calls) > batches_before_kill:
            receiver.kill_after = kill_after
        return receiver(url, body, key)

    return send(county, EXCHANGE, ROOT, transport, batch_size=3)


def test_the_receiver_refuses_replays_foreign_keys_and_unknown_entities(county, city, record_factory, request):
    city_platform, key = city
    record_factory.create("enterprise", region_code=ANXI, high_risk_category="mining")
    set_target(county.engine, "city", "https://city.example/api/v1", key, ROOT)
    receiver = Receiver(city_platform.settings)
    request.addfinalizer(receiver.stop)
    assert send(county, EXCHANGE, ROOT, receiver).accepted == 1
    body = receiver.bodies[-1]
    client = receiver.app.test_client()
    headers = {"Authorization": f"ApiKey {key}"}

    replay = client.post("/api/v1/exchange/batches", json=body, headers=headers)
    assert replay.status_code == 409
    assert replay.get_json()["error"]["errors"][0]["pointer"] == "/batch_id"

    foreign = client.post(
        "/api/v1/exchange/batches", json={**body, "batch_id": "f" * 32, "source_region": NAN_AN}, headers=headers
    )
    assert foreign.status_code == 403
    assert NAN_AN in foreign.get_json()["error"]["message"]

    unknown = client.post(
        "/api/v1/exchange/batches", json={**body, "batch_id": "e" * 32, "entity": "accident_report"}, headers=headers
    )
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["errors"][0]["pointer"] == "/entity"

    broken = {**body, "batch_id": "d" * 32, "records": [{"exchange_id": "x", "record_id": 0, "version": 1, "data": []}]}
    malformed = client.post("/api/v1/exchange/batches", json=broken, headers=headers)
    assert malformed.status_code == 422
    pointers = {e["pointer"] for e in malformed.get_json()["error"]["errors"]}
    assert pointers == {"/records/0/record_id", "/records/0/data"}

    elsewhere = dict(body["records"][0], exchange_id="350524:x:999:v1", record_id=999)
    elsewhere["data"] = dict(elsewhere["data"], region_code=NAN_AN, credit_code="91350100M000100Y43")
    outside = client.post(
        "/api/v1/exchange/batches", json={**body, "batch_id": "c" * 32, "records": [elsewhere]}, headers=headers
    )
    assert outside.status_code == 422
    assert outside.get_json()["error"]["errors"][0]["pointer"] == "/records/0/data/region_code"
