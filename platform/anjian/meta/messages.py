"""Metadata problem messages (what is wrong, what to do): Chinese by default, English available.

Registered in the one catalogue (``anjian.messages``); ``say`` renders a key in the current
language (``ANJIAN_LANGUAGE`` for the CLI, the request's language on the web).
"""

from __future__ import annotations

from ..messages import message, register

__all__ = ["say"]

say = message

register(
    {
        # field types and storage
        "meta.type.missing": ("字段没有声明类型 (type)", "the field declares no type"),
        "meta.type.missing.hint": (
            '请声明 "type"：string、integer、number、boolean、object 或 array；未声明类型的字段可以收到对象或列表而无法存储。',
            'Declare "type": string, integer, number, boolean, object or array; an untyped field accepts objects '
            "and lists it cannot store.",
        ),
        "meta.type.several": ("字段声明了多个非空类型 {types}", "the field declares several non-null types {types}"),
        "meta.type.several.hint": (
            '一列只能存一种类型：只保留一种（可加 "null"），或拆成多个字段。',
            'A column stores one type: keep one (optionally with "null"), or split the field.',
        ),
        "meta.bound.range": (
            "{keyword} {value} 超出该列能存储的整数范围 [{low}, {high}]",
            "{keyword} {value} is beyond the integers the column can hold [{low}, {high}]",
        ),
        "meta.bound.range.hint": (
            "请给出该范围内的界限；更大的数请用 number 或 string 字段。",
            "Give a bound inside that range; use a number or string field for larger values.",
        ),
        # pattern
        "meta.pattern.syntax": (
            "正则表达式 {pattern} 不是有效的 ECMA-262 正则（带 u 标志）",
            "the pattern {pattern} is not a valid ECMA-262 regular expression (with the u flag)",
        ),
        "meta.pattern.syntax.hint": (
            "JSON Schema 的 pattern 采用 JavaScript 语法：检查括号是否成对、量词 {m,n} 是否 m ≤ n；不支持 (?i) 等内联标志。",
            "JSON Schema patterns use JavaScript syntax: check brackets are balanced and quantifiers {m,n} "
            "have m ≤ n; inline flags such as (?i) are not supported.",
        ),
        "meta.pattern.backtracking": (
            "正则表达式 {pattern} 使用了需要回溯的特性",
            "the pattern {pattern} uses features that need backtracking",
        ),
        "meta.pattern.backtracking.hint": (
            "为保证校验时间与输入长度成线性关系，不支持反向引用 (\\1、\\k<name>) 和先行/后行断言 ((?=…)、(?<=…))；"
            "请改写为不含这些特性的表达式，或改用命名校验函数。",
            "To keep validation time linear in the input, back-references (\\1, \\k<name>) and look-around "
            "((?=…), (?<=…)) are not supported; rewrite the pattern without them, or use a named validator.",
        ),
        # defaults
        "meta.default.invalid": (
            "默认值不符合字段自身的规则：{problem}",
            "the default breaks the field's own rules: {problem}",
        ),
        "meta.default.invalid.hint": ("请给出字段接受的默认值。", "Give a default the field accepts."),
    }
)
