"""Helpers for tests of the engine, modules and plugins."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["ApiClient", "entity_document", "free_port", "token_callers", "write_json"]


def free_port() -> int:
    """A loopback TCP port nothing listens on now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_json(path: Path, content: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def entity_document(name: str, properties: dict[str, Any], required: list[str] | None = None, **options: Any) -> dict[str, Any]:
    """A minimal entity declaration for tests."""
    return {
        "title": name,
        "type": "object",
        "required": required or [],
        "properties": properties,
        "x-anjian": {"entity": name, **options},
    }


class ApiClient:
    """A Flask test client that sends the bearer token and JSON bodies."""

    def __init__(self, client: Any, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def __getattr__(self, method: str) -> Any:
        if method not in ("get", "post", "put", "patch", "delete"):
            raise AttributeError(method)

        def call(url: str, json: Any = None, **kwargs: Any) -> Any:
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return getattr(self.client, method)(url, json=json, headers=headers, **kwargs)

        return call


Caller = Callable[..., tuple[int, Any]]


def token_callers(app: Any, password: str) -> Callable[[str], Caller]:
    """``as_user(name)(method, url, json=None) -> (status, body)``: API requests with each user's
    bearer token, asked for once per user (all users share ``password``)."""
    client = app.test_client()
    apis: dict[str, ApiClient] = {}

    def as_user(user: str) -> Caller:
        if user not in apis:
            response = client.post("/api/v1/auth/token", json={"username": user, "password": password})
            apis[user] = ApiClient(client, response.get_json()["access_token"])
        api = apis[user]

        def call(method: str, url: str, json: Any = None) -> tuple[int, Any]:
            response = getattr(api, method)(url, json=json)
            return int(response.status_code), response.get_json(silent=True)

        return call

    return as_user
