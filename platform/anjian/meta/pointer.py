"""RFC 6901 JSON pointers."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["pointer"]


def _escape(part: object) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def pointer(parts: Iterable[object]) -> str:
    """Build a JSON pointer from path parts: ``("a", 0, "b/c")`` -> ``/a/0/b~1c``."""
    return "".join("/" + _escape(p) for p in parts)
