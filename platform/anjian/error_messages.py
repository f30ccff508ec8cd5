"""The sentences of the error contract, registered in the catalogue ``anjian.messages``.

``error.<code>`` is the headline of an error with that ``code`` (API ``message``, CLI first line);
``error.http.<status>`` the headline of a bare HTTP error (an unknown route, a wrong method).
Imported by ``anjian.errors``, so every surface that can raise an error has these keys.
"""

from __future__ import annotations

from .messages import message, register

__all__ = ["headline"]

register(
    {
        "error.error": ("操作失败", "The operation failed"),
        "error.internal": ("服务器内部错误，已记录日志", "Internal server error; it has been logged"),
        "error.config.invalid": ("配置有误", "The configuration is invalid"),
        "error.plugin.invalid": ("插件无法加载", "A plugin cannot be loaded"),
        "error.metadata.invalid": ("元数据有 {count} 处问题", "The metadata has {count} problem(s)"),
        "error.schema.destructive": ("发布会丢失数据，已拒绝", "The publish would lose data and was refused"),
        "error.record.invalid": ("数据校验未通过", "Validation failed"),
        "error.record.conflict": ("数据冲突", "The record conflicts with stored data"),
        "error.workflow.refused": ("流程不允许此操作", "The process does not allow this now"),
        "error.not_found": ("未找到", "Not found"),
        "error.auth.failed": ("身份验证失败", "Authentication failed"),
        "error.auth.locked": ("账号已临时锁定", "The account is locked for a while"),
        "error.forbidden": ("没有权限", "Permission denied"),
        "error.request.invalid": ("请求无效", "The request is invalid"),
        "error.request.too_large": ("请求体过大", "The request body is too large"),
        "error.request.too_deep": ("JSON 嵌套层数过多", "The JSON is nested too deeply"),
        "error.http.400": ("请求无效", "Bad request"),
        "error.http.401": ("需要登录", "Authentication required"),
        "error.http.403": ("没有权限", "Permission denied"),
        "error.http.404": ("没有这个接口", "No such endpoint"),
        "error.http.405": ("不支持此请求方法", "Method not allowed"),
        "error.http.406": ("无法提供所要求的格式", "Not acceptable"),
        "error.http.409": ("冲突", "Conflict"),
        "error.http.413": ("请求体过大", "The request body is too large"),
        "error.http.414": ("请求地址过长", "The URI is too long"),
        "error.http.415": ("不支持的内容类型", "Unsupported media type"),
        "error.http.422": ("请求无法处理", "Unprocessable request"),
        "error.http.429": ("请求过于频繁", "Too many requests"),
        "error.http.431": ("请求头过大", "Request header fields too large"),
        "error.http.500": ("服务器内部错误，已记录日志", "Internal server error; it has been logged"),
        "error.cli.prefix": ("错误", "error"),
        "error.cli.config": ("配置错误", "configuration error"),
        "error.cli.internal": (
            "内部错误：{name}: {detail}。加 --debug 重新运行可查看详情。",
            "internal error: {name}: {detail}. Run again with --debug for details.",
        ),
        "error.cli.aborted": ("已中止。", "aborted."),
    }
)


def headline(code: str, /, **values: object) -> str:
    """The catalogue headline of an error ``code`` (``http.<status>`` for bare HTTP errors)."""
    text = message(f"error.{code}", **values)
    return message("error.error") if text == f"error.{code}" else text
