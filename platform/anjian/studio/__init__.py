"""The studio (建模工作台): drafts of modules, their review, publish, versions and files.

Owns drafts (``anjian_studio_draft``), the reference index, the dry run against stored records
and module zips; calls ``catalog`` to publish and ``meta`` to check, never a second engine.
Imports runtime and below; the API and screens call it.
"""

from .drafts import Draft, DraftStore
from .service import Studio

__all__ = ["Draft", "DraftStore", "Studio"]
