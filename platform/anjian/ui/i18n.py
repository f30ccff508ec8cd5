"""Interface strings of the generated screens, registered in the one message catalogue
(``anjian.messages``) under ``ui.``; Chinese by default with English available.

Labels of entities and fields come from the metadata titles; these are the words around them.
``t`` is the screens' short helper: the key without its prefix, in the language of the request.
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import get_locale

from ..messages import message, register

__all__ = ["PREFIX", "t"]

PREFIX = "ui."

_STRINGS: dict[str, tuple[str, str]] = {
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
    "action_notify": ("通报", "notified"),
    "action_recompute": ("按期重算", "recomputed"),
    "action_deadline": ("期限提醒", "deadline notice"),
    "action_extension_request": ("申请延期", "extension requested"),
    "action_extension_decision": ("延期审批", "extension decided"),
    "action_urge": ("催办", "urged"),
    "action_migrate": ("流程升级", "process upgraded"),
    "action_amend": ("更正", "amended"),
    "action_exchange": ("数据交换接收", "received by exchange"),
    "action_import": ("导入", "imported"),
    "action_other": ("其他操作", "other"),
    "nothing_selected": ("请先勾选记录", "Select records first"),
    "not_found": ("记录不存在或无权查看", "Record not found"),
    "region_level": ("省/市/县/乡镇", "province / city / county / township"),
    "home_title": ("业务办公平台", "Business office"),
    "modules": ("业务系统", "Business systems"),
    "records": ("条记录", "records"),
    "related": ("关联记录", "Linked records"),
    "related_all": ("查看全部 {n} 条", "All {n}"),
    "go_back": ("返回上一页", "Go back"),
    "other_data": ("其他数据", "Other data"),
    "other_section": ("其他", "Other"),
    "menu_inbox": ("我的待办", "My to-dos"),
    "menu_notices": ("消息", "Notices"),
    "menu_audit": ("审计日志", "Audit log"),
    "menu_admin": ("系统管理", "Administration"),
    "menu_users": ("用户", "Users"),
    "menu_organisations": ("组织机构", "Organisations"),
    "menu_grants": ("授权", "Grants"),
    "status_403": ("无权访问", "Not allowed"),
    "status_404": ("找不到页面", "Not found"),
    "status_405": ("不支持的操作", "Not supported"),
    "status_409": ("无法办理", "Conflict"),
    "status_422": ("内容有误", "Invalid input"),
    "status_other": ("系统出错", "Something went wrong"),
    "http_403": ("您没有访问此页面的权限。", "You may not open this page."),
    "http_404": ("您要找的页面不存在，可能已被删除或地址有误。", "This page does not exist; it may have been removed."),
    "http_405": ("此页面不支持这样打开。", "This page cannot be opened this way."),
    "http_other": ("处理请求时出错，请稍后再试。", "The request failed; please try again later."),
    "take_photo": ("拍照", "Take a photo"),
}
register({PREFIX + key: pair for key, pair in _STRINGS.items()})


def t(key: str, **values: object) -> str:
    """The screen string ``key`` in the request's language (the catalogue's default outside a request)."""
    language = str(get_locale() or "zh") if has_request_context() else None
    return message(PREFIX + key, language, **values)
