"""JWT access tokens for the API: HS256 pinned, expiry, issuer and audience always checked.

A token names the login it belongs to (claim ``sid``: the family of its refresh tokens), so
logging out or a reused refresh token voids it at once (see ``anjian.auth.callers.bearer_caller``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import jwt

from ..errors import AuthenticationFailed

__all__ = ["TokenService"]

ALGORITHM = "HS256"
ISSUER = "anjian"
AUDIENCE = "anjian-api"


class TokenService:
    """Issue and verify access tokens signed with the platform's secret."""

    def __init__(self, secret: str, ttl_seconds: int) -> None:
        self.secret = secret
        self.ttl = ttl_seconds

    def issue(self, username: str, generation: int = 0, session: str = "") -> dict[str, Any]:
        """A signed access token; ``generation`` is the user's token generation at issue time,
        ``session`` the login (refresh-token family) it belongs to."""
        now = dt.datetime.now(dt.UTC)
        claims = {
            "sub": username,
            "iat": now,
            "nbf": now,
            "exp": now + dt.timedelta(seconds=self.ttl),
            "iss": ISSUER,
            "aud": AUDIENCE,
            "jti": uuid.uuid4().hex,
            "typ": "access",
            "gen": generation,
        }
        if session:
            claims["sid"] = session
        token = jwt.encode(claims, self.secret, algorithm=ALGORITHM)
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.ttl}

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims; AuthenticationFailed for a forged, expired or foreign token."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self.secret,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationFailed("访问令牌已过期，请重新获取") from None
        except jwt.InvalidTokenError:
            raise AuthenticationFailed("访问令牌无效") from None
        if claims.get("typ") != "access":
            raise AuthenticationFailed("访问令牌无效")
        return claims
