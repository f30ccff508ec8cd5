"""Moved to :mod:`anjian.auth.security_audit` (the API records logins too, and api is below web)."""

from ..auth.security_audit import acting_user, address, record, via

__all__ = ["acting_user", "address", "record", "via"]
