"""The catalog: published metadata versions in the database, and the live registry built from them.

Publishing validates, plans the schema change, applies it and bumps the version in one
transaction. Every process polls the version and rebuilds its registry, so a publish is live
everywhere within about a second with no restart. Must not import flask.
"""

from .registry import Registry
from .store import PublishResult, current_version, load_documents_at, publish, version_digest

__all__ = ["PublishResult", "Registry", "current_version", "load_documents_at", "publish", "version_digest"]
