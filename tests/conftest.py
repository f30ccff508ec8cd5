"""Fixtures live in anjian.testing (pytest11 plugin); this file only adds shared test helpers."""
