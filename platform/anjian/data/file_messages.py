"""Messages of attachment storage (registered in the one catalogue, ``anjian.messages``)."""

from __future__ import annotations

from ..messages import register

__all__: list[str] = []

register(
    {
        "files.type_refused": (
            "文件内容不是允许的类型（按文件内容识别，而非文件名或声明的类型）；允许：{accept}",
            "The file's content is not an accepted type (decided by the content, not the name or the declared type); "
            "accepted: {accept}",
        ),
        "files.not_found": ("附件 {file_id} 不存在", "Attachment {file_id} does not exist"),
        "files.not_writable": (
            "无权向「{field}」上传附件：需要{entity}的新增或修改权限",
            "You may not upload into '{field}': it needs the create or update permission on {entity}",
        ),
        "files.absent": ("附件 {file_id} 不存在，请重新上传", "Attachment {file_id} does not exist; upload it again"),
        "files.other_field": (
            "附件 {file_id} 不是为「{field}」上传的，请在此处重新上传",
            "Attachment {file_id} was not uploaded for '{field}'; upload it here again",
        ),
        "files.field_readonly": (
            "「{field}」不可修改，不能上传附件",
            "'{field}' cannot be changed, so nothing can be uploaded to it",
        ),
    }
)
