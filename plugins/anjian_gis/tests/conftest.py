"""The GIS tests' fixtures live in gis_county (a unique module name, importable by tests)."""

from gis_county import county, enabled_plugins, token_of

__all__ = ["county", "enabled_plugins", "token_of"]
