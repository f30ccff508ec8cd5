"""FAB's user add and password reset screens, with the platform's password policy as a field validator."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.security.forms import ResetPasswordForm
from flask_appbuilder.security.views import ResetMyPasswordView, ResetPasswordView, UserDBModelView, UserGroupModelView
from flask_babel import lazy_gettext
from wtforms import PasswordField, validators
from wtforms.validators import EqualTo, ValidationError

__all__ = [
    "AnjianResetMyPasswordView",
    "AnjianResetPasswordView",
    "AnjianUserDBModelView",
    "AnjianUserGroupModelView",
    "PolicyValidator",
]


class PolicyValidator:
    """WTForms validator: the password policy, for the user the form is about."""

    def __init__(self, target: str) -> None:
        self.target = target  # "self" (own password), "pk" (?pk= of the reset screen), "form" (username field)

    def username(self, form: Any) -> str:
        sm = current_app.appbuilder.sm  # type: ignore[attr-defined]
        if self.target == "self":
            return str(g.user.username)
        if self.target == "pk":
            user = sm.get_user_by_id(request.args.get("pk"))
            return str(user.username) if user else ""
        return str(form.username.data or "")

    def __call__(self, form: Any, field: Any) -> None:
        problems = current_app.appbuilder.sm.password_problems(self.username(form), field.data or "")  # type: ignore[attr-defined]
        if problems:
            raise ValidationError("；".join(problems))


def _reset_form(target: str) -> type:
    class Form(ResetPasswordForm):  # type: ignore[misc]
        password = PasswordField(
            lazy_gettext("Password"),
            description="至少 10 位，含大写字母、小写字母、数字、符号中的 3 类，不含用户名，不与最近用过的密码相同",
            validators=[validators.DataRequired(), PolicyValidator(target)],
            widget=BS3PasswordFieldWidget(),
        )
        conf_password = PasswordField(
            lazy_gettext("Confirm Password"),
            validators=[EqualTo("password", message="两次输入的密码不一致")],
            widget=BS3PasswordFieldWidget(),
        )

    return Form


class AnjianResetMyPasswordView(ResetMyPasswordView):  # type: ignore[misc]
    """Every signed-in user may change their own password (see the security manager's has_access)."""

    class_permission_name = "ResetMyPasswordView"
    form = _reset_form("self")


class AnjianResetPasswordView(ResetPasswordView):  # type: ignore[misc]
    class_permission_name = "ResetPasswordView"
    form = _reset_form("pk")


class AnjianUserDBModelView(UserDBModelView):  # type: ignore[misc]
    """User administration: the policy on new passwords, history kept, disabling voids tokens."""

    class_permission_name = "UserDBModelView"

    # Shown values in Chinese: FAB prints booleans and empty counts as «True» and «None».
    formatters_columns = {
        "active": lambda value: "是" if value else "否",
        "login_count": lambda value: value or 0,
        "fail_login_count": lambda value: value or 0,
        "last_login": lambda value: value or "—",
        "changed_by": lambda value: value or "—",
        "created_by": lambda value: value or "—",
    }

    add_form_extra_fields = {
        **UserDBModelView.add_form_extra_fields,
        "password": PasswordField(
            lazy_gettext("Password"),
            validators=[validators.DataRequired(), PolicyValidator("form")],
            widget=BS3PasswordFieldWidget(),
        ),
    }

    def post_add(self, item: Any) -> None:
        self.appbuilder.sm.password_set(item, "user_created")

    def post_update(self, item: Any) -> None:
        if not item.active:
            self.appbuilder.sm.revoke_tokens(item.username, "disabled")


class AnjianUserGroupModelView(UserGroupModelView):  # type: ignore[misc]
    """FAB's user groups, with column labels in Chinese (FAB derives English ones from the names)."""

    class_permission_name = "UserGroupModelView"
    label_columns = {"name": "名称", "label": "显示名", "description": "说明", "users": "用户", "roles": "角色"}
