"""Field error messages for people (zh_CN), from jsonschema's machine-readable verdicts."""

from __future__ import annotations

from typing import Any

from jsonschema.exceptions import ValidationError

from ..meta.spec import FieldSpec

__all__ = ["describe"]

_TYPES = {
    "string": "文本",
    "integer": "整数",
    "number": "数字",
    "boolean": "是/否",
    "object": "对象",
    "array": "列表",
    "null": "空值",
}
_FORMATS = {
    "date": "日期 (YYYY-MM-DD)",
    "date-time": "日期时间 (如 2024-05-01T08:30:00+08:00)",
    "email": "电子邮箱",
    "uri": "网址 (URI)",
    "time": "时间",
}


def _type_names(value: Any) -> str:
    kinds = [value] if isinstance(value, str) else list(value)
    return "或".join(_TYPES.get(k, k) for k in kinds)


def describe(error: ValidationError, field: FieldSpec | None = None) -> str:
    """A short Chinese message for one validation error (titles and labels from ``field``)."""
    v, arg = error.validator, error.validator_value
    if v == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        return f"必填项「{field.title if field else missing}」不能为空"
    if v == "type":
        return f"应为{_type_names(arg)}"
    if v == "maxLength":
        return f"长度不能超过 {arg} 个字符"
    if v == "minLength":
        return "不能为空" if arg == 1 else f"长度不能少于 {arg} 个字符"
    if v == "enum":
        choices = list(arg) if isinstance(arg, list | tuple) else [arg]
        labels = [field.label_of(a) for a in choices] if field else [str(a) for a in choices]
        return f"取值无效，可选值：{'、'.join(labels)}"
    if v == "const":
        return f"取值必须为 {arg}"
    if v == "format":
        return f"格式无效，应为{_FORMATS.get(str(arg), str(arg))}"
    if v == "pattern":
        return "格式不符合要求"
    if v == "minimum":
        return f"不能小于 {arg}"
    if v == "maximum":
        return f"不能大于 {arg}"
    if v == "exclusiveMinimum":
        return f"必须大于 {arg}"
    if v == "exclusiveMaximum":
        return f"必须小于 {arg}"
    if v == "additionalProperties":
        extra = error.message.split("'")[1] if "'" in error.message else ""
        return f"未声明的字段「{extra}」"
    if v == "minItems":
        return f"至少需要 {arg} 项"
    if v == "maxItems":
        return f"最多 {arg} 项"
    return error.message
