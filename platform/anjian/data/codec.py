"""Moved to :mod:`anjian.store.codec`; re-exported here while callers move."""

from ..store.codec import Codec, utc_now

__all__ = ["Codec", "utc_now"]
