"""Messages about calendar documents (``anjian.meta.calendar``): Chinese by default, English available.

Registered in the one catalogue (``anjian.messages``). Only what a configurator can cause is here;
a wrong call from code (an aware datetime, a count below 1) keeps its English programmer's message.
"""

from __future__ import annotations

from ..messages import register

__all__: list[str] = []

register(
    {
        "calendar.year": ("{year} 年的日历安排：{problems}", "calendar year {year}: {problems}."),
        "calendar.separator": ("；", "; "),
        "calendar.outside": ("{day} 不在 {year} 年内", "{day} lies outside {year}"),
        "calendar.both": ("{day} 既列为放假又列为调休上班", "{day} is listed both as a holiday and as a workday"),
        "calendar.kind": ('不支持日历 {kind}，请写 "calendar": "cn"', 'calendar {kind} is not supported. Set "calendar": "cn".'),
        "calendar.year_type": (
            '日历文档的 "year" 应为整数，例如 2027，而不是 {year}',
            'calendar document: "year" must be an integer such as 2027, not {year}.',
        ),
        "calendar.dates": (
            '{year} 年的日历安排："{key}" 应为日期列表，例如 "{year}-01-01"',
            'calendar year {year}: "{key}" must be a list of dates like "{year}-01-01".',
        ),
        "calendar.date_format": (
            '{year} 年的日历安排："{key}" 中的 {value} 不是日期，请写成 "YYYY-MM-DD"',
            'calendar year {year}: {value} in "{key}" is not a date. Write dates as "YYYY-MM-DD".',
        ),
        "calendar.date_real": (
            '{year} 年的日历安排："{key}" 中的 {value} 不是真实存在的日期',
            'calendar year {year}: {value} in "{key}" is not a real date.',
        ),
        "calendar.misfiled": (
            "{given} 年的日历安排放在了 {year} 年之下",
            "calendar arrangement for {given} was given under the year {year}.",
        ),
        "calendar.duplicate": (
            "有两份日历文档描述 {year} 年，每年只保留一份",
            "two calendar documents describe {year}. Keep one document per year.",
        ),
    }
)
