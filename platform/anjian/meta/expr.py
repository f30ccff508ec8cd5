"""A tiny condition language for configurators, e.g. ``funds > 10000 and level in ("major", "general")``.

Conditions come from metadata that people edit in a designer, so they must never run code. The text
is parsed with ``ast.parse(mode="eval")`` and only a whitelist of nodes is accepted: and/or/not, unary
minus, comparisons (==, !=, <, <=, >, >=, in, not in; chained), field names, constants (str, int, float,
bool, None) and tuples/lists of constants. The accepted tree is turned into nested Python closures;
nothing is ever handed to eval, exec or compile-to-code.

Evaluation never raises: a missing field reads as None, and an order comparison with None or between
incompatible types (``funds > "abc"``) is simply False.
"""

from __future__ import annotations

import ast
import difflib
import operator
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..messages import message
from . import expr_messages as _messages  # noqa: F401  (registers the keys used here)

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "Condition", "ExpressionError", "parse_condition"]

MAX_LENGTH = 500
MAX_DEPTH = 24  # levels of the syntax tree; parentheses alone add none

Evaluator = Callable[[Mapping[str, Any]], Any]


class ExpressionError(ValueError):
    """A condition that cannot be accepted; ``offset`` is the 0-based character position, if known."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True)
class Condition:
    """A parsed condition: call it with a record to get True or False."""

    text: str
    names: frozenset[str]
    _evaluate: Evaluator = field(repr=False, compare=False)

    def __call__(self, record: Mapping[str, Any]) -> bool:
        return _truthy(self._evaluate(record))


class _Invalid:
    """The value of a meaningless operation (``-"text"``): false, and unequal to everything."""

    def __repr__(self) -> str:
        return "<invalid>"


INVALID = _Invalid()

_ORDER: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_OPERATORS = frozenset({ast.Eq, ast.NotEq, *_ORDER, ast.In, ast.NotIn})

# Friendly words (message keys) for constructs people try; everything else gets a generic refusal.
_REFUSALS: dict[type[ast.AST], str] = {
    ast.Call: "expr.node.call",
    ast.Attribute: "expr.node.attribute",
    ast.Subscript: "expr.node.subscript",
    ast.Lambda: "expr.node.lambda",
    ast.ListComp: "expr.node.comprehension",
    ast.SetComp: "expr.node.comprehension",
    ast.DictComp: "expr.node.comprehension",
    ast.GeneratorExp: "expr.node.comprehension",
    ast.JoinedStr: "expr.node.fstring",
    ast.NamedExpr: "expr.node.assignment",
    ast.BinOp: "expr.node.arithmetic",
    ast.IfExp: "expr.node.ifexp",
    ast.Dict: "expr.node.dict",
    ast.Set: "expr.node.set",
    ast.Starred: "expr.node.starred",
    ast.Await: "expr.node.await",
}


def _hint() -> str:
    """How a condition is written, in the current language."""
    return message("expr.hint", example=message("expr.example"))


def _truthy(value: Any) -> bool:
    if value is INVALID:
        return False
    try:
        return bool(value)
    except Exception:  # a record value whose truth is undefined (e.g. an array) counts as false
        return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _compare(op: type[ast.cmpop], left: Any, right: Any) -> bool:
    if left is INVALID or right is INVALID:
        return False
    try:
        if op is ast.Eq:
            return bool(left == right)
        if op is ast.NotEq:
            return bool(left != right)
        if op is ast.In or op is ast.NotIn:
            if not isinstance(right, str | tuple | list | set | frozenset):
                return False
            if isinstance(right, str) and not isinstance(left, str):
                return False
            return (left in right) == (op is ast.In)
        if left is None or right is None:
            return False
        return bool(_ORDER[op](left, right))
    except (TypeError, ValueError, ArithmeticError):
        return False


class _Compiler:
    """Walk the whitelisted tree once, checking it and building the evaluator."""

    def __init__(self, text: str, lead: int, allowed: frozenset[str] | None) -> None:
        self.text = text
        self.lead = lead
        self.allowed = allowed
        self.names: set[str] = set()

    def offset(self, node: ast.AST) -> int | None:
        line = getattr(node, "lineno", None)
        col = getattr(node, "col_offset", None)
        if line is None or col is None:
            return None
        lines = self.text[self.lead :].split("\n")
        before = sum(len(x) + 1 for x in lines[: line - 1])
        # col_offset counts UTF-8 bytes; turn it into characters.
        chars = len(lines[line - 1].encode("utf-8")[:col].decode("utf-8", errors="ignore"))
        return self.lead + before + chars

    def fail(self, node: ast.AST, what: str) -> ExpressionError:
        segment = ast.get_source_segment(self.text[self.lead :], node)
        shown = f" ({segment!r})" if segment and len(segment) <= 60 else ""
        return ExpressionError(message("expr.refused", what=what, shown=shown, hint=_hint()), self.offset(node))

    def build(self, node: ast.AST, depth: int = 0) -> Evaluator:
        if depth > MAX_DEPTH:
            raise self.fail(node, message("expr.too_deep", depth=MAX_DEPTH))
        if isinstance(node, ast.BoolOp):
            parts = [self.build(value, depth + 1) for value in node.values]
            if isinstance(node.op, ast.And):
                return lambda record: all(_truthy(part(record)) for part in parts)
            return lambda record: any(_truthy(part(record)) for part in parts)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, depth)
        if isinstance(node, ast.Compare):
            return self.comparison(node, depth)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Constant):
            value = self.constant(node)
            return lambda record: value
        if isinstance(node, ast.Tuple | ast.List):
            values = tuple(self.literal(element) for element in node.elts)
            return lambda record: values
        key = _REFUSALS.get(type(node))
        raise self.fail(node, message(key) if key else message("expr.node.other", node=type(node).__name__))

    def unary(self, node: ast.UnaryOp, depth: int) -> Evaluator:
        operand = self.build(node.operand, depth + 1)
        if isinstance(node.op, ast.Not):
            return lambda record: not _truthy(operand(record))
        if isinstance(node.op, ast.USub):

            def negate(record: Mapping[str, Any]) -> Any:
                value = operand(record)
                return -value if _is_number(value) else INVALID

            return negate
        raise self.fail(node, message("expr.unary"))

    def comparison(self, node: ast.Compare, depth: int) -> Evaluator:
        for op in node.ops:
            if type(op) not in _OPERATORS:
                word = "'is'" if isinstance(op, ast.Is | ast.IsNot) else type(op).__name__
                raise self.fail(node, message("expr.operator", word=word))
        operands = [self.build(node.left, depth + 1), *(self.build(c, depth + 1) for c in node.comparators)]
        ops = [type(op) for op in node.ops]

        def compare(record: Mapping[str, Any]) -> bool:
            left = operands[0](record)
            for op, evaluate in zip(ops, operands[1:], strict=True):
                right = evaluate(record)
                if not _compare(op, left, right):
                    return False
                left = right
            return True

        return compare

    def name(self, node: ast.Name) -> Evaluator:
        name = node.id
        if name.startswith("_"):
            raise self.fail(node, message("expr.underscore", name=repr(name)))
        if self.allowed is not None and name not in self.allowed:
            raise ExpressionError(self.unknown(name), self.offset(node))
        self.names.add(name)
        return lambda record: record.get(name)

    def unknown(self, name: str) -> str:
        spelled = {"true": "True", "false": "False", "null": "None", "none": "None"}.get(name.lower())
        if spelled:
            return message("expr.unknown.constant", name=repr(name), spelled=spelled)
        known = sorted(self.allowed or ())
        close = difflib.get_close_matches(name, known, n=1)
        suggestion = message("expr.unknown.suggestion", name=repr(close[0])) if close else ""
        listed = ", ".join(known) or message("expr.unknown.none")
        return message("expr.unknown", name=repr(name), suggestion=suggestion, known=listed)

    def constant(self, node: ast.Constant) -> Any:
        value = node.value
        if value is None or isinstance(value, str | bool | int | float):
            return value
        raise self.fail(node, message("expr.constant"))

    def literal(self, node: ast.AST) -> Any:
        """An element of a tuple/list: a constant or a negative number."""
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            value = self.constant(node.operand)
            if _is_number(value):
                return -value
        raise self.fail(node, message("expr.literal"))


def _parse(source: str) -> ast.Expression:
    # Warnings (e.g. an invalid escape "\d") become errors so that a text means the same under any
    # warning filter. Conditions are parsed at metadata load, so the global filter swap is brief.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return ast.parse(source, mode="eval")


def parse_condition(text: str, allowed_names: Iterable[str] | None = None) -> Condition:
    """Parse *text* into a Condition; raise ExpressionError saying what is wrong and how to fix it.

    With *allowed_names*, every field the condition reads must be one of them.
    """
    if not isinstance(text, str):
        raise ExpressionError(message("expr.not_text", kind=type(text).__name__, example=message("expr.example")))
    if len(text) > MAX_LENGTH:
        raise ExpressionError(message("expr.too_long", length=len(text), limit=MAX_LENGTH), MAX_LENGTH)
    source = text.strip()
    if not source:
        raise ExpressionError(message("expr.empty", example=message("expr.example")))
    lead = len(text) - len(text.lstrip())
    try:
        tree = _parse(source)
    except SyntaxError as exc:
        offset = None
        if exc.lineno is not None and exc.offset is not None:
            lines = source.split("\n")
            offset = lead + sum(len(x) + 1 for x in lines[: exc.lineno - 1]) + max(exc.offset - 1, 0)
        detail = message("expr.syntax.invalid") if exc.msg == "invalid syntax" else exc.msg  # Python's own words otherwise
        raise ExpressionError(message("expr.syntax", detail=detail, hint=_hint()), offset) from None
    except (ValueError, Warning, MemoryError, RecursionError) as exc:
        raise ExpressionError(message("expr.syntax", detail=str(exc), hint=_hint())) from None
    allowed = None if allowed_names is None else frozenset(allowed_names)
    compiler = _Compiler(text, lead, allowed)
    evaluate = compiler.build(tree.body)
    return Condition(text=text, names=frozenset(compiler.names), _evaluate=evaluate)
