"""Regulation profiles: the time limits and periods the flows use, each with its legal source.

Why: many limits are only probable ([P]) or unconfirmed ([U]) readings of national rules, and
provinces add their own. A process names a setting (``{"setting": "hazard.onsite_check"}``)
instead of a number; the national profile gives the default and one provincial profile
(``"extends": "national"``) may override it, so a province corrects a value without editing flows.
Settings are substituted into the process content before it is built, so a changed value makes a
new process version and records in flight finish on the values they started with.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import MetadataError
from .loader import Document
from .messages import say

__all__ = ["BASE_PROFILE", "Profile", "Setting", "apply_settings", "resolve_profiles"]

BASE_PROFILE = "national"
CLOCK_UNITS = ("hours", "days", "workdays")


@dataclass(frozen=True)
class Setting:
    """One value with where it comes from (``kind`` law or commitment) and which profile set it."""

    name: str
    title: str
    value: Any
    kind: str
    source: str
    confidence: str | None = None
    profile: str = BASE_PROFILE

    def basis(self) -> dict[str, str]:
        """The legal basis shown beside a due date."""
        found = {"kind": self.kind, "source": self.source, "setting": self.name, "profile": self.profile}
        if self.confidence:
            found["confidence"] = self.confidence
        return found


@dataclass(frozen=True)
class Profile:
    """The settings in force: the national defaults with the provincial overrides applied."""

    name: str = BASE_PROFILE
    region: str | None = None
    settings: Mapping[str, Setting] = field(default_factory=dict)

    def get(self, name: str) -> Setting:
        return self.settings[name]

    def value(self, name: str, default: Any = None) -> Any:
        found = self.settings.get(name)
        return found.value if found else default


def _settings(document: Document) -> dict[str, Setting]:
    return {
        name: Setting(
            name=name,
            title=s["title"],
            value=s["value"],
            kind=s["kind"],
            source=s["source"],
            confidence=s.get("confidence"),
            profile=document.name,
        )
        for name, s in document.content.get("settings", {}).items()
    }


def resolve_profiles(documents: Iterable[Document]) -> tuple[Profile, list[MetadataError]]:
    """The profile in force and the problems: no national base, a chain that is not national ->
    one province, overrides of settings the base does not know."""
    documents = list(documents)
    errors: list[MetadataError] = []
    base = next((d for d in documents if d.name == BASE_PROFILE), None)
    if base is None:
        if documents:
            errors.append(
                MetadataError(
                    documents[0].path,
                    "/profile",
                    say("meta.profile.national.missing"),
                    say("meta.profile.national.missing.hint"),
                )
            )
        return Profile(), errors
    if "extends" in base.content:
        errors.append(
            MetadataError(base.path, "/extends", say("meta.profile.national.extends"), say("meta.profile.national.extends.hint"))
        )
    settings = _settings(base)
    provinces = [d for d in documents if d is not base]
    if len(provinces) > 1:
        errors.append(
            MetadataError(
                provinces[1].path,
                "/profile",
                say("meta.profile.provinces", names=", ".join(d.name for d in provinces)),
                say("meta.profile.provinces.hint"),
            )
        )
    region = None
    for province in provinces[:1]:
        if province.content.get("extends") != BASE_PROFILE:
            errors.append(MetadataError(province.path, "/extends", say("meta.profile.extends"), say("meta.profile.extends.hint")))
        if "region" not in province.content:
            errors.append(MetadataError(province.path, "/region", say("meta.profile.region"), say("meta.profile.region.hint")))
        region = province.content.get("region")
        for name, setting in _settings(province).items():
            if name not in settings:
                errors.append(
                    MetadataError(
                        province.path,
                        f"/settings/{name}",
                        say("meta.profile.setting.unknown", name=name),
                        say("meta.profile.setting.unknown.hint", names=", ".join(sorted(settings))),
                    )
                )
            else:
                settings[name] = setting
    name = provinces[0].name if provinces else BASE_PROFILE
    return Profile(name=name, region=region, settings=settings), errors


def apply_settings(document: Document, profile: Profile) -> tuple[dict[str, Any], list[MetadataError]]:
    """The process content with every ``{"setting": ...}`` replaced by its value, and each deadline's
    ``basis`` filled from the setting of its due time when the deadline does not declare one."""
    content = copy.deepcopy(document.content)
    errors: list[MetadataError] = []

    def duration(node: dict[str, Any], where: str) -> dict[str, str] | None:
        name = node.pop("setting", None)
        if name is None:
            return None
        found = profile.settings.get(name)
        value = found.value if found else None
        if not isinstance(value, dict) or value.get("unit") not in CLOCK_UNITS:
            errors.append(
                MetadataError(
                    document.path,
                    where + "/setting",
                    say("meta.profile.setting.unknown" if found is None else "meta.profile.duration.not", name=name),
                    say("meta.profile.duration.hint"),
                )
            )
            node.update({"amount": 1, "unit": "days"})  # keeps the build going; the errors stop the publish
            return None
        node.update(value)
        return found.basis() if found else None

    for i, rule in enumerate(content.get("deadlines", ())):
        at = f"/deadlines/{i}"
        basis = duration(rule.get("due", {}), at + "/due")
        if isinstance(rule.get("extension", {}).get("at_most"), dict):
            duration(rule["extension"]["at_most"], at + "/extension/at_most")
        for j, stage in enumerate(rule.get("stages", ())):
            for side in ("before", "after"):
                if isinstance(stage.get(side), dict):
                    duration(stage[side], f"{at}/stages/{j}/{side}")
        if "basis" not in rule and basis:
            rule["basis"] = basis
    for i, transition in enumerate(content.get("transitions", ())):
        for j, target in enumerate(transition.get("notify", ())):
            name = target[len("agencies:") :] if isinstance(target, str) and target.startswith("agencies:") else None
            found = profile.settings.get(name) if name else None
            if name and not (found is not None and isinstance(found.value, list)):
                key = "meta.profile.setting.unknown" if found is None else "meta.profile.words.not"
                where = f"/transitions/{i}/notify/{j}"
                errors.append(MetadataError(document.path, where, say(key, name=name), say("meta.profile.words.hint")))
    return content, errors
