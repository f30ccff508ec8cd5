"""Demo content of the public face, so a fresh ``make run`` shows a living portal: published
articles in every column of the public declaration, answered and published 领导信箱 letters, a closed
意见征集 with its summary and an open one, and a survey open for answers beside a closed one with
results. Everything goes through the record service and the content workflows (送审 → 审核发布),
so what the demo shows is what an editor could have published."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from .audit import Actor
from .demo import _empty
from .runtime import Platform

__all__ = ["load_demo_portal"]

COUNTY = "350524"
ZONE = dt.timezone(dt.timedelta(hours=8))

# column -> (title, summary, body); two per column
ARTICLES: dict[str, list[tuple[str, str, str]]] = {
    "org": [
        (
            "安溪县应急管理局主要职责",
            "负责全县应急管理和安全生产综合监督管理工作。",
            "安溪县应急管理局是县政府工作部门，负责全县应急管理工作，指导各乡镇、各部门应对安全生产类、"
            "自然灾害类等突发事件和综合防灾减灾救灾工作；负责全县安全生产综合监督管理和工矿商贸行业安全生产监督管理工作。",
        ),
        (
            "内设机构和联系方式",
            "办公室、应急指挥中心、安全生产执法大队等内设机构的职责和电话。",
            "办公室：0595-12345；应急指挥中心（24 小时值班）：0595-12350；安全生产执法大队："
            "0595-12351；政策法规与行政审批股：0595-12352。办公地址：安溪县凤城镇行政服务中心东楼。",
        ),
    ],
    "policy": [
        (
            "中华人民共和国安全生产法（2021 年修正）",
            "第十三届全国人大常委会第二十九次会议修正，自 2021 年 9 月 1 日起施行。",
            "为了加强安全生产工作，防止和减少生产安全事故，保障人民群众生命和财产安全，"
            "促进经济社会持续健康发展，制定本法。本法共七章一百一十九条。",
        ),
        (
            "安溪县安全生产约谈办法",
            "对安全生产工作不力的乡镇、部门和生产经营单位进行约谈的情形和程序。",
            "第一条 为督促落实安全生产责任，根据《中华人民共和国安全生产法》等规定，"
            "制定本办法。第二条 约谈分为警示约谈和责任约谈……",
        ),
    ],
    "notice": [
        (
            "关于开展 2026 年冬春火灾防控和危化品安全专项检查的通知",
            "各乡镇、各有关单位于 12 月 31 日前完成自查自改。",
            "为切实做好冬春季节安全防范工作，县安委会决定在全县开展火灾防控和危险化学品安全专项检查。"
            "检查时间为即日起至 2027 年 2 月 28 日，重点检查危化品储存、人员密集场所消防通道和电气线路。",
        ),
        (
            "关于做好寒潮天气安全防范工作的紧急通知",
            "各生产经营单位落实防冻、防滑、防火措施。",
            "受强冷空气影响，未来三天我县将出现大风降温天气。请各单位加强户外作业、高处作业和临时用电管理，落实值班值守制度。",
        ),
    ],
    "enforcement": [
        (
            "2026 年第三季度安全生产行政处罚信息公示",
            "本季度共作出行政处罚决定 18 件，罚款 46.5 万元。",
            "依据《安全生产法》等规定，现将 2026 年第三季度安全生产行政处罚信息予以公示："
            "案件 18 件，其中未按规定开展隐患排查 7 件、特种作业人员无证上岗 5 件……",
        ),
        (
            "县应急管理局 2026 年度监督检查计划",
            "年度执法检查计划和重点检查企业名单。",
            "按照分类分级监管要求，2026 年度计划检查生产经营单位 320 家次，其中重点检查 60 家次，一般检查 260 家次。",
        ),
    ],
    "supervision": [
        (
            "关于对某化工企业重大事故隐患挂牌督办的通知",
            "责令于 2027 年 1 月 15 日前完成整改。",
            "经检查发现，该企业甲类仓库与办公楼防火间距不足，构成重大事故隐患。"
            "县安委会决定予以挂牌督办，督办期间企业须落实防范措施，整改完成后申请验收销号。",
        ),
        (
            "重大事故隐患挂牌督办销号公告",
            "3 项挂牌督办隐患已整改完成并验收销号。",
            "经验收，以下 3 项挂牌督办的重大事故隐患已整改到位，予以销号：……",
        ),
    ],
    "accident": [
        (
            "某建筑工地“7·12”高处坠落事故调查报告",
            "一般生产安全责任事故，造成 1 人死亡。",
            "2026 年 7 月 12 日，某建筑工地发生一起高处坠落事故，造成 1 人死亡，"
            "直接经济损失约 150 万元。经调查认定，这是一起一般生产安全责任事故。直接原因：作业人员未系安全带……",
        ),
        (
            "2025 年度生产安全事故调查结果汇总",
            "全年发生生产安全事故 6 起，同比下降 25%。",
            "2025 年全县共发生生产安全事故 6 起、死亡 4 人，分别同比下降 25% 和 33%。各起事故调查报告均已依法公开。",
        ),
    ],
    "hazard": [
        (
            "2026 年 11 月隐患排查治理情况公示",
            "本月排查一般隐患 212 项，已整改 198 项。",
            "11 月全县各生产经营单位自查上报一般隐患 212 项，已整改 198 项，整改率 93.4%；重大事故隐患 1 项，已挂牌督办。",
        ),
        (
            "重点行业领域隐患排查治理通报",
            "化工、建筑施工、消防等领域的典型隐患和整改要求。",
            "专项检查中发现的典型隐患包括：危化品仓库超量储存、消防通道被占用、临时用电线路私拉乱接等。请各单位对照自查。",
        ),
    ],
    "news": [
        (
            "县应急管理局开展“安全生产月”宣传咨询日活动",
            "发放宣传资料 5000 余份，现场解答群众咨询 300 余人次。",
            "6 月 16 日，县应急管理局联合县消防救援大队等单位在县城凤山广场开展“安全生产月”宣传咨询日活动。",
        ),
        (
            "全县危化品企业应急演练观摩会召开",
            "通过实战演练检验应急预案的可操作性。",
            "11 月 20 日，全县危险化学品企业应急演练观摩会在某化工企业召开，模拟储罐泄漏引发火灾的处置。",
        ),
    ],
    "knowledge": [
        (
            "冬季用火用电安全常识",
            "取暖设备远离可燃物，人走断电。",
            "冬季是火灾多发季节。使用电暖器、电热毯等取暖设备时应远离可燃物，"
            "不要长时间通电；不私拉乱接电线；电动自行车不要在楼道内充电。",
        ),
        (
            "有限空间作业“七不准”",
            "未经通风和检测合格，严禁作业人员进入有限空间。",
            "一、未经风险辨识不作业；二、未经通风和检测合格不作业；三、不佩戴劳动防护用品不作业；四、"
            "没有监护不作业；五、电气设备不符合规定不作业；六、未经审批不作业；七、未经培训演练不作业。",
        ),
    ],
    "case": [
        (
            "案例：违规动火作业引发仓库火灾",
            "动火作业未办理审批、未清理周边可燃物。",
            "某企业维修人员在仓库内进行电焊作业，未办理动火审批，焊渣引燃周边纸箱引发火灾。"
            "教训：动火作业必须严格审批，作业前清理可燃物并配备灭火器材。",
        ),
        (
            "案例：有限空间中毒事故的盲目施救",
            "施救人员未佩戴防护用品，导致伤亡扩大。",
            "某污水处理池清淤作业中，一名工人中毒晕倒，两名工友未佩戴防护用品下池施救，"
            "先后中毒。教训：发生事故应立即报警，严禁盲目施救。",
        ),
    ],
    "video": [
        (
            "安全生产法宣传片",
            "以案说法，讲解新《安全生产法》的主要变化。",
            "宣传片时长约 8 分钟，讲解新《安全生产法》关于全员安全生产责任制、双重预防机制等规定。",
        ),
        (
            "危化品泄漏应急处置演示",
            "演示危化品泄漏后的报警、疏散和堵漏。",
            "视频演示危化品泄漏后的报警、警戒、疏散和堵漏等处置流程。",
        ),
    ],
}

LETTERS = [
    (
        "suggestion",
        "建议在工业园区增设应急避难场所指示牌",
        "工业园区内应急避难场所的位置不清楚，建议在主要路口增设指示牌。",
        "感谢您的建议。我局已会同园区管委会在园区 6 个主要路口增设应急避难场所指示牌，预计 12 月底前完成。",
    ),
    (
        "consult",
        "咨询特种作业操作证复审的办理方式",
        "我的低压电工作业证明年到期，请问如何办理复审？",
        "特种作业操作证每 3 年复审一次，可在到期前 60 日内登录福建省特种作业人员管理平台申请，"
        "或到县行政服务中心应急管理窗口办理。",
    ),
]


def _local(moment: dt.datetime) -> str:
    return moment.replace(tzinfo=dt.UTC).astimezone(ZONE).isoformat(timespec="seconds")


def _published(platform: Platform, actor: Actor, entity: str, data: dict[str, Any]) -> int:
    record = platform.records.create(entity, {"region_code": COUNTY, **data}, actor)
    platform.workflow.take(actor, entity, record["id"], "submit")
    platform.workflow.take(actor, entity, record["id"], "publish")
    return int(record["id"])


def _portal_columns(platform: Platform) -> list[str]:
    portal = platform.registry.catalog.portal_of("public")
    return [str(c.where.get("column")) for c in portal.columns if c.entity == "article"] if portal else []


def load_demo_portal(platform: Platform) -> int:
    """Publish the demo content once (skipped when any article exists); returns records added."""
    catalog = platform.registry.catalog
    if any(name not in catalog.entities for name in ("article", "leader_letter", "consultation", "survey")):
        return 0
    if not _empty(platform, "article"):
        return 0
    actor = Actor.system("demo")
    added = 0
    for column in _portal_columns(platform):
        for title, summary, body in ARTICLES.get(str(column), []):
            data = {"title": title, "column": column, "summary": summary, "body": body, "source": "安溪县应急管理局"}
            _published(platform, actor, "article", data)
            added += 1
    now = platform.codec.now()
    for kind, subject, content, answer in LETTERS:
        letter = platform.records.create(
            "leader_letter",
            {
                "kind": kind,
                "subject": subject,
                "content": content,
                "writer_name": "林先生",
                "consent_publish": True,
                "received_at": _local(now - dt.timedelta(days=10)),
                "region_code": COUNTY,
            },
            actor,
        )
        platform.workflow.take(actor, "leader_letter", letter["id"], "answer", {"data": {"answer": answer}})
        platform.workflow.take(actor, "leader_letter", letter["id"], "publish")
        added += 1
    closed = _published(
        platform,
        actor,
        "consultation",
        {
            "title": "关于《安溪县安全生产约谈办法（征求意见稿）》公开征求意见的公告",
            "body": "为督促落实安全生产责任，我局起草了《安溪县安全生产约谈办法（征求意见稿）》，现公开征求社会各界意见。",
            "closes_at": _local(now - dt.timedelta(days=5)),
        },
    )
    platform.records.update(
        "consultation",
        closed,
        {"summary": "征求意见期间共收到意见建议 12 条，采纳 7 条，部分采纳 2 条；未采纳的主要是超出本办法调整范围的建议。"},
        actor,
        partial=True,
    )
    _published(
        platform,
        actor,
        "consultation",
        {
            "title": "关于《安溪县生产安全事故应急预案（修订稿）》公开征求意见的公告",
            "body": "我局对《安溪县生产安全事故应急预案》进行了修订，现公开征求意见，欢迎提出修改建议。",
            "closes_at": _local(now + dt.timedelta(days=20)),
        },
    )
    questions = [
        {"text": "您对本县安全生产工作总体是否满意？", "options": ["满意", "基本满意", "不满意"]},
        {
            "text": "您希望获得哪些方面的安全知识？",
            "options": ["消防安全", "用电安全", "交通安全", "自然灾害避险"],
            "multiple": True,
        },
    ]
    _published(
        platform,
        actor,
        "survey",
        {
            "title": "2026 年度安全生产公众满意度调查",
            "description": "调查结果将用于改进安全生产工作，不收集个人信息。",
            "questions": questions,
            "closes_at": _local(now + dt.timedelta(days=30)),
        },
    )
    past = _published(
        platform,
        actor,
        "survey",
        {
            "title": "安全生产宣传方式问卷（已截止）",
            "description": "了解群众获取安全知识的渠道。",
            "questions": [
                {"text": "您主要通过什么渠道获取安全知识？", "options": ["电视广播", "微信公众号", "宣传栏", "现场活动"]}
            ],
            "closes_at": _local(now - dt.timedelta(days=3)),
        },
    )
    for i, option in enumerate([1, 1, 0, 1, 3, 2, 1, 0]):
        voter = hashlib.sha256(f"demo:{past}:{i}".encode()).hexdigest()
        vote: dict[str, Any] = {
            "survey": past,
            "voter": voter,
            "choices": [f"0:{option}"],
            "answered_at": _local(now - dt.timedelta(days=5)),
            "region_code": COUNTY,
        }
        platform.records.create("survey_answer", vote, actor)
    return added + 6 + 8
