"""Process options for levels and time: actor_level, repeating clocks, recompute stages and the
agencies a step tells (agencies:<setting>), as compiled from metadata and refused when wrong."""

import json

import pytest

from anjian.config import bundled_metadata_path
from anjian.errors import MetadataErrors
from anjian.meta.compile import compile_catalog
from anjian.meta.loader import load_documents, parse_document


def shipped():
    documents, errors = load_documents([bundled_metadata_path()])
    assert errors == []
    return documents


def with_accident_flow(change):
    """The shipped documents with the accident report's process changed by ``change``."""
    documents = shipped()
    process = next(d for d in documents if d.kind == "process" and d.name == "accident_report_flow")
    content = json.loads(json.dumps(process.content))
    change(content)
    changed = parse_document(process.path, json.dumps(content, ensure_ascii=False))
    return [d for d in documents if d is not process] + [changed]


def test_the_accident_flow_declares_levels_repeats_recomputes_and_notices():
    catalog = compile_catalog(shipped())
    process = catalog.processes["accident_report_flow"]
    levels = {t.name: t.actor_level for t in process.transitions}
    assert levels["receive"] == ("county",) and levels["forward_city"] == ("county",)
    assert levels["forward_province"] == ("city",) and levels["forward_national"] == ("province",)
    rules = {d.name: d for d in process.deadlines}
    assert rules["follow_up"].repeat and (rules["follow_up"].due.amount, rules["follow_up"].due.unit) == (24, "hours")
    assert rules["follow_up_major"].repeat and rules["follow_up_major"].due.amount == 12
    assert [s.recompute for s in rules["casualty_window"].stages] == [False, True]
    assert "agencies:accident.notify_departments" in process.by_transition["receive"].notify
    assert catalog.profile.value("accident.notify_departments") == [
        "人民政府",
        "公安",
        "人力资源和社会保障",
        "工会",
        "人民检察院",
    ]
    assert catalog.profile.value("accident.notify_departments_extra") == []


def test_a_province_adds_the_supervision_organ():
    extra = {
        "accident.notify_departments_extra": {
            "title": "本省规定另须通知的部门",
            "value": ["监察委员会"],
            "kind": "law",
            "confidence": "P",
            "source": "某省实施办法（示例）",
        }
    }
    content = {"profile": "hubei", "title": "湖北省", "extends": "national", "region": "420000", "settings": extra}
    province = parse_document("profiles/hubei.json", json.dumps(content, ensure_ascii=False))
    catalog = compile_catalog([*shipped(), province])
    assert catalog.profile.value("accident.notify_departments_extra") == ["监察委员会"]


def test_agencies_must_name_a_setting_that_lists_words():
    def number(content):
        content["transitions"][1]["notify"] = ["agencies:accident.loss_confirm_above"]

    with pytest.raises(MetadataErrors, match="不是词语列表"):
        compile_catalog(with_accident_flow(number))

    def unknown(content):
        content["transitions"][1]["notify"] = ["agencies:accident.no_such_list"]

    with pytest.raises(MetadataErrors, match="未知的配置项 'accident.no_such_list'"):
        compile_catalog(with_accident_flow(unknown))


def test_a_step_notifies_only_declared_roles():
    def role(content):
        content["transitions"][1]["notify"] = ["role:no_such_role"]

    with pytest.raises(MetadataErrors, match="no_such_role"):
        compile_catalog(with_accident_flow(role))


def test_a_repeating_clock_needs_a_period():
    def field_only(content):
        rule = next(d for d in content["deadlines"] if d["name"] == "casualty_window")
        rule["due"] = {"field": "occurred_at"}
        rule["repeat"] = True

    with pytest.raises(MetadataErrors, match="重复的期限需要一个时长"):
        compile_catalog(with_accident_flow(field_only))


def test_actor_level_names_levels():
    def wrong(content):
        content["transitions"][2]["actor_level"] = ["township"]

    with pytest.raises(MetadataErrors, match="actor_level"):
        compile_catalog(with_accident_flow(wrong))
