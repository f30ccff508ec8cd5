"""Metadata problem messages (what is wrong, what to do): Chinese by default, English available.

Registered in the one catalogue (``anjian.messages``); ``say`` renders a key in the current
language (``ANJIAN_LANGUAGE`` for the CLI, the request's language on the web).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..messages import is_english, message, register

__all__ = ["known", "say"]

say = message

register(
    {
        # field types and storage
        "meta.type.missing": ("字段没有声明类型 (type)", "the field declares no type"),
        "meta.type.missing.hint": (
            '请声明 "type"：string、integer、number、boolean、object 或 array；未声明类型的字段可以收到对象或列表而无法存储。',
            'Declare "type": string, integer, number, boolean, object or array; an untyped field accepts objects '
            "and lists it cannot store.",
        ),
        "meta.type.several": ("字段声明了多个非空类型 {types}", "the field declares several non-null types {types}"),
        "meta.type.several.hint": (
            '一列只能存一种类型：只保留一种（可加 "null"），或拆成多个字段。',
            'A column stores one type: keep one (optionally with "null"), or split the field.',
        ),
        "meta.bound.range": (
            "{keyword} {value} 超出该列能存储的整数范围 [{low}, {high}]",
            "{keyword} {value} is beyond the integers the column can hold [{low}, {high}]",
        ),
        "meta.bound.range.hint": (
            "请给出该范围内的界限；更大的数请用 number 或 string 字段。",
            "Give a bound inside that range; use a number or string field for larger values.",
        ),
        # pattern
        "meta.pattern.syntax": (
            "正则表达式 {pattern} 不是有效的 ECMA-262 正则（带 u 标志）",
            "the pattern {pattern} is not a valid ECMA-262 regular expression (with the u flag)",
        ),
        "meta.pattern.syntax.hint": (
            "JSON Schema 的 pattern 采用 JavaScript 语法：检查括号是否成对、量词 {m,n} 是否 m ≤ n；不支持 (?i) 等内联标志。",
            "JSON Schema patterns use JavaScript syntax: check brackets are balanced and quantifiers {m,n} "
            "have m ≤ n; inline flags such as (?i) are not supported.",
        ),
        "meta.pattern.backtracking": (
            "正则表达式 {pattern} 使用了需要回溯的特性",
            "the pattern {pattern} uses features that need backtracking",
        ),
        "meta.pattern.backtracking.hint": (
            "为保证校验时间与输入长度成线性关系，不支持反向引用 (\\1、\\k<name>) 和先行/后行断言 ((?=…)、(?<=…))；"
            "请改写为不含这些特性的表达式，或改用命名校验函数。",
            "To keep validation time linear in the input, back-references (\\1, \\k<name>) and look-around "
            "((?=…), (?<=…)) are not supported; rewrite the pattern without them, or use a named validator.",
        ),
        # loading files (loader.py)
        "meta.json.invalid": (
            "不是有效的 JSON：第 {line} 行第 {column} 列 {detail}",
            "not valid JSON: {detail} at line {line} column {column}",
        ),
        "meta.json.invalid.hint": (
            "请修正 JSON 语法（常见原因是多余的逗号或缺少引号）。",
            "Fix the JSON syntax (a trailing comma or a missing quote is the usual cause).",
        ),
        "meta.document.unknown": ("不是 anjian 声明", "not an anjian declaration"),
        "meta.document.unknown.hint": (
            '实体请写 "x-anjian": {"entity": ...} 对象，模块清单写 "module" 键，字典写 "dictionary" 键，'
            '流程写 "process" 键，工作日历写 "calendar" 键，法规配置写 "profile" 键。',
            'Give an entity an "x-anjian": {"entity": ...} object, a module manifest a "module" key, '
            'a dictionary a "dictionary" key, a process a "process" key, a working-day calendar a "calendar" key, '
            'or a regulation profile a "profile" key.',
        ),
        "meta.file.missing": ("文件或文件夹不存在", "no such file or folder"),
        "meta.file.missing.hint": ("请检查路径。", "Check the path."),
        "meta.file.unreadable": ("无法读取（{detail}）", "cannot be read ({detail})"),
        "meta.file.unreadable.hint": ("请将文件保存为 UTF-8 编码。", "Save the file as UTF-8."),
        # regulation profiles (profile.py)
        "meta.profile.national.missing": ("缺少全国法规配置", "no national profile"),
        "meta.profile.national.missing.hint": (
            "请提供 metadata/profiles/national.json。",
            "Ship metadata/profiles/national.json.",
        ),
        "meta.profile.national.extends": ("全国法规配置不继承任何配置", "the national profile extends nothing"),
        "meta.profile.national.extends.hint": ("请删除 extends。", "Remove extends."),
        "meta.profile.provinces": (
            "存在多个省级法规配置（{names}）",
            "more than one provincial profile ({names})",
        ),
        "meta.profile.provinces.hint": (
            "只保留本系统所服务省份的配置。",
            "Keep only the profile of the province this installation serves.",
        ),
        "meta.profile.extends": ("省级法规配置继承全国配置", "a provincial profile extends national"),
        "meta.profile.extends.hint": ('请写 "extends": "national"。', 'Write "extends": "national".'),
        "meta.profile.region": ("省级法规配置须写明所属省份", "a provincial profile names its province"),
        "meta.profile.region.hint": ('请添加 "region": "350000"。', 'Add "region": "350000".'),
        "meta.profile.setting.unknown": ("未知的配置项 {name!r}", "unknown setting {name!r}"),
        "meta.profile.setting.unknown.hint": (
            "只能覆盖全国配置中的配置项：{names}。",
            "Override one of the national settings: {names}.",
        ),
        "meta.profile.words.not": (
            "配置项 {name!r} 不是词语列表",
            "setting {name!r} is not a list of words",
        ),
        "meta.profile.words.hint": (
            '"agencies:<配置项>" 需要一个词语列表的配置项，例如 ["人民政府", "公安"]。',
            '"agencies:<setting>" needs a setting whose value is a list of words, e.g. ["人民政府", "公安"].',
        ),
        "meta.repeat.duration": ("重复的期限需要一个时长", "a repeating clock needs a duration"),
        "meta.repeat.duration.hint": (
            '请给出 "amount" 和 "unit"（或配置项 "setting"），每一轮按此时长顺延。',
            'Give "amount" and "unit" (or a "setting"): each round moves on by it.',
        ),
        "meta.profile.duration.not": (
            "配置项 {name!r} 不是时限",
            "setting {name!r} is not a clock duration",
        ),
        "meta.profile.duration.hint": (
            "请指定法规配置中以小时、天或工作日为单位的配置项。",
            "Name a setting of the regulation profile whose value is an amount in hours, days or workdays.",
        ),
        # reporting obligations (obligation_check.py)
        "meta.obligation.registry.hint": ("请指定其记录须报送的实体。", "Name the entity whose records owe the filing."),
        "meta.field.none": ("{entity!r} 没有字段 {field!r}", "{entity!r} has no field {field!r}"),
        "meta.obligation.copy.into.hint": ("请复制到报送实体的字段。", "Copy into a field of the filing."),
        "meta.obligation.copy.from.hint": (
            "请从台账实体的字段或 id 复制。",
            "Copy from a field of the registry, or id.",
        ),
        "meta.obligation.period.hint": (
            "请指定报送实体的年度/季度字段。",
            "Name the filing's year/quarter field.",
        ),
        "meta.obligation.quarter": ("按季度报送须指定季度字段", "a quarterly obligation needs the quarter field"),
        "meta.obligation.quarter.hint": ('请添加 "quarter": "<字段>"。', 'Add "quarter": "<field>".'),
        "meta.obligation.values.hint": ("请设置报送实体的字段。", "Set a field of the filing."),
        "meta.obligation.condition.hint": (
            "请基于台账实体的字段编写条件。",
            "Write a condition over the registry's fields.",
        ),
        # cross references (references.py)
        "meta.known": ("已有的{what}：{names}。", "Known {what}: {names}."),
        "meta.known.none": ("尚未声明任何{what}，请先发布。", "No {what} are declared; publish one first."),
        "meta.what.entities": ("实体", "entities"),
        "meta.what.dictionaries": ("字典", "dictionaries"),
        "meta.what.modules": ("模块", "modules"),
        "meta.what.computed": ("计算函数", "computed functions"),
        "meta.what.validators": ("校验函数", "validators"),
        "meta.what.roles": ("角色", "roles"),
        "meta.link.unknown": (
            "关联目标 {name!r} 不是已声明的实体",
            "link target {name!r} is not a declared entity",
        ),
        "meta.entity.unknown": ("未知的实体 {name!r}", "unknown entity {name!r}"),
        "meta.dictionary.unknown": ("未知的字典 {name!r}", "unknown dictionary {name!r}"),
        "meta.computed.unknown": ("没有注册名为 {name!r} 的计算函数", "no computed function {name!r} is registered"),
        "meta.widget.unknown": ("没有插件注册名为 {name!r} 的控件", "no plugin registers the widget {name!r}"),
        "meta.plugin.hint": (
            "请启用提供该函数的模块（在默认列表上添加：ANJIAN_PLUGINS=+模块名）。",
            "Enable the module that provides it (add it to the default list with ANJIAN_PLUGINS=+<module>).",
        ),
        "meta.validator.unknown": ("没有注册名为 {name!r} 的校验函数", "no validator {name!r} is registered"),
        "meta.role.unknown": ("未知的角色 {name!r}", "unknown role {name!r}"),
        "meta.action.unknown": ("未知的操作 {name!r}", "unknown action {name!r}"),
        "meta.one.of.hint": ("可选值：{names}。", "Use one of: {names}."),
        "meta.process.twice": (
            "实体 {entity!r} 已由流程 {process!r} 处理",
            "entity {entity!r} already runs through process {process!r}",
        ),
        "meta.process.twice.hint": (
            "每个实体只能有一个流程：请合并两个流程，用条件区分不同的路径。",
            "One process per entity: merge the two, using conditions for different paths.",
        ),
        # entity declarations (compile.py)
        "meta.system.column": ("{name!r} 是系统列", "{name!r} is a system column"),
        "meta.system.column.hint": ("请给字段改名；{names} 为保留名称。", "Rename the field; {names} are reserved."),
        "meta.child.shape": ("子表必须是对象数组", "a child table must be an array of objects"),
        "meta.child.shape.hint": (
            '请声明 "type": "array" 以及 "items": {"type": "object", "properties": {...}}。',
            'Declare "type": "array" with "items": {"type": "object", "properties": {...}}.',
        ),
        "meta.child.options": ("子表的选项应写在父字段上", "options of a child table go on the parent field"),
        "meta.child.options.hint": (
            '请移到数组字段自身的 "x-anjian" 对象中，或写在子表的字段上。',
            "Move them into the array field's own \"x-anjian\" object, or onto the child's fields.",
        ),
        "meta.child.prefix": ("子表名称不能以 {prefix}_ 开头", "child table names may not start with {prefix}_"),
        "meta.entity.prefix": ("实体名称不能以 {prefix}_ 开头", "entity names may not start with {prefix}_"),
        "meta.child.prefix.hint": (
            "这些前缀保留给系统表：{names}。",
            "Those prefixes are reserved for system tables: {names}.",
        ),
        "meta.child.computed": ("子表不支持计算字段", "computed fields are not supported in child tables"),
        "meta.child.computed.hint": (
            "请在父实体的计算字段或校验函数中计算该值。",
            "Compute the value in a computed field of the parent, or in a validator.",
        ),
        "meta.link.type": (
            "关联字段保存记录 id，但该字段的类型是 {type!r}",
            "a link holds a record id, but the field is of type {type!r}",
        ),
        "meta.link.type.hint": ('请将字段声明为 "type": "integer"。', 'Declare the field as "type": "integer".'),
        "meta.dictionary.type": (
            "字典编码是字符串，但该字段的类型是 {type!r}",
            "a dictionary code is a string, but the field is {type!r}",
        ),
        "meta.dictionary.type.hint": ('请将字段声明为 "type": "string"。', 'Declare the field as "type": "string".'),
        "meta.labels.no.enum": ("字段没有 enum，却给出了标签", "labels given for a field without enum"),
        "meta.labels.no.enum.hint": ('请添加 "enum" 或删除 "enum_labels"。', 'Add "enum" or drop "enum_labels".'),
        "meta.label.unknown": ("{key!r} 不是 enum 中的值", "{key!r} is not one of the enum values"),
        "meta.label.unknown.hint": ("只能为 enum 中的值加标签：{names}。", "Label only values of enum: {names}."),
        "meta.attachment.type": ("附件字段保存文件 id", "an attachment field holds file ids"),
        "meta.attachment.type.hint": (
            '请声明为字符串数组 "type": "array"（单个文件用 "string"）。',
            'Declare it "type": "array" of strings (or "string" for a single file).',
        ),
        "meta.option.field": ("{name!r} 不是 {entity!r} 的{what}", "{name!r} is not {what} of {entity!r}"),
        "meta.what.stored": ("存储字段", "a stored field"),
        "meta.what.sortable": ("可排序字段", "a sortable field"),
        "meta.what.string": ("字符串字段", "a string field"),
        "meta.what.link": ("关联字段", "a link field"),
        "meta.what.boolean": ("布尔字段", "a boolean field"),
        "meta.what.field": ("字段", "a field"),
        "meta.none": ("（无）", "(none)"),
        "meta.reach.values": (
            "可见层级字段 {name!r} 的取值必须是 county、city、province、national 之一",
            "the reach field {name!r} must take only the values county, city, province and national",
        ),
        "meta.reach.values.hint": (
            '请声明 "enum": ["county", "city", "province", "national"]（可取其中一部分）。',
            'Declare "enum": ["county", "city", "province", "national"] (or a subset of them).',
        ),
        "meta.search.text": ("{name!r} 不是文本字段", "{name!r} is not a text field"),
        "meta.search.text.hint": ("只能搜索字符串字段。", "Search only string fields."),
        "meta.filter.scalar": ("{name!r} 保存的是列表或对象", "{name!r} holds a list or object"),
        "meta.filter.scalar.hint": ("只能按标量字段筛选。", "Filter only on scalar fields."),
        "meta.drop.declared": ("{name!r} 仍在声明中", "{name!r} is still declared"),
        "meta.drop.declared.hint": (
            "请先从 properties 中删除该字段，再要求删除其列。",
            "Remove the field from properties before asking to drop its column.",
        ),
        # dictionaries, names, modules (compile.py)
        "meta.code.twice": ("编码 {code!r} 重复", "duplicate code {code!r}"),
        "meta.code.twice.hint": ("请给每一项不同的编码。", "Give each item its own code."),
        "meta.parent.later": ("上级 {parent!r} 不是前面的项", "parent {parent!r} is not an earlier item"),
        "meta.parent.later.hint": (
            "请把上级列在下级之前，并使用已有的编码。",
            "List parents before their children, and use an existing code.",
        ),
        "meta.name.twice": (
            "{kind}名称 {name!r} 已在 {first} 中声明",
            "{kind} name {name!r} is already declared in {first}",
        ),
        "meta.name.twice.hint": ("请给其中一个改名；{kind}名称不能重复。", "Rename one of them; {kind} names are unique."),
        "meta.kind.entity": ("实体", "entity"),
        "meta.kind.module": ("模块", "module"),
        "meta.kind.dictionary": ("字典", "dictionary"),
        "meta.kind.process": ("流程", "process"),
        "meta.kind.calendar": ("日历", "calendar"),
        "meta.kind.profile": ("法规配置", "profile"),
        "meta.calendar.dates.hint": ("请更正该年度安排的日期。", "Correct the dates of the arrangement."),
        "meta.module.member": ("实体 {name!r} 声明属于模块 {module!r}", "entity {name!r} declares module {module!r}"),
        "meta.module.member.hint": ("请将它列入该模块的清单。", "List it in that module's manifest."),
        "meta.module.unknown": ("未知的模块 {name!r}", "unknown module {name!r}"),
        "meta.what.states": ("状态", "states"),
        "meta.what.conditions": ("条件函数", "condition functions"),
        "meta.state.unknown": ("未知的状态 {name!r}", "unknown state {name!r}"),
        "meta.state.unknown.hint": (
            '请在 "states" 中声明，或使用以下之一：{names}。',
            'Declare it under "states" or use one of: {names}.',
        ),
        "meta.transition.twice": ("转换名称 {name!r} 重复使用", "transition name {name!r} is used twice"),
        "meta.transition.twice.hint": ("请给每个转换不同的名称。", "Give each transition its own name."),
        "meta.state.end.source": ("状态 {name!r} 是结束状态", "state {name!r} is an end state"),
        "meta.state.end.source.hint": ("结束状态不能再转出，请从这里删除。", "Nothing leaves an end state; drop it here."),
        "meta.condition.invalid": ("条件 {condition!r}：{problem}", "condition {condition!r}: {problem}"),
        "meta.condition.invalid.hint": (
            '请写成如 level == "major" 的形式；参见 docs/workflow.md。',
            'Write e.g. level == "major"; see docs/workflow.md.',
        ),
        "meta.condition.unknown": ("没有注册名为 {name!r} 的条件函数", "no condition function {name!r} is registered"),
        "meta.state.unreachable": ("从 {start!r} 无法到达状态 {name!r}", "state {name!r} cannot be reached from {start!r}"),
        "meta.state.unreachable.hint": ("请添加一个转入它的转换，或删除它。", "Add a transition to it or remove it."),
        "meta.state.stuck": ("状态 {name!r} 没有转出的转换", "state {name!r} has no transition out"),
        "meta.state.stuck.hint": ('请添加一个，或标记为 "end": true。', 'Add one, or mark it "end": true.'),
        "meta.state.no.end": ("没有结束状态", "no state is an end state"),
        "meta.state.no.end.hint": ('请用 "end": true 标记最终状态。', 'Mark the final states with "end": true.'),
        "meta.transition.unknown": ("未知的转换 {name!r}", "unknown transition {name!r}"),
        "meta.due.missing": ("没有声明到期时间", "the due time is not declared"),
        "meta.due.missing.hint": (
            '请给出 "amount" 和 "unit"，或日期字段 "field"，或两者都给出。',
            'Give "amount" and "unit", or a date "field", or both.',
        ),
        "meta.due.pair": ("数量和单位须同时给出", "an amount and a unit go together"),
        "meta.due.pair.hint": (
            '请两者都给出，例如 "amount": 10, "unit": "workdays"。',
            'Give both, e.g. "amount": 10, "unit": "workdays".',
        ),
        "meta.due.field": ("{name!r} 不是日期或日期时间字段", "{name!r} is not a date or date-time field"),
        "meta.due.field.hint": (
            '请使用 "format": "date" 或 "date-time" 的字段。',
            'Use a field with "format": "date" or "date-time".',
        ),
        "meta.stage.side": ("提醒阶段要么在到期前，要么在到期后", "a stage is either before or after the due time"),
        "meta.stage.side.hint": ('请只保留 "before" 和 "after" 之一。', 'Keep one of "before" and "after".'),
        "meta.stage.order": ("提醒阶段没有按时间顺序排列", "stages are not in time order"),
        "meta.stage.order.hint": ("请按从早到晚的顺序列出。", "List stages from the earliest to the latest."),
        "meta.agency.link": ("{name!r} 不是指向 agency 的关联字段", "{name!r} is not a link to agency"),
        "meta.agency.link.hint": (
            '请指定该实体中声明了 "x-anjian": {"link": "agency"} 的字段。',
            'Name a field of the entity declared with "x-anjian": {"link": "agency"}.',
        ),
        "meta.amendment.link": (
            "{name!r} 不是从 {entity!r} 指向自身的关联字段",
            "{name!r} is not a link from {entity!r} to itself",
        ),
        "meta.amendment.link.hint": (
            '请声明一个整数字段，带 "x-anjian": {{"link": "{entity}"}}。',
            'Declare an integer field with "x-anjian": {{"link": "{entity}"}}.',
        ),
        # meta-schema violations (schema_check.py)
        "meta.docs.hint": ("关键字说明见 docs/metadata.md。", "See docs/metadata.md for the keyword."),
        "meta.suggest": ("是否想写 {word!r}？", "Did you mean {word!r}? "),
        "meta.keyword.unknown": ("未知的关键字 {name!r}", "unknown keyword {name!r}"),
        "meta.xkeyword.unknown": ("未知的 x-anjian 关键字 {name!r}", "unknown x-anjian keyword {name!r}"),
        "meta.keyword.unknown.hint": ("{suggest}此处可用的关键字：{names}。", "{suggest}Known keywords here: {names}."),
        "meta.field.keyword": ("字段中有未知的关键字 {name!r}", "unknown keyword {name!r} in a field"),
        "meta.field.keyword.hint": (
            '{suggest}字段关键字是标准 JSON Schema 关键字（见 docs/metadata.md），另加一个 "x-anjian" 对象。',
            '{suggest}Field keywords are standard JSON Schema keywords (see docs/metadata.md) plus an "x-anjian" object.',
        ),
        "meta.field.keyword.listed.hint": (
            '{suggest}字段关键字是 docs/metadata.md 中列出的标准 JSON Schema 关键字，另加一个 "x-anjian" 对象。',
            '{suggest}Field keywords are standard JSON Schema keywords listed in docs/metadata.md, plus an "x-anjian" object.',
        ),
        "meta.field.name": ("字段名 {name!r} 不是 snake_case", "field name {name!r} is not snake_case"),
        "meta.field.name.hint": (
            "请使用小写字母、数字和下划线，并以字母开头。",
            "Use lower-case letters, digits and underscores, starting with a letter.",
        ),
        "meta.required": ("缺少必需的键 {name!r}", "the required key {name!r} is missing"),
        "meta.required.hint": ("请添加 {name!r}。{docs}", "Add {name!r}. {docs}"),
        "meta.pattern.mismatch": ("{value!r} 不符合 {pattern}", "{value!r} does not match {pattern}"),
        "meta.name.pattern.hint": (
            "名称使用 snake_case（小写字母、数字、下划线，以字母开头）；函数名用点分隔，例如 registry.uscc_check。",
            "Names are snake_case (lower-case letters, digits, underscores, starting with a letter); "
            "function names are dotted, e.g. registry.uscc_check.",
        ),
        "meta.value.not.allowed": ("此处不允许 {value!r}", "{value!r} is not allowed here"),
        "meta.not.a.type": ("{value!r} 不是 JSON Schema 类型", "{value!r} is not a JSON Schema type"),
        "meta.not.a.type.hint": (
            "请使用 string、integer、number、boolean、object、array 或 null（或它们组成的列表）。",
            "Use string, integer, number, boolean, object, array or null (or a list of them).",
        ),
        "meta.value.type": ("值的类型不对：{detail}", "{detail}"),
        "meta.value.type.hint": ("请给出 {type} 类型的值。{docs}", "Give a value of type {type}. {docs}"),
        "meta.schema.rule": ("不符合元模式：{detail}", "{detail}"),
        "meta.json.schema": (
            "不是有效的 JSON Schema（draft 2020-12）：{detail}",
            "not valid JSON Schema (draft 2020-12): {detail}",
        ),
        "meta.json.schema.hint": (
            "请修正该关键字的值；参见 https://json-schema.org/draft/2020-12。",
            "Fix the keyword's value; see https://json-schema.org/draft/2020-12.",
        ),
        # defaults
        "meta.default.invalid": (
            "默认值不符合字段自身的规则：{problem}",
            "the default breaks the field's own rules: {problem}",
        ),
        "meta.default.invalid.hint": ("请给出字段接受的默认值。", "Give a default the field accepts."),
    }
)


def known(what: str, pool: Iterable[str], then: str = "") -> str:
    """The hint naming what exists (``what``: a kind such as ``entities``, see meta.what.*), then ``then``."""
    names = sorted(pool)
    kind = say(f"meta.what.{what}")
    text = say("meta.known", what=kind, names=", ".join(names)) if names else say("meta.known.none", what=kind)
    if not then:
        return text
    return f"{text} {then}" if is_english() else text + then
