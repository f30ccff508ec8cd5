"""API key scopes: the `entity:action` matching that CasbinAccess applies before any grant."""

import pytest

from anjian import Actor
from anjian.auth.apikeys import SCOPE, scope_allows
from anjian.authz.access import key_allows


@pytest.mark.parametrize(
    ("scopes", "entity", "action", "allowed"),
    [
        ({"enterprise:read"}, "enterprise", "read", True),
        ({"enterprise:read"}, "enterprise", "update", False),
        ({"enterprise:read"}, "agency", "read", False),
        ({"enterprise:*"}, "enterprise", "delete", True),
        ({"*:read"}, "agency", "read", True),
        ({"*:read"}, "agency", "create", False),
        ({"*:*"}, "*", "publish", True),
        ({"enterprise:*"}, "*", "publish", False),
    ],
)
def test_scope_matching(scopes, entity, action, allowed):
    assert scope_allows(frozenset(scopes), entity, action) is allowed


def test_actors_without_a_key_are_not_limited():
    assert key_allows(Actor("someone"), "enterprise", "delete")
    assert not key_allows(Actor("someone", key_id="k", key_scopes=frozenset()), "enterprise", "read")


@pytest.mark.parametrize("text", ["enterprise:read", "*:*", "_audit:read", "enterprise:*"])
def test_valid_scope_texts(text):
    assert SCOPE.match(text)


@pytest.mark.parametrize("text", ["enterprise", "Enterprise:read", "enterprise:read;drop", "' OR 1=1:read", "a:b:c", ""])
def test_invalid_scope_texts(text):
    assert not SCOPE.match(text)
