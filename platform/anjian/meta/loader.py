"""Find and read declaration documents, keeping the source path of each."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import MetadataError
from .messages import say

__all__ = ["Document", "document_kind", "load_documents", "parse_document"]

META_SCHEMA_SUFFIX = ".schema.json"


@dataclass(frozen=True)
class Document:
    """One parsed declaration and where it came from."""

    path: str
    kind: str  # entity | module | dictionary | process | calendar | profile | report | dashboard | exchange | portal
    name: str
    content: dict[str, Any] = field(hash=False, compare=False)


def document_kind(content: object) -> tuple[str, str] | None:
    """Tell a document's kind and name from its shape, or None if it is none of ours."""
    if not isinstance(content, dict):
        return None
    if "dictionary" in content:
        return "dictionary", str(content.get("dictionary"))
    if "process" in content:
        return "process", str(content.get("process"))
    if "portal" in content:
        return "portal", str(content.get("portal"))
    if "profile" in content:
        return "profile", str(content.get("profile"))
    if "dashboard" in content:
        return "dashboard", str(content.get("dashboard"))
    if "report" in content:  # before "module": a report may name its module
        return "report", str(content.get("report"))
    if "calendar" in content:
        return "calendar", f"{content.get('calendar')}-{content.get('year')}"
    if "exchange" in content:
        return "exchange", str(content.get("exchange"))
    if "module" in content:
        return "module", str(content.get("module"))
    options = content.get("x-anjian")
    if isinstance(options, dict) and "entity" in options:
        return "entity", str(options.get("entity"))
    return None


def parse_document(path: str, text: str) -> Document:
    """Parse one document's text; raise MetadataError naming the file and place of a fault."""
    try:
        content = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MetadataError(
            path,
            "",
            say("meta.json.invalid", detail=exc.msg, line=exc.lineno, column=exc.colno),
            say("meta.json.invalid.hint"),
        ) from None
    kind = document_kind(content)
    if kind is None:
        raise MetadataError(
            path,
            "",
            say("meta.document.unknown"),
            say("meta.document.unknown.hint"),
        )
    return Document(path=path, kind=kind[0], name=kind[1], content=content)


def _files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*.json"))
                if not p.name.endswith(META_SCHEMA_SUFFIX) and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            found.append(path)
    return found


def display_path(path: Path) -> str:
    """Show a path relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_documents(paths: Iterable[Path | str]) -> tuple[list[Document], list[MetadataError]]:
    """Read every declaration below ``paths``; collect all read and parse problems."""
    documents: list[Document] = []
    errors: list[MetadataError] = []
    for file in _files(Path(p) for p in paths):
        shown = display_path(file)
        if not file.exists():
            errors.append(MetadataError(shown, "", say("meta.file.missing"), say("meta.file.missing.hint")))
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(MetadataError(shown, "", say("meta.file.unreadable", detail=exc), say("meta.file.unreadable.hint")))
            continue
        try:
            documents.append(parse_document(shown, text))
        except MetadataError as exc:
            errors.append(exc)
    return documents, errors
