"""The monitoring tests' fixtures live in monitoring_county (a unique module name, importable by tests)."""

from monitoring_county import county, enabled_plugins, gateway, token_of

__all__ = ["county", "enabled_plugins", "gateway", "token_of"]
