"""Metadata routes: publish, catalog version, entity schemas, dictionaries, OpenAPI and Swagger UI."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, render_template_string, request

from ..errors import MetadataError, MetadataErrors
from ..meta.compile import duplicate_errors
from ..meta.loader import Document, document_kind
from ..meta.messages import say
from . import meta_messages as _messages  # noqa: F401  (registers the keys used here)
from ._blueprint import api, current_actor, platform
from .openapi import openapi_document

__all__ = ["dictionary", "docs", "entities", "openapi", "publish", "version"]


def _documents(body: Any) -> list[Document]:
    if not isinstance(body, dict) or not isinstance(body.get("documents"), list) or not body["documents"]:
        raise MetadataErrors(
            [MetadataError("request", "/documents", say("api.meta.documents.none"), say("api.meta.documents.none.hint"))]
        )
    documents, errors = [], []
    for i, content in enumerate(body["documents"]):
        kind = document_kind(content)
        if kind is None:
            errors.append(
                MetadataError("request", f"/documents/{i}", say("meta.document.unknown"), say("meta.document.unknown.hint"))
            )
            continue
        documents.append(Document(path=f"api:{kind[0]}/{kind[1]}", kind=kind[0], name=kind[1], content=content))
    errors += duplicate_errors(documents)
    if errors:
        raise MetadataErrors(errors)
    return documents


@api.post("/meta/publish")
def publish() -> Any:
    """Administrators: validate, plan, apply and bump the catalog version."""
    body = request.get_json(silent=True)
    p = platform()
    p.access.check(current_actor(), None, "publish")
    options = body if isinstance(body, dict) else {}
    result = p.publish(
        documents=_documents(body),
        actor=current_actor(),
        confirm_destructive=bool(options.get("confirm_destructive")),
        dry_run=bool(options.get("dry_run")),
        comment=str(options.get("comment", "")),
    )
    return jsonify(
        {
            "version": result.version,
            "changed": result.changed,
            "dry_run": result.dry_run,
            "plan": result.plan.as_dict(),
            "plan_text": result.plan.render(),
        }
    )


@api.get("/meta/version")
def version() -> Any:
    return jsonify({"version": platform().registry.version})


@api.get("/meta/entities")
def entities() -> Any:
    registry = platform().registry
    return jsonify(
        {
            "version": registry.version,
            "entities": [
                {"name": e.name, "title": e.title, "module": e.module, "schema": e.schema_}
                for e in registry.catalog.top_entities()
            ],
        }
    )


@api.get("/meta/dictionaries/<name>")
def dictionary(name: str) -> Any:
    """Items of a code table; ``?parent=CODE`` gives one level (cascading pickers)."""
    from ..errors import NotFound

    spec = platform().registry.catalog.dictionaries.get(name)
    if spec is None:
        raise NotFound(say("meta.dictionary.unknown", name=name))
    parent = request.args.get("parent")
    items = [i for i in spec.items if "parent" not in request.args or (i.parent or "") == (parent or "")]
    return jsonify({"dictionary": name, "title": spec.title, "items": [i.model_dump(exclude_defaults=True) for i in items]})


@api.get("/openapi.json")
def openapi() -> Any:
    document = openapi_document(platform().registry)
    for paths in current_app.extensions.get("anjian_openapi_paths", ()):  # the installed faces' machine APIs
        document["paths"].update(paths())
    return jsonify(document)


# Swagger UI is the copy Flask-AppBuilder ships (pinned with it in requirements.txt, licence in its
# package), served by FAB's static route: never a CDN, and never a hard-coded path that FAB may move.
# It is started by a script file of our own (no inline script), so the page runs under the same
# content security policy as every screen.
SWAGGER_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>anjian API</title>
<link rel="stylesheet" href="{{ url_for('appbuilder.static', filename='css/swagger/swagger-ui.css') }}"></head>
<body><div id="swagger-ui" data-openapi="{{ url_for('anjian_api.openapi') }}"></div>
<script src="{{ url_for('appbuilder.static', filename='js/swagger-ui-bundle.js') }}"></script>
<script src="{{ url_for('anjian_ui.static', filename='swagger-init.js') }}"></script>
</body></html>"""


@api.get("/docs")
def docs() -> Any:
    """Swagger UI over the live OpenAPI document."""
    return render_template_string(SWAGGER_PAGE)
