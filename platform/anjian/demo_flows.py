"""Demo people and cases for the workflows: an enterprise safety officer, a county officer and the
section head of 安溪县, with hidden dangers and complaints at different steps, so a newcomer sees
to-dos, deadlines and history at once."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import select

from .audit import Actor
from .runtime import Platform

__all__ = ["DEMO_USERS", "demo_password", "load_demo_enforcement", "load_demo_flows"]

COUNTY = "350524"
# user -> (display name, type, region (None: the enterprise's township), roles)
DEMO_USERS: dict[str, tuple[str, str, str | None, tuple[str, ...]]] = {
    "qiye": ("企业安全员", "enterprise", None, ("enterprise_safety", "filing_applicant")),
    "keyuan": ("县局科员", "agency", COUNTY, ("hazard_officer", "complaint_clerk", "filing_officer", "registry_clerk")),
    "kezhang": ("县局科长", "agency", COUNTY, ("hazard_head", "complaint_head", "filing_head", "registry_clerk")),
}


def demo_password(home: Path) -> str:
    """The demo users' password: generated once per installation and kept in HOME (never in the code)."""
    kept = home / "demo_password"
    if kept.exists():
        return kept.read_text(encoding="utf-8").strip()
    password = f"Demo-{secrets.token_hex(4)}-{secrets.randbelow(90) + 10}"  # upper, lower, digits, symbol
    home.mkdir(parents=True, exist_ok=True)
    kept.write_text(password, encoding="utf-8")
    kept.chmod(0o600)
    return password


def load_demo_flows(app: Any, platform: Platform) -> int:
    """Create the demo users and cases once (skipped when the users exist); returns cases added."""
    sm = app.appbuilder.sm
    if sm.find_user(username="qiye") is not None:
        return 0
    admin = Actor.system("demo")
    password = demo_password(platform.settings.home)
    enterprise = platform.registry.table("enterprise")
    with platform.engine.connect() as conn:
        firm = conn.execute(
            select(enterprise.c.id, enterprise.c.region_code, enterprise.c.name).order_by(enterprise.c.id)
        ).first()
    if firm is None:
        return 0
    for username, (name, user_type, region, roles) in DEMO_USERS.items():
        sm.add_user(username, name, "", f"{username}@anjian.local", sm.find_role(sm.auth_role_public), password=password)
        app.appbuilder.session.commit()  # end FAB's transaction before the store writes (SQLite)
        area = region or firm.region_code
        platform.access.save_account(
            admin,
            username,
            user_type,
            area,
            org_name=firm.name if user_type == "enterprise" else "安溪县应急管理局",
            enterprise_id=firm.id if user_type == "enterprise" else None,
        )
        for role in roles:
            platform.access.add_grant(admin, username, role, area)
    ent, officer, head = Actor("qiye"), Actor("keyuan"), Actor("kezhang")
    take = platform.workflow.take
    day = _days_from_today  # the cases are dated around the day the demo is made, so this year's reports count them
    base = {"enterprise_id": firm.id, "region_code": firm.region_code, "found_on": day(-30), "responsible_person": "王安全"}
    major = platform.records.create(
        "hidden_danger",
        {
            **base,
            "title": "液氨储罐区未设置泄漏报警装置",
            "level": "major",
            "category": "thing",
            "description": "液氨储罐区未按规定设置泄漏检测报警装置，未与应急处置联锁。",
            "measures": "加装报警装置并接入中控室",
            "rectify_deadline": day(29),
            "current_state": "储罐区无泄漏检测报警，值班人员无法及时发现液氨泄漏",
            "cause": "建设时未按规范设计报警系统，投产后未补装",
            "severity": "液氨泄漏可致中毒、爆炸，危及厂区作业人员和周边村庄",
            "difficulty": "需停用储罐、由有资质单位施工并联调，约需两个月",
        },
        ent,
    )
    take(ent, "hidden_danger", major["id"], "report_major", {"comment": "请县局审核认定"})
    general = platform.records.create(
        "hidden_danger",
        {
            **base,
            "title": "消防通道堆放杂物",
            "level": "general",
            "category": "management",
            "description": "二号车间东侧消防通道堆放包装材料。",
            "measures": "立即清理并划线管理",
            "rectify_deadline": day(8),
        },
        ent,
    )
    take(ent, "hidden_danger", general["id"], "start_rectify", {})
    complaint = platform.records.create(
        "complaint",
        {
            "received_at": f"{day(-12)}T09:30:00+08:00",
            "channel": "hotline",
            "subject": "夜间违规动火作业",
            "content": "某厂夜间在仓库内违规动火作业，无人监护。",
            "region_code": firm.region_code,
            "enterprise_id": firm.id,
        },
        officer,
    )
    take(officer, "complaint", complaint["id"], "accept", {"comment": "属安全生产举报，予以受理"})
    platform.records.create(
        "complaint",
        {
            "received_at": f"{day(-11)}T15:00:00+08:00",
            "channel": "online",
            "subject": "烟花爆竹非法储存",
            "content": "民房内大量储存烟花爆竹。",
            "region_code": COUNTY,
        },
        head,
    )
    return 4


# ---- accidents and the major hazard register (事故管理, 重大危险源) ----------------------------------

ACCIDENT_GRANTS = {  # demo user -> roles added for the accident and major hazard modules
    "qiye": ("accident_reporter", "major_hazard_keeper"),
    "keyuan": ("accident_officer", "major_hazard_officer"),
    "kezhang": ("accident_head", "accident_approver"),
}
CITY_USER = ("shiji", "市局值班员", "350500")  # 泉州市: sees an accident once the county forwards it


def _days_from_today(days: int) -> str:
    """A date ``days`` from today in China, as the records take it."""
    import datetime as dt

    from .reports.values import local_today

    return (local_today() + dt.timedelta(days=days)).isoformat()


def load_demo_accidents(app: Any, platform: Platform) -> int:
    """Two register entries and three accidents at different steps (skipped once accidents exist)."""
    import datetime as dt

    from sqlalchemy import func

    from .store.clock import utc_now

    if "accident_report" not in platform.registry.catalog.entities or app.appbuilder.sm.find_user(username="qiye") is None:
        return 0
    table = platform.registry.table("accident_report")
    with platform.engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(table)).scalar_one():
            return 0
        enterprise = platform.registry.table("enterprise")
        firm = conn.execute(
            select(enterprise.c.id, enterprise.c.region_code, enterprise.c.position).order_by(enterprise.c.id)
        ).first()
    if firm is None:
        return 0
    admin = Actor.system("demo")
    for username, roles in ACCIDENT_GRANTS.items():
        area = firm.region_code if username == "qiye" else COUNTY
        for role in roles:
            platform.access.add_grant(admin, username, role, area)
    sm = app.appbuilder.sm
    name, title, city = CITY_USER
    sm.add_user(
        name, title, "", f"{name}@anjian.local", sm.find_role(sm.auth_role_public), password=demo_password(platform.settings.home)
    )
    app.appbuilder.session.commit()
    platform.access.save_account(admin, name, "agency", city, org_name="泉州市应急管理局")
    platform.access.add_grant(admin, name, "accident_officer", city)
    _notified_agencies(app, platform, admin, city)
    ent, officer = Actor("qiye"), Actor("keyuan")
    base = {"enterprise_id": firm.id, "region_code": firm.region_code}
    for unit, people, chemicals in (
        ("液氨储罐区", 60, [{"chemical": "7664-41-7", "quantity": 150}]),
        ("液化石油气储罐区", 20, [{"chemical": "68476-85-7", "quantity": 120}]),
    ):
        platform.records.create(
            "major_hazard_source",
            {
                **base,
                "name": unit,
                "unit_kind": "storage",
                "people_nearby": people,
                "chemicals": chemicals,
                "principal_person": "陈总经理",
                "technical_person": "林工",
                "operations_person": "王班长",
                **({"position": firm.position} if firm.position else {}),  # on 一张图 at the enterprise
            },
            ent,
        )
    local = dt.timezone(dt.timedelta(hours=8))

    def moment(hours_ago: float) -> str:
        return (utc_now() - dt.timedelta(hours=hours_ago)).replace(tzinfo=dt.UTC).astimezone(local).isoformat(timespec="seconds")

    figures = {"deaths": 0, "missing": 0, "serious_injuries": 1, "minor_injuries": 2, "direct_loss": 35}
    located = {"position": firm.position} if firm.position else {}  # on 一张图 where the enterprise stands
    forwarded = platform.records.create(
        "accident_report",
        {
            **base,
            **located,
            **figures,
            "occurred_at": moment(30),
            "category": "03",
            "address": "二号车间冲压线",
            "account": "冲压机操作工在调整模具时被压伤手臂，已送县医院救治。",
            "measures": "停机检查，封锁现场",
            "reporter": "王安全",
        },
        ent,
    )
    take = platform.workflow.take
    take(ent, "accident_report", forwarded["id"], "submit", {})
    take(
        officer,
        "accident_report",
        forwarded["id"],
        "receive",
        {"data": {"receiver": "县局值班员", "notified": "安溪县人民政府、县公安局、县人社局、县总工会、县人民检察院"}},
    )
    take(officer, "accident_report", forwarded["id"], "forward_city", {})
    follow_up = {"kind": "follow_up", "reported_at": moment(6), **figures, "account": "伤者手术顺利，生命体征平稳。"}
    platform.records.update("accident_report", forwarded["id"], {"updates": [follow_up]}, ent, partial=True)
    submitted = platform.records.create(
        "accident_report",
        {
            **base,
            **located,
            "deaths": 0,
            "missing": 0,
            "serious_injuries": 0,
            "direct_loss": 12,
            "occurred_at": moment(0.5),
            "category": "08",
            "address": "成品仓库",
            "account": "仓库电气线路短路起火，员工用灭火器扑灭。",
            "reporter": "王安全",
        },
        ent,
    )
    take(ent, "accident_report", submitted["id"], "submit", {})
    platform.records.create(
        "accident_investigation",
        {"accident_id": forwarded["id"], "region_code": firm.region_code, "case_no": "安应调〔2026〕1号"},
        Actor("kezhang"),
    )
    return 5


# ---- administrative enforcement (行政执法) -----------------------------------------------------------

ENFORCEMENT_GRANTS = {"keyuan": ("enforcement_officer",), "kezhang": ("enforcement_head",)}  # at the county


def load_demo_enforcement(app: Any, platform: Platform) -> int:
    """Three inspections and two penalty cases at different steps (skipped once inspections exist)."""
    from sqlalchemy import func

    if "inspection_record" not in platform.registry.catalog.entities or app.appbuilder.sm.find_user(username="keyuan") is None:
        return 0
    table = platform.registry.table("inspection_record")
    enterprise = platform.registry.table("enterprise")
    with platform.engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(table)).scalar_one():
            return 0
        firms = conn.execute(select(enterprise.c.id, enterprise.c.region_code).order_by(enterprise.c.id).limit(3)).all()
    if not firms:
        return 0
    admin = Actor.system("demo")
    for username, roles in ENFORCEMENT_GRANTS.items():
        for role in roles:
            platform.access.add_grant(admin, username, role, COUNTY)
    officer, head = Actor("keyuan"), Actor("kezhang")
    take, day = platform.workflow.take, _days_from_today
    year = day(0)[:4]  # documents numbered in the year they are dated
    inspectors = [{"name": "林执法", "certificate_no": "35052400017"}, {"name": "陈执法", "certificate_no": "35052400023"}]
    first, second, third = (list(firms) * 3)[:3]  # fewer than three enterprises: the first ones again

    def inspect(firm: Any, **values: Any) -> dict[str, Any]:
        record = {"enterprise_id": firm.id, "region_code": firm.region_code, "inspectors": inspectors, **values}
        return platform.records.create("inspection_record", record, officer)

    ordered = inspect(
        first,
        inspected_on=day(-20),
        inspection_kind="plan",
        items_checked="危险化学品储存、特种作业人员持证上岗、应急预案",
        problems="1. 液氨储罐区未设置泄漏检测报警装置；2. 一名电焊工未取得特种作业操作证",
        problem_count=2,
        handling="rectify_order",
    )
    take(
        officer,
        "inspection_record",
        ordered["id"],
        "order_rectification",
        {"data": {"order_doc_no": f"安应急责改〔{year}〕7号", "rectify_deadline": day(10)}},
    )
    done = inspect(
        second,
        inspected_on=day(-6),
        inspection_kind="random",
        items_checked="消防通道、安全警示标志",
        problems="安全出口指示灯损坏一处",
        problem_count=1,
        handling="corrected_on_site",
    )
    take(officer, "inspection_record", done["id"], "close_on_site", {"comment": "已当场更换"})
    referred = inspect(
        third,
        inspected_on=day(-45),
        inspection_kind="complaint",
        items_checked="动火作业管理（举报核查）",
        problems="仓库内动火作业未办理动火审批，无人监护",
        problem_count=1,
        handling="file_case",
    )
    take(head, "inspection_record", referred["id"], "refer_case", {"comment": "违法事实清楚，立案查处"})
    case = platform.records.create(
        "penalty_case",
        {
            "case_title": "未履行动火作业审批和现场监护制度案",
            "enterprise_id": third.id,
            "region_code": third.region_code,
            "inspection_id": referred["id"],
            "source": "inspection",
            "violation_category": "hazardous_work",
            "facts": "在仓库内进行动火作业，未办理动火审批手续，未安排专人现场监护。",
        },
        officer,
    )
    take(
        head, "penalty_case", case["id"], "approve_filing", {"data": {"case_no": f"安应急立〔{year}〕3号", "filed_on": day(-40)}}
    )
    platform.records.update(
        "penalty_case",
        case["id"],
        {
            "evidence": "询问笔录2份、现场勘验笔录1份、照片8张、动火作业票登记簿复印件",
            "legal_basis": "违反《安全生产法》第四十三条，依据第一百零一条处罚",
            "proposed_penalty": "责令限期改正，处罚款人民币二万元",
        },
        officer,
        partial=True,
    )
    take(officer, "penalty_case", case["id"], "submit_review", {})
    take(
        head,
        "penalty_case",
        case["id"],
        "approve_review",
        {"data": {"review_opinion": "事实清楚，证据确凿，程序合法，适用依据正确"}},
    )
    take(
        officer,
        "penalty_case",
        case["id"],
        "serve_notice",
        {"data": {"notice_doc_no": f"安应急告〔{year}〕3号", "notice_served_on": day(-2), "hearing_right": True}},
    )
    platform.records.create(  # proposed, waiting for the head to approve its filing
        "penalty_case",
        {
            "case_title": "特种作业人员未持证上岗案",
            "enterprise_id": first.id,
            "region_code": first.region_code,
            "inspection_id": ordered["id"],
            "source": "inspection",
            "violation_category": "training",
            "facts": "电焊工一名未取得特种作业操作证上岗作业。",
        },
        officer,
    )
    return 5


# The government and departments an agency tells of an accident (493号令 Art. 10/11), at the county and the city.
NOTIFIED = ("人民政府", "公安局", "人力资源和社会保障局", "总工会", "人民检察院")
GOVERNMENT_USER = ("zhengfu", "县政府值班室", "安溪县人民政府")


def _notified_agencies(app: Any, platform: Platform, admin: Actor, city: str) -> None:
    """Agency records for 人民政府, 公安, 人社, 工会 and 检察院 of 安溪县 and 泉州市 (those not there yet),
    and a duty account of the county government, so receiving and forwarding a demo accident shows 通报."""
    if "agency" not in platform.registry.catalog.entities:
        return
    table = platform.registry.table("agency")
    with platform.engine.connect() as conn:
        present = set(conn.execute(select(table.c.name)).scalars())
    for place, level, region in (("安溪县", "county", COUNTY), ("泉州市", "city", city)):
        for department in NOTIFIED:
            name = f"{place}{department}"
            if name not in present:
                record = {"name": name, "kind": "member_unit", "level": level, "region_code": region}
                platform.records.create("agency", record, admin)
    sm = app.appbuilder.sm
    username, title, organisation = GOVERNMENT_USER
    if sm.find_user(username=username) is None:
        password = demo_password(platform.settings.home)
        sm.add_user(username, title, "", f"{username}@anjian.local", sm.find_role(sm.auth_role_public), password=password)
        app.appbuilder.session.commit()
        platform.access.save_account(admin, username, "agency", COUNTY, org_name=organisation)
