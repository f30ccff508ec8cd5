"""The REST API's own sentences, registered in the catalogue ``anjian.messages``."""

from __future__ import annotations

from ..messages import register

__all__: list[str] = []

register(
    {
        "api.credentials_required": (
            "需要访问令牌：Authorization: Bearer <token>（POST /api/v1/auth/token 获取），"
            "或 API 密钥：Authorization: ApiKey <key>",
            "An access token is required: Authorization: Bearer <token> (from POST /api/v1/auth/token), "
            "or an API key: Authorization: ApiKey <key>",
        ),
        "api.too_large": (
            "请求体超过此接口的上限 {limit} 字节",
            "The request body exceeds this endpoint's limit of {limit} bytes",
        ),
        "api.too_deep": (
            "JSON 嵌套超过此接口的上限 {depth} 层",
            "The JSON nests deeper than this endpoint's limit of {depth} levels",
        ),
        "api.body_not_json": (
            "请求体应为 JSON（Content-Type: application/json）",
            "The request body must be JSON (Content-Type: application/json)",
        ),
        "api.body_not_object": ("请求体应为 JSON 对象", "The request body must be a JSON object"),
        "api.record_missing": ("{title} {id} 不存在", "{title} {id} does not exist"),
        "api.unknown_fields": ("没有这些字段：{names}；可用：{known}", "No such fields: {names}; known: {known}"),
        "api.integer_range": ("应为 {low} 到 {high} 之间的整数", "Must be an integer from {low} to {high}"),
        "api.not_a_value": ("「{text}」不是有效的{kind}", "'{text}' is not a valid {kind}"),
        "api.ids_integers": ("ids 应为整数列表", "ids must be a list of integers"),
    }
)
