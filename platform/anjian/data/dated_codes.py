"""Dated code-table entries: a retired region code keeps its label on old records, but a record may
not take it up anew.

Why: GB/T 2260 codes are retired, never reused, when divisions change (FACTS §4.1); the code table
keeps them with ``valid_from``/``valid_to`` so history reads right and new data stays current.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import FieldError
from ..messages import message
from ..meta.spec import DictionarySpec
from . import code_messages  # noqa: F401  (registers the keys)

__all__ = ["local_today", "retired_code_errors"]


def local_today(codec: Any) -> str:
    """Today's date in the agency's zone, as ISO text."""
    now: dt.datetime = codec.now()
    return now.replace(tzinfo=dt.UTC).astimezone(codec.zone).date().isoformat()


def retired_code_errors(
    dictionary: DictionarySpec, value: Any, where: str, codec: Any, today: str | None = None
) -> list[FieldError]:
    """An error when ``value`` is a code not in force today (only called for a newly given value).

    ``today`` (ISO) is given by a bulk import, which checks all its rows against one day."""
    if not isinstance(value, str) or not dictionary.is_dated(value):
        return []
    today = today or local_today(codec)
    item = dictionary.out_of_force(value, today)
    if item is None:
        return []
    if item.valid_to and today > item.valid_to:
        note = item.note or message("code.retired.hint")
        text = message("code.retired", code=value, label=item.label, date=item.valid_to, note=note)
    else:
        text = message("code.not_yet", code=value, label=item.label, date=item.valid_from)
    return [FieldError(where, text, "dictionary.retired")]
