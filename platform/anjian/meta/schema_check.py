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
from .pointer import pointer
from .validation import compile_validator

__all__ = ["check_document", "meta_schema", "meta_schema_dir"]

DOCS_HINT = "See docs/metadata.md for the keyword."


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


def _passes(document: Document) -> bool:
    try:
        if not _fast(document.kind).is_valid(document.content):
            return False
        return document.kind != "entity" or bool(jsonschema_rs.meta.is_valid(document.content))
    except (ValueError, jsonschema_rs.ReferencingError):  # odd content: let jsonschema report it
        return False


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f"Did you mean {close[0]!r}? " if close else ""


def _explain(error: ValidationError) -> tuple[list[Any], str, str]:
    """Return (path parts, message, hint) for one meta-schema violation."""
    parts = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = sorted(schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(known))
        where = "x-anjian keyword" if parts and parts[-1] == "x-anjian" else "keyword"
        word = extra[0] if extra else "?"
        return (
            parts + [word],
            f"unknown {where} {word!r}",
            f"{_suggest(word, known)}Known keywords here: {', '.join(known)}.",
        )
    if "propertyNames" in list(error.relative_schema_path) and isinstance(error.instance, str):
        # A key of an object broke the naming rule; jsonschema reports the object, so point at the key.
        key = error.instance
        if error.validator == "enum":
            allowed = [str(o) for o in schema.get("enum", [])]
            return (
                parts + [key],
                f"unknown keyword {key!r} in a field",
                f"{_suggest(key, allowed)}Field keywords are standard JSON Schema keywords (see docs/metadata.md) "
                'plus an "x-anjian" object.',
            )
        return (
            parts + [key],
            f"field name {key!r} is not snake_case",
            "Use lower-case letters, digits and underscores, starting with a letter.",
        )
    if error.validator == "propertyNames" and isinstance(error.instance, dict):
        # jsonschema reports the object; find the offending key to point at it.
        names = schema.get("propertyNames", {})
        allowed = names.get("enum")
        for key in error.instance:
            if allowed is not None and key not in allowed:
                return (
                    parts + [key],
                    f"unknown keyword {key!r} in a field",
                    f"{_suggest(key, list(allowed))}Field keywords are standard JSON Schema keywords "
                    'listed in docs/metadata.md, plus an "x-anjian" object.',
                )
            if allowed is None and not Draft202012Validator(names).is_valid(key):
                return (
                    parts + [key],
                    f"field name {key!r} is not snake_case",
                    "Use lower-case letters, digits and underscores, starting with a letter.",
                )
    if error.validator == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else "?"
        return parts, f"the required key {missing!r} is missing", f"Add {missing!r}. {DOCS_HINT}"
    if error.validator == "pattern":
        return (
            parts,
            f"{error.instance!r} does not match {schema.get('pattern')}",
            (
                "Names are snake_case (lower-case letters, digits, underscores, starting with a letter); "
                "function names are dotted, e.g. registry.uscc_check."
            ),
        )
    if error.validator in ("enum", "const"):
        options = schema.get("enum") or [schema.get("const")]
        return (
            parts,
            f"{error.instance!r} is not allowed here",
            (f"{_suggest(str(error.instance), [str(o) for o in options])}Use one of: {', '.join(map(str, options))}."),
        )
    if error.validator == "oneOf" and parts and parts[-1] == "type":
        return (
            parts,
            f"{error.instance!r} is not a JSON Schema type",
            ("Use string, integer, number, boolean, object, array or null (or a list of them)."),
        )
    if error.validator == "type":
        return parts, error.message, f"Give a value of type {schema.get('type')}. {DOCS_HINT}"
    return parts, error.message, DOCS_HINT


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
                    f"not valid JSON Schema (draft 2020-12): {error.message}",
                    "Fix the keyword's value; see https://json-schema.org/draft/2020-12.",
                )
            )
    return problems
