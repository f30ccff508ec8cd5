"""The Flask application: FAB for screens and users, the anjian API blueprint, error pages.

This is the only package that wires Flask to the Platform; nothing below ``anjian.data``,
``anjian.meta`` or ``anjian.catalog`` imports flask.
"""
