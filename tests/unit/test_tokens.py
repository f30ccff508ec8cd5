"""JWT tokens: algorithm pinned, expiry/issuer/audience checked; forged tokens refused."""

import base64
import datetime as dt
import json

import jwt
import pytest

from anjian.auth.tokens import AUDIENCE, ISSUER, TokenService
from anjian.errors import AuthenticationFailed

SECRET = "s" * 64


def test_round_trip():
    service = TokenService(SECRET, 600)
    issued = service.issue("admin")
    assert issued["token_type"] == "Bearer" and issued["expires_in"] == 600
    assert service.verify(issued["access_token"])["sub"] == "admin"


def _forge(claims, key=SECRET, algorithm="HS256"):
    now = dt.datetime.now(dt.UTC)
    base = {"sub": "admin", "iat": now, "exp": now + dt.timedelta(minutes=5), "iss": ISSUER, "aud": AUDIENCE, "typ": "access"}
    return jwt.encode({**base, **claims}, key, algorithm=algorithm)


@pytest.mark.parametrize(
    "token",
    [
        _forge({}, key="x" * 64),
        _forge({"exp": dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}),
        _forge({"iss": "someone-else"}),
        _forge({"aud": "other-api"}),
        _forge({"typ": "refresh"}),
        _forge({}, algorithm="HS512"),
        "not.a.token",
        "",
    ],
)
def test_bad_tokens_are_refused(token):
    with pytest.raises(AuthenticationFailed):
        TokenService(SECRET, 600).verify(token)


def test_alg_none_is_refused():
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=").decode()
    body = (
        base64.urlsafe_b64encode(
            json.dumps({"sub": "admin", "iss": ISSUER, "aud": AUDIENCE, "exp": 9999999999, "iat": 1, "typ": "access"}).encode()
        )
        .rstrip(b"=")
        .decode()
    )
    with pytest.raises(AuthenticationFailed):
        TokenService(SECRET, 600).verify(f"{header}.{body}.")
