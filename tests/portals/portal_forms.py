"""Answering the public forms' offline captcha as a reader would (shared by the portal tests)."""

import re

DIGITS = "零一二三四五六七八九十"


def captcha_fields(html):
    """The captcha's hidden fields of a rendered form, with the answer to its question."""
    fields = dict(re.findall(r'name="(captcha_nonce|captcha_expires|captcha_mac)" value="([^"]+)"', html))
    a, b = re.search(r"验证题：(.)加(.)等于几", html).groups()
    fields["captcha"] = str(DIGITS.index(a) + DIGITS.index(b))
    return fields
