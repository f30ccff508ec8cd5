"""Shared by the portal tests: answering the public forms' offline captcha as a reader would, and
published records to answer."""

import re

from sqlalchemy import func, select

from anjian import Actor

ADMIN = Actor("admin", is_admin=True)

DIGITS = "零一二三四五六七八九十"


def captcha_fields(html):
    """The captcha's hidden fields of a rendered form, with the answer to its question."""
    fields = dict(re.findall(r'name="(captcha_nonce|captcha_expires|captcha_mac)" value="([^"]+)"', html))
    a, b = re.search(r"验证题：(.)加(.)等于几", html).groups()
    fields["captcha"] = str(DIGITS.index(a) + DIGITS.index(b))
    return fields


def published_record(platform, entity, data):
    """A record of ``entity`` in 安溪县, submitted and published by the administrator; its id."""
    record = platform.records.create(entity, {"region_code": "350524", **data}, ADMIN)
    platform.workflow.take(ADMIN, entity, record["id"], "submit")
    platform.workflow.take(ADMIN, entity, record["id"], "publish")
    return record["id"]


def count_of(platform, entity):
    table = platform.registry.table(entity)
    with platform.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()
