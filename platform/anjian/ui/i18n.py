"""Interface strings of the generated screens, Chinese by default with English available.

Labels of entities and fields come from the metadata titles; these are the words around them.
"""

from __future__ import annotations

from flask_babel import get_locale

__all__ = ["t"]

STRINGS: dict[str, tuple[str, str]] = {
    "new": ("新建", "New"),
    "edit": ("编辑", "Edit"),
    "delete": ("删除", "Delete"),
    "save": ("保存", "Save"),
    "cancel": ("取消", "Cancel"),
    "back": ("返回列表", "Back to list"),
    "search": ("搜索", "Search"),
    "filter": ("筛选", "Filter"),
    "reset": ("重置", "Reset"),
    "all": ("全部", "All"),
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    "actions": ("操作", "Actions"),
    "view": ("查看", "View"),
    "export": ("导出", "Export"),
    "export_all": ("导出全部", "Export all"),
    "export_selected": ("导出所选", "Export selected"),
    "delete_selected": ("删除所选", "Delete selected"),
    "confirm_delete": ("确定删除这条记录吗？此操作不可撤销。", "Delete this record? This cannot be undone."),
    "confirm_bulk_delete": ("确定删除所选记录吗？", "Delete the selected records?"),
    "total": ("共 {n} 条", "{n} records"),
    "page": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "prev": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "empty": ("没有符合条件的记录", "No matching records"),
    "add_row": ("添加一行", "Add row"),
    "remove_row": ("删除此行", "Remove row"),
    "choose": ("请选择", "Choose"),
    "choose_record": ("输入名称搜索", "Type to search"),
    "upload": ("上传文件", "Upload file"),
    "remove_file": ("移除", "Remove"),
    "fix_errors": ("请修改标出的内容后再保存。", "Please correct the marked fields."),
    "override": ("仍要保存，原因：", "Save anyway, reason:"),
    "saved": ("已保存", "Saved"),
    "deleted": ("已删除 {n} 条记录", "Deleted {n} record(s)"),
    "created_at": ("创建时间", "Created"),
    "updated_at": ("更新时间", "Updated"),
    "created_by": ("创建人", "Created by"),
    "history": ("操作记录", "History"),
    "when": ("时间", "When"),
    "who": ("操作人", "Who"),
    "what": ("内容", "What"),
    "action_create": ("新建", "created"),
    "action_update": ("修改", "updated"),
    "action_delete": ("删除", "deleted"),
    "nothing_selected": ("请先勾选记录", "Select records first"),
    "not_found": ("记录不存在或无权查看", "Record not found"),
    "region_level": ("省/市/县/乡镇", "province / city / county / township"),
    "home_title": ("业务办公平台", "Business office"),
    "modules": ("业务系统", "Business systems"),
    "records": ("条记录", "records"),
    "related": ("关联记录", "Linked records"),
    "related_all": ("查看全部 {n} 条", "All {n}"),
}


def t(key: str, **values: object) -> str:
    """The string ``key`` in the current language."""
    zh, en = STRINGS[key]
    text = en if str(get_locale() or "zh").startswith("en") else zh
    return text.format(**values) if values else text
