"""Data package ``anjian_metadata``: the standard declarations and meta-schemas (JSON only)."""
