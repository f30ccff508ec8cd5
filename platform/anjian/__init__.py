"""anjian (安监): a low-code platform for county work-safety agencies.

The curated public surface: code in modules/, portals/ and plugins/ imports only from here,
``anjian.hooks`` and ``anjian.testing``.
"""

from __future__ import annotations

from typing import Any

from .audit import Actor as Actor
from .errors import AnjianError as AnjianError
from .errors import FieldError as FieldError
from .errors import MetadataError as MetadataError
from .errors import MetadataErrors as MetadataErrors
from .errors import NotFound as NotFound
from .errors import PermissionDenied as PermissionDenied
from .errors import RecordConflict as RecordConflict
from .errors import RecordValidationError as RecordValidationError
from .hooks import hookimpl as hookimpl

__all__ = [
    "Actor",
    "AnjianError",
    "FieldError",
    "MetadataError",
    "MetadataErrors",
    "NotFound",
    "PermissionDenied",
    "Platform",
    "RecordConflict",
    "RecordValidationError",
    "__version__",
    "create_app",
    "hookimpl",
]


def __getattr__(name: str) -> Any:
    # Heavy parts load on first use, so `import anjian` in a plugin stays cheap.
    if name == "Platform":
        from .runtime import Platform

        return Platform
    if name == "create_app":
        from .web.app import create_app

        return create_app
    if name == "__version__":
        from importlib.metadata import version

        return version("anjian")
    raise AttributeError(name)
