"""The demo loader adds register entries and accidents at different steps, once."""

from sqlalchemy import select

from anjian import Actor
from anjian.demo_flows import load_demo_accidents, load_demo_flows


def test_demo_accidents_load_once_and_the_city_sees_the_forwarded_one(levels):
    platform, app = levels["platform"], levels["app"]
    with app.app_context():
        load_demo_flows(app, platform)
        assert load_demo_accidents(app, platform) == 5
        assert load_demo_accidents(app, platform) == 0
    table = platform.registry.table("accident_report")
    with platform.engine.connect() as conn:
        ids = [row.id for row in conn.execute(select(table.c.id).order_by(table.c.id))]
        scope = platform.access.scope(Actor("shiji"), platform.registry.entity("accident_report"), table)
        seen = [row.id for row in conn.execute(select(table.c.id).where(scope))]
        sources = platform.registry.table("major_hazard_source")
        grades = sorted(row.grade for row in conn.execute(select(sources.c.grade)))
    assert len(ids) == 2 and seen == ids[:1]
    assert grades == ["level_3", "level_4"]


def test_the_demo_accident_tells_the_government_and_departments_of_the_county_and_the_city(levels):
    from anjian.data.system import audit_log
    from anjian.workflow.tables import notice

    platform, app = levels["platform"], levels["app"]
    with app.app_context():
        load_demo_flows(app, platform)
        load_demo_accidents(app, platform)
    with platform.engine.connect() as conn:
        told = [
            row.detail["agencies"]
            for row in conn.execute(select(audit_log.c.detail).where(audit_log.c.action == "notify").order_by(audit_log.c.id))
        ]
        government = conn.execute(select(notice.c.title).where(notice.c.username == "zhengfu")).scalars().all()
    county = ["安溪县人民政府", "安溪县公安局", "安溪县人力资源和社会保障局", "安溪县总工会", "安溪县人民检察院"]
    city = [name.replace("安溪县", "泉州市") for name in county]
    assert [sorted(t) for t in told] == [sorted(county), sorted(city)]
    assert len(government) == 1 and government[0].startswith("【通报】")
