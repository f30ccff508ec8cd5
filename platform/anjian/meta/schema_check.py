"""Check documents against the shipped meta-schemas, turning every violation into a MetadataError."""

from __future__ import annotations

import difflib
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ..errors import MetadataError
from .loader import Document
from .messages import say
from .pointer import pointer
from .validation import compile_validator

__all__ = ["check_document", "meta_schema", "meta_schema_dir"]


def meta_schema_dir() -> Path:
    import anjian_metadata

    return Path(anjian_metadata.__file__).parent / "meta-schemas"


@cache
def meta_schema(kind: str) -> dict[str, Any]:
    with open(meta_schema_dir() / f"{kind}.schema.json", encoding="utf-8") as handle:
        result: dict[str, Any] = json.load(handle)
    return result


@cache
def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(meta_schema(kind), format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def _fast(kind: str) -> jsonschema_rs.Validator:
    """The meta-schema compiled: a quick yes for valid documents (jsonschema explains a no)."""
    return compile_validator(meta_schema(kind))


def _as_2020_12(content: Any) -> Any:
    """An entity as the meta-schema check reads it: a ``$schema`` that points at our own
    meta-schema file (for editors) is no dialect, and the slow path checks 2020-12 anyway."""
    if isinstance(content, dict) and not str(content.get("$schema", "https://")).startswith(("http://", "https://")):
        return {k: v for k, v in content.items() if k != "$schema"}
    return content


def _passes(document: Document) -> bool:
    try:
        if not _fast(document.kind).is_valid(document.content):
            return False
        return document.kind != "entity" or bool(jsonschema_rs.meta.is_valid(_as_2020_12(document.content)))
    except (ValueError, jsonschema_rs.ReferencingError):  # odd content: let jsonschema report it
        return False


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return say("meta.suggest", word=close[0]) if close else ""


def _explain(error: ValidationError) -> tuple[list[Any], str, str]:
    """Return (path parts, message, hint) for one meta-schema violation."""
    parts = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = sorted(schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(known))
        where = "meta.xkeyword.unknown" if parts and parts[-1] == "x-anjian" else "meta.keyword.unknown"
        word = extra[0] if extra else "?"
        return (
            parts + [word],
            say(where, name=word),
            say("meta.keyword.unknown.hint", suggest=_suggest(word, known), names=", ".join(known)),
        )
    if "propertyNames" in list(error.relative_schema_path) and isinstance(error.instance, str):
        # A key of an object broke the naming rule; jsonschema reports the object, so point at the key.
        key = error.instance
        if error.validator == "enum":
            allowed = [str(o) for o in schema.get("enum", [])]
            return (
                parts + [key],
                say("meta.field.keyword", name=key),
                say("meta.field.keyword.hint", suggest=_suggest(key, allowed)),
            )
        return (
            parts + [key],
            say("meta.field.name", name=key),
            say("meta.field.name.hint"),
        )
    if error.validator == "propertyNames" and isinstance(error.instance, dict):
        # jsonschema reports the object; find the offending key to point at it.
        names = schema.get("propertyNames", {})
        allowed = names.get("enum")
        for key in error.instance:
            if allowed is not None and key not in allowed:
                return (
                    parts + [key],
                    say("meta.field.keyword", name=key),
                    say("meta.field.keyword.listed.hint", suggest=_suggest(key, list(allowed))),
                )
            if allowed is None and not Draft202012Validator(names).is_valid(key):
                return (
                    parts + [key],
                    say("meta.field.name", name=key),
                    say("meta.field.name.hint"),
                )
    if error.validator == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else "?"
        return parts, say("meta.required", name=missing), say("meta.required.hint", name=missing, docs=say("meta.docs.hint"))
    if error.validator == "pattern":
        return (
            parts,
            say("meta.pattern.mismatch", value=error.instance, pattern=schema.get("pattern")),
            say("meta.name.pattern.hint"),
        )
    if error.validator in ("enum", "const"):
        options = schema.get("enum") or [schema.get("const")]
        return (
            parts,
            say("meta.value.not.allowed", value=error.instance),
            _suggest(str(error.instance), [str(o) for o in options])
            + say("meta.one.of.hint", names=", ".join(map(str, options))),
        )
    if error.validator == "oneOf" and parts and parts[-1] == "type":
        return (
            parts,
            say("meta.not.a.type", value=error.instance),
            say("meta.not.a.type.hint"),
        )
    if error.validator == "type":
        hint = say("meta.value.type.hint", type=schema.get("type"), docs=say("meta.docs.hint"))
        return parts, say("meta.value.type", detail=error.message), hint
    return parts, say("meta.schema.rule", detail=error.message), say("meta.docs.hint")


def check_document(document: Document) -> list[MetadataError]:
    """All meta-schema problems of one document (for entities: also JSON Schema validity)."""
    if _passes(document):
        return []
    problems: list[MetadataError] = []
    seen: set[tuple[str, str]] = set()
    for error in _validator(document.kind).iter_errors(document.content):
        parts, message, hint = _explain(error)
        where = pointer(parts)
        if (where, message) not in seen:
            seen.add((where, message))
            problems.append(MetadataError(document.path, where, message, hint))
    if document.kind == "entity" and not problems:
        meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
        for error in meta.iter_errors(document.content):
            problems.append(
                MetadataError(
                    document.path,
                    pointer(error.absolute_path),
                    say("meta.json.schema", detail=error.message),
                    say("meta.json.schema.hint"),
                )
            )
    return problems
