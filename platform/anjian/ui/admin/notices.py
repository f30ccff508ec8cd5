"""What the administration screens report after an action (flash notices), in the one catalogue
under ``ui.admin.``: Chinese by default, English for a request that asks for it (``t``)."""

from __future__ import annotations

from ...messages import register
from ..i18n import PREFIX

__all__: list[str] = []

register(
    {
        PREFIX + "admin.user_created": ("已创建用户 {username}", "User {username} created"),
        PREFIX + "admin.user_saved": ("已保存用户 {username}", "User {username} saved"),
        PREFIX + "admin.self_deactivation": ("不能停用自己的账号", "You cannot deactivate your own account"),
        PREFIX + "admin.user_activated": ("已启用用户 {username}", "User {username} activated"),
        PREFIX + "admin.user_deactivated": ("已停用用户 {username}", "User {username} deactivated"),
        PREFIX + "admin.grant_added": (
            "已授予 {username} 角色 {role}（授权 {grant_id}）",
            "Granted {username} the role {role} (grant {grant_id})",
        ),
        PREFIX + "admin.grant_revoked": ("已撤销授权 {grant_id}", "Grant {grant_id} revoked"),
        PREFIX + "admin.organisation_saved": ("已保存组织机构「{name}」", "Organisation '{name}' saved"),
    }
)
