"""Request limits of the API, applied once for every endpoint before its view parses anything.

Each endpoint has a largest body and a deepest JSON nesting (``LIMITS``, else ``DEFAULT``), so
a 1,000-deep JSON document or a 40 MB record is refused with the error contract (413/400) and
never reaches a parser that would recurse or a column that would store it. Ids in URLs are
64-bit: a bigger number matches no route (404) instead of overflowing the database driver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from werkzeug.routing import IntegerConverter

from ..errors import RequestRefused
from ..messages import message

__all__ = [
    "DEFAULT",
    "LIMITS",
    "MAX_ID",
    "BoundedInt",
    "Limit",
    "at_most",
    "check_request_limits",
    "install_id_converter",
    "json_depth",
]

MAX_ID = 2**63 - 1  # the largest id (and integer) a 64-bit column holds
KIB, MIB = 1024, 1024 * 1024


@dataclass(frozen=True)
class Limit:
    """Largest body in bytes (None: the upload limit, ANJIAN_MAX_UPLOAD_BYTES) and deepest JSON nesting."""

    size: int | None
    depth: int


DEFAULT = Limit(1 * MIB, 32)  # a record with child tables nests 4-6 levels; 1 MiB is ~50x the largest demo record
CREDENTIALS = Limit(16 * KIB, 4)
LIMITS: dict[str, Limit] = {
    "anjian_api.token": CREDENTIALS,
    "anjian_api.refresh": CREDENTIALS,
    "anjian_api.logout": CREDENTIALS,
    "anjian_api.change_password": CREDENTIALS,
    "anjian_api.publish": Limit(16 * MIB, 64),  # whole declaration sets; JSON Schemas nest deeper than records
    "anjian_api.upload": Limit(None, DEFAULT.depth),  # multipart files
    "anjian_api.import_": Limit(None, DEFAULT.depth),
}

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


def json_depth(data: bytes, stop: int) -> int:
    """Nesting depth of a JSON text (strings skipped), counted without parsing; stops past ``stop``."""
    if data.count(b"[") + data.count(b"{") <= stop:
        return min(data.count(b"[") + data.count(b"{"), stop)
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRING.sub(b"", data)):
        if bracket in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop:
                    return deepest
        else:
            depth -= 1
    return deepest


def check_request_limits() -> None:
    """Apply the endpoint's size limit to the body and refuse JSON nested past its depth (before any view reads it)."""
    limit = LIMITS.get(request.endpoint or "", DEFAULT)
    size = limit.size if limit.size is not None else current_app.config.get("MAX_CONTENT_LENGTH")
    request.max_content_length = size
    if size is not None and (request.content_length or 0) > size:
        raise RequestRefused(413, "request.too_large", message("api.too_large", limit=size))
    if request.is_json and not request.content_encoding:  # a compressed body is bounded by the view that inflates it
        data = request.get_data(cache=True)  # werkzeug stops reading past max_content_length (413)
        if json_depth(data, limit.depth) > limit.depth:
            raise RequestRefused(400, "request.too_deep", message("api.too_deep", depth=limit.depth))


def at_most(limit: int) -> str:
    """A regular expression matching the decimal numbers 0..``limit`` (no sign, no leading zeros needed)."""
    digits = str(limit)
    options = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        if digit != "0":
            low = "0" if i else "1"
            if int(digit) - 1 >= int(low):
                rest = rf"\d{{{len(digits) - i - 1}}}" if len(digits) - i - 1 else ""
                options.append(f"{digits[:i]}[{low}-{int(digit) - 1}]{rest}")
    options.append(digits)
    return "(?:" + "|".join(options) + ")"


class BoundedInt(IntegerConverter):
    """``<int:...>`` that matches only ids a 64-bit column can hold.

    The bound is in the pattern, not only in ``to_python``: werkzeug checks the method before
    converting, so a pattern that matched a too-big id would answer 405 to PUT instead of 404.
    """

    regex = at_most(MAX_ID)

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002  (werkzeug's name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def install_id_converter(state: Any) -> None:
    """Blueprint setup: make ``int`` the bounded converter for every route added from now on."""
    state.app.url_map.converters["int"] = BoundedInt
