"""Authentication: API access tokens (pyjwt). Must not import flask_appbuilder views."""

from .tokens import TokenService

__all__ = ["TokenService"]
