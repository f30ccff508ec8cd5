"""Messages of the metadata routes (``anjian.api.meta``), registered in the one catalogue."""

from __future__ import annotations

from ..messages import register

__all__: list[str] = []

register(
    {
        "api.meta.documents.none": ("没有给出任何声明", "no documents given"),
        "api.meta.documents.none.hint": (
            '请发送 {"documents": [<实体、模块或字典的 JSON>, ...]}。',
            'Send {"documents": [<entity, module or dictionary JSON>, ...]}.',
        ),
    }
)
