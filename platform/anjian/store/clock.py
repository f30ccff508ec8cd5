"""The one clock every part reads, so that tests turn time instead of sleeping.

``utc_now()`` answers naive UTC, the form every timestamp is stored in. A process runs on the
system clock; a test installs another with ``use_clock`` (the ``clock`` fixture of
``anjian.testing`` does) and every deadline, expiry, lockout and audit stamp follows it.
Libraries that check time on their own keep the wall clock: pyjwt's ``exp``, TOTP codes and
Flask's session age. Imports nothing from anjian.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["Clock", "set_clock", "system_clock", "use_clock", "utc_now"]

Clock = Callable[[], dt.datetime]
"""A function answering now as naive UTC."""


def system_clock() -> dt.datetime:
    """The machine's time in UTC, without tzinfo."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


_current: Clock = system_clock


def utc_now() -> dt.datetime:
    """Now in UTC, without tzinfo, from the installed clock: how every timestamp is stored."""
    return _current()


def set_clock(clock: Clock | None) -> Clock:
    """Install ``clock`` for the whole process (None: the system clock); return the one it replaces."""
    global _current
    previous = _current
    _current = clock or system_clock
    return previous


@contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    """Run the block on ``clock``, then put the previous clock back."""
    previous = set_clock(clock)
    try:
        yield clock
    finally:
        set_clock(previous)
