"""Field error messages for people, from the record validator's violations (Chinese by default)."""

from __future__ import annotations

from typing import Any

from ..messages import message, register
from ..meta.spec import FieldSpec
from ..meta.validation import Violation

__all__ = ["describe"]

register(
    {
        "record.required": ("必填项「{title}」不能为空", "{title} is required"),
        "record.type": ("应为{types}", "must be {types}"),
        "record.maxLength": ("长度不能超过 {limit} 个字符", "must be at most {limit} characters long"),
        "record.minLength": ("长度不能少于 {limit} 个字符", "must be at least {limit} characters long"),
        "record.minLength.1": ("不能为空", "must not be empty"),
        "record.enum": ("取值无效，可选值：{options}", "is not allowed; choose one of: {options}"),
        "record.const": ("取值必须为 {value}", "must be {value}"),
        "record.format": ("格式无效，应为{format}", "is not a valid {format}"),
        "record.pattern": ("格式不符合要求", "does not have the required form"),
        "record.minimum": ("不能小于 {limit}", "must not be less than {limit}"),
        "record.maximum": ("不能大于 {limit}", "must not be greater than {limit}"),
        "record.exclusiveMinimum": ("必须大于 {limit}", "must be greater than {limit}"),
        "record.exclusiveMaximum": ("必须小于 {limit}", "must be less than {limit}"),
        "record.multipleOf": ("应为 {limit} 的整数倍", "must be a multiple of {limit}"),
        "record.additionalProperties": ("未声明的字段「{name}」", "{name} is not a declared field"),
        "record.minItems": ("至少需要 {limit} 项", "needs at least {limit} items"),
        "record.maxItems": ("最多 {limit} 项", "allows at most {limit} items"),
        "record.uniqueItems": ("列表中有重复的项", "has duplicate items"),
        "record.encoding": ("包含无效的 Unicode 字符（孤立的代理项）", "holds invalid Unicode (a lone surrogate)"),
        "record.invalid": ("取值无效（{keyword}）", "is not valid ({keyword})"),
        "record.list_separator": ("、", ", "),
        "record.or": ("或", " or "),
        "type.string": ("文本", "text"),
        "type.integer": ("整数", "an integer"),
        "type.number": ("数字", "a number"),
        "type.boolean": ("是/否", "true or false"),
        "type.object": ("对象", "an object"),
        "type.array": ("列表", "a list"),
        "type.null": ("空值", "null"),
        "format.date": ("日期 (YYYY-MM-DD)", "date (YYYY-MM-DD)"),
        "format.date-time": (
            "日期时间 (如 2024-05-01T08:30:00+08:00)",
            "date and time (e.g. 2024-05-01T08:30:00+08:00)",
        ),
        "format.email": ("电子邮箱", "e-mail address"),
        "format.uri": ("网址 (URI)", "URI"),
        "format.time": ("时间 (如 08:30:00+08:00)", "time with offset (e.g. 08:30:00+08:00)"),
    }
)


def _number(value: Any) -> str:
    """Limits as people write them (storage limits are big; keep them exact)."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() and abs(value) < 1e16 else str(value)


def describe(violation: Violation, field: FieldSpec | None = None) -> str:
    """A short message for one violation (titles and enum labels from ``field``)."""
    keyword, value = violation.keyword, violation.value
    if keyword == "required":
        return message("record.required", title=field.title if field else violation.path[-1])
    if keyword == "type":
        kinds = value if isinstance(value, list) else [value]
        return message("record.type", types=message("record.or").join(message(f"type.{k}") for k in kinds))
    if keyword == "enum":
        labels = [field.label_of(a) if field else str(a) for a in value]
        return message("record.enum", options=message("record.list_separator").join(labels))
    if keyword == "const":
        return message("record.const", value=value)
    if keyword == "format":
        return message("record.format", format=message(f"format.{value}"))
    if keyword == "minLength" and value == 1:
        return message("record.minLength.1")
    if keyword == "additionalProperties":
        return message("record.additionalProperties", name=value)
    key = f"record.{keyword}"
    if message(key) == key:
        return message("record.invalid", keyword=keyword)
    return message(key, limit=_number(value))
