"""办事指南, built from the declarations: what the process enforces is what the guide says.

The steps come from the process's transitions, the time limits from its deadlines (legal ones,
法定期限, apart from the agency's promises, 承诺期限, with their sources from the regulation
profile), the materials from the form's fields and attachment field; the portal declaration adds
only what no process knows (legal basis, fee, place, hours, phone numbers).
"""

from __future__ import annotations

from typing import Any

from anjian.meta.portal_spec import IntakeSpec, PortalSpec
from anjian.meta.process_spec import Duration
from anjian.runtime import Platform

__all__ = ["ELEMENTS", "guide_of", "guides", "missing_elements"]

UNITS = {"workdays": "个工作日", "days": "日", "hours": "小时"}
# The standard elements a 办事指南 must carry (DB63/T 1755-2019 and the provincial element tables).
ELEMENTS = ("name", "basis", "conditions", "materials", "steps", "legal_limit", "promised_limit", "fee", "phones", "place")


def _duration(due: Duration | None) -> str:
    if due is None:
        return "按记录中的日期"
    return f"{due.amount}{UNITS.get(due.unit, due.unit)}"


def guide_of(platform: Platform, form: IntakeSpec) -> dict[str, Any]:
    catalog = platform.registry.catalog
    spec = platform.registry.entity(form.entity)
    process = catalog.process_of(form.entity)
    extra = dict(form.guide)
    limits: dict[str, list[dict[str, str]]] = {"law": [], "commitment": []}
    steps: list[str] = []
    if process is not None:
        for deadline in process.deadlines:
            kind = deadline.basis.get("kind", "commitment")
            item = {"title": deadline.title, "limit": _duration(deadline.due), "source": deadline.basis.get("source", "")}
            limits["law" if kind == "law" else "commitment"].append(item)
        for t in process.transitions:
            origin = "、".join(process.state(name).title for name in t.sources)
            steps.append(f"{t.title}（{origin} → {process.state(t.to).title}）")
    materials = [spec.field(name).title + ("（必填）" if spec.field(name).required else "") for name in form.fields]
    if form.files:
        materials.append(spec.field(form.files).title + "（可选）")
    materials += list(extra.get("materials", ()))
    basis = list(extra.get("basis", ())) + [i["source"] for i in limits["law"] if i["source"]]
    return {
        "name": form.title,
        "kind": extra.get("kind", ""),
        "audience": extra.get("audience", ""),
        "basis": list(dict.fromkeys(basis)),
        "conditions": list(extra.get("conditions", ())),
        "materials": materials,
        "steps": steps,
        "process_title": process.title if process else "",
        "legal_limit": limits["law"],
        "promised_limit": limits["commitment"],
        "fee": extra.get("fee", ""),
        "office": extra.get("office", ""),
        "place": extra.get("place", ""),
        "hours": extra.get("hours", ""),
        "phones": [
            p
            for p in (("咨询电话", extra.get("consult_phone", "")), ("监督投诉电话", extra.get("supervision_phone", "")))
            if p[1]
        ],
    }


def missing_elements(guide: dict[str, Any]) -> list[str]:
    """Standard elements the guide lacks (the inspectors' 办事指南 completeness check)."""
    present = {
        "name": guide["name"],
        "basis": guide["basis"],
        "conditions": guide["conditions"],
        "materials": guide["materials"],
        "steps": guide["steps"],
        "legal_limit": guide["legal_limit"] or guide["promised_limit"],
        "promised_limit": guide["promised_limit"] or guide["legal_limit"],
        "fee": guide["fee"],
        "phones": guide["phones"],
        "place": guide["place"],
    }
    return [name for name in ELEMENTS if not present[name]]


def guides(platform: Platform, portal: PortalSpec) -> list[dict[str, Any]]:
    return [{"form": form.name, **guide_of(platform, form)} for form in portal.intake if not form.answers]
