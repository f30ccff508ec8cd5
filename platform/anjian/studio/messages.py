"""The studio's sentences (what is wrong, what to do): Chinese by default, English available."""

from __future__ import annotations

from ..messages import message, register

__all__ = ["say"]

say = message

register(
    {
        "studio.file.unknown": ("不是 anjian 声明", "not an anjian declaration"),
        "studio.file.unknown.hint": (
            '实体请写 "x-anjian": {"entity": ...}，模块清单写 "module"，字典写 "dictionary"，流程写 "process"。',
            'Give an entity an "x-anjian": {"entity": ...} object, a manifest a "module" key, a dictionary a '
            '"dictionary" key, a process a "process" key.',
        ),
        "studio.module.name": ("模块名 {name!r} 无效", "the module name {name!r} is invalid"),
        "studio.module.name.hint": (
            "模块名以小写字母开头，只含小写字母、数字和下划线，最长 40 个字符，例如 fireworks_flow。",
            "Start with a lower-case letter and use only lower-case letters, digits and underscores, up to 40 "
            "characters, e.g. fireworks_flow.",
        ),
        "studio.module.mismatch": (
            "模块清单声明的模块是 {found!r}，而草稿属于 {module!r}",
            "the manifest declares module {found!r} but the draft belongs to {module!r}",
        ),
        "studio.module.mismatch.hint": (
            '把 module.json 的 "module" 改为 {module!r}，或另建一个草稿。',
            'Set "module" in module.json to {module!r}, or start another draft.',
        ),
        "studio.module.missing": ("草稿没有模块清单 module.json", "the draft has no module manifest module.json"),
        "studio.module.missing.hint": (
            '添加 module.json：{"module": "<模块名>", "title": "…", "entities": [...]}。',
            'Add module.json: {"module": "<name>", "title": "…", "entities": [...]}.',
        ),
        "studio.draft.stale": (
            "草稿已被 {by} 修改（当前版本 {current}，您编辑的是版本 {given}）",
            "the draft was changed by {by} (now version {current}; you edited version {given})",
        ),
        "studio.draft.stale.hint": (
            "重新打开草稿，查看对方的修改后再保存。",
            "Reopen the draft, look at their changes, then save again.",
        ),
        "studio.draft.version_required": (
            "保存草稿需要给出所编辑的版本号 version",
            "saving a draft needs the version you edited",
        ),
        "studio.draft.not_found": ("草稿 {id} 不存在", "draft {id} does not exist"),
        "studio.version.not_found": (
            "模块 {module} 没有已发布的版本 {version}",
            "module {module} has no published version {version}",
        ),
        "studio.forbidden": (
            "只有建模配置员（configurator）和管理员可以使用建模工作台",
            "only configurators and administrators may use the studio",
        ),
        "studio.confirm.required": (
            "本次发布会永久删除有数据的字段 {columns}，需要输入模块名 {module!r} 确认",
            "this publish deletes fields holding data ({columns}); type the module name {module!r} to confirm",
        ),
        "studio.confirm.required.hint": (
            "删除前会先导出这些字段的数据到 {export_dir}；若只想让字段从表单和列表中消失而保留数据，请改用“停用”。",
            "Their data is exported to {export_dir} first; to hide a field from forms and lists but keep its data, "
            "retire it instead.",
        ),
        "studio.states.unmapped": (
            "以下状态将被删除，但仍有办理中的记录：{states}",
            "these states would disappear while records are in them: {states}",
        ),
        "studio.states.unmapped.hint": (
            '请在流程中声明迁移映射 "migration": {"states": {"旧状态": "新状态"}}，或保留这些状态。',
            'Declare a migration mapping "migration": {"states": {"old": "new"}} in the process, or keep the states.',
        ),
        "studio.withdraw.confirm": (
            "撤下模块会让它从菜单、表单和接口中消失（数据表和数据保留），请输入模块名 {module!r} 确认",
            "withdrawing hides the module from menus, forms and the API (its tables and data stay); type {module!r} to confirm",
        ),
        "studio.import.absolute": ("压缩包中的路径是绝对路径", "the path in the archive is absolute"),
        "studio.import.absolute.hint": (
            "只接受 metadata/<模块名>/ 下的相对路径。",
            "Only relative paths under metadata/<module>/ are accepted.",
        ),
        "studio.import.parent": ("路径含有 ..，指向模块目录之外", "the path contains .. and points outside the module folder"),
        "studio.import.parent.hint": (
            "只接受 metadata/<模块名>/ 下的文件。",
            "Only files under metadata/<module>/ are accepted.",
        ),
        "studio.import.outside": ("文件不在模块 {module} 的目录中", "the file is outside the folder of module {module}"),
        "studio.import.outside.hint": (
            "把文件放在 metadata/{module}/ 下（不含子目录）再导入。",
            "Put the files directly in metadata/{module}/ and import again.",
        ),
        "studio.import.not_json": ("只能导入 .json 声明文件", "only .json declaration files can be imported"),
        "studio.import.not_json.hint": ("删除其他文件后再导入。", "Remove other files and import again."),
        "studio.import.bad_json": ("不是有效的 UTF-8 JSON：{detail}", "not valid UTF-8 JSON: {detail}"),
        "studio.import.bad_json.hint": ("用编辑器修正语法后再导入。", "Fix the syntax in an editor and import again."),
        "studio.import.too_large": ("压缩包超过 {limit} 字节的上限", "the archive is larger than the limit of {limit} bytes"),
        "studio.import.too_large.hint": (
            "一个模块的声明通常只有几百 KB；请只打包 metadata/<模块名>/ 下的 .json 文件。",
            "A module's declarations are usually a few hundred KiB; pack only the .json files of metadata/<module>/.",
        ),
        "studio.import.file_too_large": ("文件超过 {limit} 字节的上限", "the file is larger than the limit of {limit} bytes"),
        "studio.import.file_too_large.hint": ("请拆分大的字典文件。", "Split large dictionary files."),
        "studio.import.bad_zip": ("不是有效的 zip 压缩包", "not a valid zip archive"),
        "studio.import.bad_zip.hint": (
            "请上传由“导出”生成的 zip，或逐个上传文件。",
            "Upload a zip made by export, or upload the files one by one.",
        ),
        "studio.import.empty": ("没有找到模块 {module} 的声明文件", "no declaration files of module {module} were found"),
        "studio.import.empty.hint": (
            "压缩包应包含 metadata/{module}/*.json。",
            "The archive should contain metadata/{module}/*.json.",
        ),
        "studio.condition.none": ("无条件：任何时候都可办理", "no condition: the step may be taken at any time"),
        "studio.condition.entity": ("实体 {entity} 不在草稿中", "entity {entity} is not in the draft"),
        "studio.condition.ok": ("条件有效，读取字段：{names}", "the condition is valid; it reads {names}"),
    }
)
