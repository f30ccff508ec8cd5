"""The one message catalogue: every sentence a person reads, Chinese by default, English available.

Each part of the engine registers its own keys (``register``) in a module of its own, so parts do
not edit one shared table; the API, the screens and the CLI all render through ``message``. The
language is a context variable: the web layer sets it per request (``use_language``), the CLI from
``ANJIAN_LANGUAGE``. This module imports nothing from anjian, so every layer may use it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["DEFAULT_LANGUAGE", "current_language", "is_english", "message", "register", "use_language"]

DEFAULT_LANGUAGE = "zh_CN"

_CATALOGUE: dict[str, tuple[str, str]] = {}
_LANGUAGE: ContextVar[str] = ContextVar("anjian_language", default=DEFAULT_LANGUAGE)


def register(messages: Mapping[str, tuple[str, str]]) -> None:
    """Add ``key -> (zh_CN, en)`` pairs; a key registered twice with other words is a bug."""
    for key, pair in messages.items():
        known = _CATALOGUE.get(key)
        if known is not None and known != pair:
            raise ValueError(f"message key {key!r} is registered twice with different text")
        _CATALOGUE[key] = pair


def current_language() -> str:
    return _LANGUAGE.get()


@contextmanager
def use_language(language: str | None) -> Iterator[None]:
    """Render messages in ``language`` (``zh…`` or ``en…``; anything else falls back to Chinese)."""
    token = _LANGUAGE.set(language or DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def is_english(language: str | None = None) -> bool:
    return str(language or _LANGUAGE.get()).lower().startswith("en")


def message(key: str, language: str | None = None, /, **values: object) -> str:
    """The text of ``key`` in ``language`` (default: the current one), formatted with ``values``.

    An unknown key is returned as it is, so a missing translation shows the key rather than
    failing the request that wanted to report an error.
    """
    pair = _CATALOGUE.get(key)
    if pair is None:
        return key
    text = pair[1] if is_english(language) else pair[0]
    return text.format(**values) if values else text
