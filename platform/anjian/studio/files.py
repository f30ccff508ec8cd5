"""A module's files: which published documents belong to it, their canonical text, and zips.

The shipped format is ``metadata/<module>/<file>.json``: UTF-8, two-space indentation, keys in
the order the document gives them (field order is meaningful), one trailing newline. Export,
import and export again is byte-identical because the zip holds names in sorted order with a
fixed timestamp. Imports refuse absolute paths, ``..``, files outside the module's folder,
non-JSON files and archives past the size limit (compressed or unpacked).
"""

from __future__ import annotations

import io
import json
import posixpath
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import MetadataError, MetadataErrors
from ..meta.loader import Document, document_kind
from .messages import say

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ZIP_BYTES",
    "canonical_text",
    "draft_documents",
    "file_name",
    "module_documents",
    "read_files",
    "read_zip",
    "write_zip",
]

MAX_ZIP_BYTES = 8 * 1024 * 1024  # a whole module is a few hundred KiB; 8 MiB leaves room for big code tables
MAX_FILE_BYTES = 4 * 1024 * 1024
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
# What of a module's folder belongs to its drafts: declarations, code tables, and its reports and portal pages.
FOLDER_KINDS = ("entity", "process", "dictionary", "report", "portal", "dashboard")


def canonical_text(content: Any) -> str:
    """The one text of a document: keys in given order, two-space indent, trailing newline."""
    return json.dumps(content, ensure_ascii=False, indent=2) + "\n"


def file_name(document: Document) -> str:
    """The file a published document lives in, inside its module's folder."""
    base = posixpath.basename(document.path.replace("\\", "/"))
    if base.endswith(".json") and not document.path.startswith("api:"):
        return base
    suffix = f".{document.kind}.json" if document.kind in ("process", "report", "portal", "dashboard") else ".json"
    return f"{document.name}{suffix}"


def _folder(path: str) -> str:
    return posixpath.dirname(path.replace("\\", "/"))


def module_documents(documents: Iterable[Document], module: str) -> list[Document]:
    """The published documents of ``module``: its manifest, its entities, their processes, and
    whatever else lives in the manifest's folder (its dictionaries, reports, portal pages and
    dashboards), and reports that name the module."""
    documents = list(documents)
    manifest = next((d for d in documents if d.kind == "module" and d.name == module), None)
    if manifest is None:
        return []
    entities = {str(e) for e in manifest.content.get("entities", [])}
    folder = _folder(manifest.path) if not manifest.path.startswith("api:") else None
    found = []
    for d in documents:
        if d is manifest or (d.kind == "entity" and d.name in entities):
            found.append(d)
        elif d.kind == "process" and str(d.content.get("entity")) in entities:
            found.append(d)
        elif folder and _folder(d.path) == folder and d.kind in FOLDER_KINDS:
            found.append(d)
        elif d.kind == "report" and d.content.get("module") == module:
            found.append(d)
    return found


def draft_documents(module: str, files: Mapping[str, Any]) -> tuple[list[Document], list[MetadataError]]:
    """A draft's files as documents at ``metadata/<module>/<file>``; a file of no known kind is an error."""
    documents, errors = [], []
    for name in sorted(files):
        path = f"metadata/{module}/{name}"
        kind = document_kind(files[name])
        if kind is None:
            errors.append(MetadataError(path, "", say("studio.file.unknown"), say("studio.file.unknown.hint")))
            continue
        documents.append(Document(path=path, kind=kind[0], name=kind[1], content=files[name]))
    return documents, errors


def write_zip(module: str, files: Mapping[str, Any]) -> bytes:
    """The module as a zip of ``metadata/<module>/…`` in the shipped format (byte-stable)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"metadata/{module}/{name}", date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, canonical_text(files[name]))
    return buffer.getvalue()


def _refuse(name: str, key: str, **values: Any) -> MetadataError:
    return MetadataError(name, "", say(key, **values), say(f"{key}.hint", **values))


def _relative(module: str, raw: str) -> tuple[str | None, MetadataError | None]:
    """The file name inside the module's folder, or why ``raw`` may not be imported."""
    name = raw.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None, _refuse(raw, "studio.import.absolute")
    if ".." in name.split("/"):
        return None, _refuse(raw, "studio.import.parent")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    for prefix in (["metadata", module], [module]):
        if parts[: len(prefix)] == prefix:
            parts = parts[len(prefix) :]
            break
    if len(parts) != 1:
        return None, _refuse(raw, "studio.import.outside", module=module)
    if not parts[0].endswith(".json"):
        return None, _refuse(raw, "studio.import.not_json")
    return parts[0], None


def read_files(module: str, items: Iterable[tuple[str, bytes]]) -> dict[str, Any]:
    """Files given as (path, bytes) (a folder's upload, or a zip's members) as draft files."""
    files: dict[str, Any] = {}
    errors: list[MetadataError] = []
    for raw, data in items:
        if raw.endswith("/"):
            continue  # a folder entry
        name, error = _relative(module, raw)
        if error is not None or name is None:
            errors.append(error or _refuse(raw, "studio.import.outside", module=module))
            continue
        if name.endswith(".schema.json"):
            continue  # meta-schemas travel with the engine, not with a module
        if len(data) > MAX_FILE_BYTES:
            errors.append(_refuse(raw, "studio.import.file_too_large", limit=MAX_FILE_BYTES))
            continue
        try:
            files[name] = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            errors.append(_refuse(raw, "studio.import.bad_json", detail=str(exc)))
    if errors:
        raise MetadataErrors(errors)
    if not files:
        raise MetadataErrors([_refuse("import", "studio.import.empty", module=module)])
    return files


def read_zip(module: str, data: bytes) -> dict[str, Any]:
    """A zip's members as draft files; refuses archives past MAX_ZIP_BYTES packed or unpacked."""
    if len(data) > MAX_ZIP_BYTES:
        raise MetadataErrors([_refuse("import.zip", "studio.import.too_large", limit=MAX_ZIP_BYTES)])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise MetadataErrors([_refuse("import.zip", "studio.import.bad_zip")]) from None
    with archive:
        members = archive.infolist()
        if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise MetadataErrors([_refuse("import.zip", "studio.import.too_large", limit=MAX_ZIP_BYTES)])
        checked: list[tuple[str, bytes]] = []
        errors: list[MetadataError] = []
        for member in members:
            if member.is_dir():
                continue
            _name, error = _relative(module, member.filename)
            if error is not None:
                errors.append(error)
                continue
            checked.append((member.filename, archive.read(member)))
        if errors:
            raise MetadataErrors(errors)
    return read_files(module, checked)
