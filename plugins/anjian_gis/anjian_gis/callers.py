"""Who is asking: a signed-in user, a machine with an API key or bearer token, or nobody (anonymous).

The OGC services live outside ``/api/`` (clients expect ``/ogc/``) and must also answer anonymous
callers, so they authenticate here with the API's own functions instead of its blueprint guard.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user

from anjian.api._blueprint import bearer_actor, key_actor
from anjian.audit import Actor
from anjian.ui.base import actor as session_actor

__all__ = ["caller"]


def caller() -> Actor | None:
    """The Actor behind this request, or None for an anonymous one; AuthenticationFailed for bad credentials."""
    header = request.headers.get("Authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() == "apikey" and credential.strip():
        return key_actor(credential.strip())
    if request.headers.get("X-API-Key", "").strip():
        return key_actor(request.headers["X-API-Key"].strip())
    if scheme.lower() == "bearer" and credential.strip():
        return bearer_actor(credential.strip())
    if current_user and current_user.is_authenticated:
        return session_actor()
    return None
