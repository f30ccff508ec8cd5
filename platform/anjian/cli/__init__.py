"""The ``anjian`` command line (click): thin wrappers over plain functions."""

from .main import main

__all__ = ["main"]
