"""Password policy rules on their own: length, classes, user name, history; generated passwords pass."""

import pytest
from werkzeug.security import generate_password_hash

from anjian.auth.passwords import PasswordPolicy, generate_password
from anjian.config import load_settings
from anjian.errors import RecordValidationError

POLICY = PasswordPolicy()


@pytest.mark.parametrize("password", ["Anjian-test-1", "correct Horse 42", "Zz9-zz9-zz9", "安监Plat-2026"])
def test_good_passwords_pass(password):
    assert POLICY.problems("officer", password) == []


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("Ab1-", "至少需要 10 个字符"),
        ("abcdefghijk", "至少 3 类"),
        ("abcdefgh12", "至少 3 类"),
        ("ABCDEFGH12", "至少 3 类"),
        ("Officer-2026", "不能包含用户名"),
        ("my-OFFICER-pw1", "不能包含用户名"),
    ],
)
def test_each_rule_is_named_in_chinese(password, fragment):
    problems = POLICY.problems("officer", password)
    assert any(fragment in p for p in problems), problems


def test_check_raises_field_errors_at_password():
    with pytest.raises(RecordValidationError) as info:
        POLICY.check("officer", "short")
    assert {e.pointer for e in info.value.errors} == {"/password"}
    assert len(info.value.errors) == 2  # too short and too few classes, both reported


def test_recent_passwords_cannot_come_back():
    old = [generate_password_hash(p) for p in ("Old-pass-1111", "Older-pass-222")]
    assert any("最近 5 次" in p for p in POLICY.problems("officer", "Older-pass-222", old))
    assert POLICY.problems("officer", "Brand-new-pass-3", old) == []


def test_settings_shape_the_policy():
    settings = load_settings({}, password_min_length=14, password_min_classes=4, password_history=2)
    policy = PasswordPolicy.from_settings(settings)
    assert policy.problems("x", "Anjian-test-1")  # 13 characters: too short now
    assert any("至少 4 类" in p for p in policy.problems("x", "anjian-test-1-long"))


def test_generated_passwords_meet_the_policy():
    for _ in range(200):
        assert POLICY.problems("admin", generate_password()) == []
