"""An offline captcha: a sum in Chinese words, readable by screen readers, with no third party.

The answer is never sent to the browser: the form carries a random nonce, an expiry and an HMAC
of (answer, nonce, expiry) under the platform's signing key, so a bot must read the question to
answer it. It keeps simple scripts out; the per-address rate limit does the rest.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

__all__ = ["Challenge", "new_challenge", "solved"]

DIGITS = "零一二三四五六七八九十"
LIFETIME = 30 * 60  # seconds a question stays answerable


@dataclass(frozen=True)
class Challenge:
    question: str
    nonce: str
    expires: int
    mac: str


def _mac(key: bytes, answer: int, nonce: str, expires: int) -> str:
    return hmac.new(key, f"{answer}|{nonce}|{expires}".encode(), hashlib.sha256).hexdigest()


def new_challenge(key: bytes, now: float | None = None) -> Challenge:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    nonce = secrets.token_urlsafe(12)
    expires = int((now if now is not None else time.time()) + LIFETIME)
    return Challenge(f"{DIGITS[a]}加{DIGITS[b]}等于几？（请填阿拉伯数字）", nonce, expires, _mac(key, a + b, nonce, expires))


def solved(key: bytes, answer: str, nonce: str, expires: str, mac: str, now: float | None = None) -> bool:
    """Whether ``answer`` is the sum the signed question asked, before it expired."""
    try:
        value, until = int(answer.strip()), int(expires)
    except (TypeError, ValueError, AttributeError):
        return False
    if until < (now if now is not None else time.time()):
        return False
    return hmac.compare_digest(_mac(key, value, nonce, until), mac or "")
