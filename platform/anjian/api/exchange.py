"""Data exchange routes: a lower deployment's batches, and the resource directory (信息资源目录)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from ..errors import FieldError, RecordValidationError
from ..exchange import receive_batch, resource_directory
from ..messages import message
from ._blueprint import api, current_actor, platform

__all__ = ["catalog", "receive"]


@api.post("/exchange/batches")
def receive() -> Any:
    """Take a batch from a lower deployment (API key of an account in the sender's region)."""
    body = request.get_json(silent=True)
    if body is None:
        raise RecordValidationError("request", [FieldError("", message("api.body_not_json"), "json")])
    return jsonify(receive_batch(platform(), current_actor(), body))


@api.get("/catalog")
def catalog() -> Any:
    """The resource directory: every declared exchange with its fields, recipient and state."""
    p = platform()
    return jsonify({"catalog_version": p.registry.version, "resources": resource_directory(p)})
