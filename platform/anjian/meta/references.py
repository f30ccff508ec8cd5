"""Cross-reference checks of a compiled set of declarations: links, dictionaries, named
functions, roles, menus and processes all name things that exist."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import MetadataError
from .messages import known, say
from .obligation_check import check_obligations
from .pointer import pointer
from .process_check import check_process
from .process_spec import ProcessSpec
from .spec import BUILTIN_ROLES, DictionarySpec, EntitySpec, MenuItem, ModuleSpec

__all__ = ["check_processes", "check_references", "known"]

ACTIONS = ("read", "create", "update", "delete", "export", "import", "approve", "report", "urge")


def _unknown_validators(
    source: str, at: str, names: tuple[str, ...], functions: Mapping[str, frozenset[str]]
) -> list[MetadataError]:
    """An error for each validator a field or an entity names that no plugin registered."""
    registered = functions.get("validator", frozenset())
    return [
        MetadataError(
            source,
            f"{at}/validators/{i}",
            say("meta.validator.unknown", name=name),
            known("validators", dict.fromkeys(registered)),
        )
        for i, name in enumerate(names)
        if name not in registered
    ]


def check_references(
    entities: Mapping[str, EntitySpec],
    modules: Mapping[str, ModuleSpec],
    dictionaries: Mapping[str, DictionarySpec],
    functions: Mapping[str, frozenset[str]] | None,
) -> list[MetadataError]:
    errors: list[MetadataError] = []
    top = {n: e for n, e in entities.items() if not e.is_child}
    for spec in entities.values():
        base = spec.pointer
        for f in spec.fields:
            at = f"{base}/properties/{f.name}/x-anjian"
            if f.link and f.link not in top:
                errors.append(
                    MetadataError(spec.source, at + "/link", say("meta.link.unknown", name=f.link), known("entities", top))
                )
            if f.dictionary and f.dictionary not in dictionaries:
                errors.append(
                    MetadataError(
                        spec.source,
                        at + "/dictionary",
                        say("meta.dictionary.unknown", name=f.dictionary),
                        known("dictionaries", dictionaries),
                    )
                )
            if functions is not None:
                if f.computed and f.computed not in functions.get("computed", frozenset()):
                    errors.append(
                        MetadataError(
                            spec.source,
                            at + "/computed",
                            say("meta.computed.unknown", name=f.computed),
                            known("computed", dict.fromkeys(functions.get("computed", ())), say("meta.plugin.hint")),
                        )
                    )
                if f.widget and "." in f.widget and f.widget not in functions.get("widget", frozenset()):
                    errors.append(
                        MetadataError(
                            spec.source,
                            at + "/widget",
                            say("meta.widget.unknown", name=f.widget),
                            known("widgets", dict.fromkeys(functions.get("widget", ())), say("meta.plugin.hint")),
                        )
                    )
                errors.extend(_unknown_validators(spec.source, at, f.validators, functions))
        if functions is not None:
            errors.extend(_unknown_validators(spec.source, f"{base}/x-anjian", spec.validators, functions))
    roles = {r.name for m in modules.values() for r in m.roles}
    for module in modules.values():
        errors.extend(_check_menu(module, module.menu, ["menu"], top))
        for i, role in enumerate(module.roles):
            for j, parent in enumerate(role.inherits):
                if parent not in roles:
                    errors.append(
                        MetadataError(
                            module.source,
                            pointer(["roles", i, "inherits", j]),
                            say("meta.role.unknown", name=parent),
                            known("roles", dict.fromkeys(roles)),
                        )
                    )
            for entity, actions in role.permissions.items():
                if entity not in top:
                    errors.append(
                        MetadataError(
                            module.source,
                            pointer(["roles", i, "permissions", entity]),
                            say("meta.entity.unknown", name=entity),
                            known("entities", top),
                        )
                    )
                for k, action in enumerate(actions):
                    if action not in ACTIONS:
                        errors.append(
                            MetadataError(
                                module.source,
                                pointer(["roles", i, "permissions", entity, k]),
                                say("meta.action.unknown", name=action),
                                say("meta.one.of.hint", names=", ".join(ACTIONS)),
                            )
                        )
    return errors


def _check_menu(
    module: ModuleSpec, items: tuple[MenuItem, ...], at: list[Any], top: Mapping[str, EntitySpec]
) -> list[MetadataError]:
    errors: list[MetadataError] = []
    for i, item in enumerate(items):
        if item.entity and item.entity not in top:
            errors.append(
                MetadataError(
                    module.source,
                    pointer(at + [i, "entity"]),
                    say("meta.entity.unknown", name=item.entity),
                    known("entities", top),
                )
            )
        errors.extend(_check_menu(module, item.items, at + [i, "items"], top))
    return errors


def check_processes(
    processes: Mapping[str, ProcessSpec],
    entities: Mapping[str, EntitySpec],
    modules: Mapping[str, ModuleSpec],
    functions: Mapping[str, frozenset[str]] | None,
) -> list[MetadataError]:
    roles = {r.name for m in modules.values() for r in m.roles} | set(BUILTIN_ROLES)
    errors: list[MetadataError] = []
    owner: dict[str, str] = {}
    for process in processes.values():
        if process.entity in owner:
            errors.append(
                MetadataError(
                    process.source,
                    "/entity",
                    say("meta.process.twice", entity=process.entity, process=owner[process.entity]),
                    say("meta.process.twice.hint"),
                )
            )
        owner.setdefault(process.entity, process.name)
        conditions = None if functions is None else functions.get("condition", frozenset())
        errors.extend(check_process(process, entities, roles, conditions))
        errors.extend(check_obligations(process, entities))
    return errors
