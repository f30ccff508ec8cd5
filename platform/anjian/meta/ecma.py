"""`pattern` as JSON Schema defines it: ECMA-262 regular expressions, matched in linear time.

A declaration's pattern must be valid ECMA-262 with the ``u`` flag (checked with ``regress``, the
grammar the browser's ``new RegExp(p, "u")`` applies), and must compile in the linear-time engine
records are validated with (Rust's ``regex`` inside jsonschema-rs). Features that need
backtracking (back-references, look-around) are refused at check, so no value can make
validation slow. ``to_linear`` rewrites the few constructs whose meaning differs between the two.
"""

from __future__ import annotations

import jsonschema_rs
import regress

__all__ = ["LINEAR", "pattern_problem", "to_linear"]

LINEAR = jsonschema_rs.RegexOptions()

# ECMA-262: "." matches anything but line terminators; \b and \B use ASCII word characters.
_DOT = "[^\\n\\r\\u2028\\u2029]"
_BOUNDARY = {"b": "(?-u:\\b)", "B": "(?-u:\\B)"}


def to_linear(pattern: str) -> str:
    """The pattern as the linear engine must be given it to match as ECMA-262 does."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escaped = pattern[i + 1 : i + 2]
            out.append(_BOUNDARY[escaped] if escaped in _BOUNDARY and not in_class else pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == ".":
            char = _DOT
        out.append(char)
        i += 1
    return "".join(out)


def pattern_problem(pattern: str) -> str | None:
    """None when the pattern can be used; else the message key saying why not."""
    try:
        regress.Regex(pattern, "u")
    except Exception:  # regress raises its own error type for every syntax fault
        return "meta.pattern.syntax"
    try:
        jsonschema_rs.Draft202012Validator({"pattern": to_linear(pattern)}, pattern_options=LINEAR)
    except Exception:  # the linear engine refuses back-references, look-around and huge automata
        return "meta.pattern.backtracking"
    return None
