"""Messages of the condition language (``anjian.meta.expr``): Chinese by default, English available.

Registered in the one catalogue (``anjian.messages``), so a configurator reads why a condition was
refused in the language of the request or of ``ANJIAN_LANGUAGE``.
"""

from __future__ import annotations

from ..messages import register

__all__: list[str] = []

register(
    {
        "expr.example": ('例如 level == "major" and funds > 10000', 'e.g. level == "major" and funds > 10000'),
        "expr.hint": ("条件只能把字段与常量比较，{example}", "A condition compares fields with constants, {example}."),
        "expr.refused": ("{what}{shown}。{hint}", "{what}{shown}. {hint}"),
        "expr.node.call": ("不允许调用函数", "function calls are not allowed"),
        "expr.node.attribute": ("不允许访问属性 (a.b)", "attribute access (a.b) is not allowed"),
        "expr.node.subscript": ("不允许下标取值 (a[0])", "indexing (a[0]) is not allowed"),
        "expr.node.lambda": ("不允许 lambda", "lambda is not allowed"),
        "expr.node.comprehension": ("不允许推导式", "comprehensions are not allowed"),
        "expr.node.fstring": ("不允许 f 字符串，请写普通字符串", "f-strings are not allowed; write a plain string"),
        "expr.node.assignment": ("不允许赋值 (:=)", "assignment (:=) is not allowed"),
        "expr.node.arithmetic": ("不允许算术运算 (+ - * / % …)", "arithmetic (+ - * / % ...) is not allowed"),
        "expr.node.ifexp": (
            "不允许 'x if c else y'，请用 and/or 组合比较",
            "'x if c else y' is not allowed; combine comparisons with and/or",
        ),
        "expr.node.dict": ("不允许字典", "dictionaries are not allowed"),
        # rendered without values, so the braces stay as they are
        "expr.node.set": ("不允许集合 {...}，'in' 后请写元组 (...)", "sets {...} are not allowed; write a tuple (...) for 'in'"),
        "expr.node.starred": ("不允许 *", "* is not allowed"),
        "expr.node.await": ("不允许 await", "await is not allowed"),
        "expr.node.other": ("不允许 {node}", "{node} is not allowed"),
        "expr.too_deep": (
            "条件嵌套超过 {depth} 层，请拆成更简单的条件",
            "the condition is nested more than {depth} levels deep; split it into simpler conditions",
        ),
        "expr.unary": ("值前面只能写 'not' 或 '-'", "only 'not' and '-' may stand before a value"),
        "expr.operator": (
            "不支持 {word}，请用 ==、!=、<、<=、>、>=、in 或 not in",
            "{word} is not supported; use ==, !=, <, <=, >, >=, in or not in",
        ),
        "expr.underscore": ("名称 {name} 以 '_' 开头，不允许", "the name {name} starts with '_', which is not allowed"),
        "expr.unknown.constant": (
            "未知的字段 {name}。是想写 {spelled} 吗？常量写作 True、False 和 None。",
            "unknown field {name}. Did you mean {spelled}? Constants are written True, False and None.",
        ),
        "expr.unknown": (
            "未知的字段 {name}。{suggestion}已有的字段：{known}。",
            "unknown field {name}. {suggestion}Known fields: {known}.",
        ),
        "expr.unknown.suggestion": ("是想写 {name} 吗？", "Did you mean {name}? "),
        "expr.unknown.none": ("（无）", "(none)"),
        "expr.constant": (
            "值只能写字符串、数字、True、False 或 None",
            "only strings, numbers, True, False and None may be written as values",
        ),
        "expr.literal": (
            '元组或列表中只能写常量，例如 ("major", "general")',
            'a tuple or list may hold only constants, e.g. ("major", "general")',
        ),
        "expr.not_text": (
            "条件必须是文本，不能是 {kind}。请写成如下形式：{example}。",
            "a condition must be text, not {kind}. Write it {example}.",
        ),
        "expr.too_long": (
            "条件长 {length} 个字符，最多允许 {limit} 个。请拆分，或把逻辑移到注册的条件函数中。",
            "the condition is {length} characters long; at most {limit} are allowed. "
            "Split it, or move the logic into a registered guard function.",
        ),
        "expr.empty": ("条件为空。请写一个条件，{example}。", "the condition is empty. Write one, {example}."),
        "expr.syntax.invalid": ("语法错误", "invalid syntax"),
        "expr.syntax": ("不是有效的条件（{detail}）。{hint}", "not a valid condition: {detail}. {hint}"),
    }
)
