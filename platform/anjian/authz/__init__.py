"""Authorisation: hierarchical roles per region (casbin) and the data scope compiled to SQL.

casbin decides every entity/action question for a region; the scope compiler turns a user's
grants into one SQL condition that every read applies. Must not import flask.
"""

from .access import CasbinAccess
from .regions import region_range, within

__all__ = ["CasbinAccess", "region_range", "within"]
