"""Workflow screens: the inbox (待办/已办/我发起的), taking a transition, amendments, urging, notices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from flask import flash, redirect, request, url_for
from sqlalchemy import Connection, and_, select

from ..errors import FieldError, NotFound, PermissionDenied, RecordValidationError
from ..meta.process_spec import ProcessSpec
from ..meta.spec import AttachmentSpec, EntitySpec, FieldSpec
from ..workflow.engine import STEP_FILES as STEP_FIELD
from ..workflow.inbox import BOXES
from ..workflow.tables import instance
from .editing import _errors_by_input, _raw_file_ids, _store_uploads, offered_fields
from .forms import parse_form, raw_values
from .views import actor, entity_for, platform, render, scope_for, ui

__all__ = ["ProcessListing", "inbox_view", "notices_view", "process_listing", "transition_view"]

# Files attached to a step (not to a field of the record) are stored under this pseudo-field.
STEP_FILES = FieldSpec(name=STEP_FIELD, title="办理附件", type="array", attachment=AttachmentSpec())


@ui.get("/_inbox/")
def inbox_view() -> Any:
    p = platform()
    box = request.args.get("box", "todo")
    box = box if box in BOXES else "todo"
    only = request.args.get("entity") or None
    overdue = request.args.get("overdue") == "1"
    items = p.inbox.items(actor(), box, only, overdue)
    processes = [
        (e, p.registry.catalog.entities[e.entity].title)
        for e in p.registry.catalog.processes.values()
        if e.entity in p.registry.catalog.entities
    ]
    return render(
        "anjian/inbox.html",
        box=box,
        boxes=BOXES,
        items=items,
        counts=p.inbox.counts(actor()),
        processes=processes,
        only=only,
        overdue=overdue,
    )


def _status(spec: EntitySpec, record_id: int) -> dict[str, Any]:
    return platform().workflow.status(actor(), spec.name, record_id)


@ui.route("/<entity>/<int:record_id>/transitions/<name>", methods=["GET", "POST"])
def transition_view(entity: str, record_id: int, name: str) -> Any:
    """The form of one step: its fields, a comment and attachments; errors stay next to their inputs."""
    p = platform()
    spec = entity_for(entity, "read")
    status = _status(spec, record_id)
    choice = next((c for c in status["transitions"] if c["name"] == name), None)
    if choice is None:
        flash(f"当前环节（{status['state_title']}）不能办理此操作", "warning")
        return redirect(url_for(".detail_view", entity=entity, record_id=record_id))
    if not choice["mine"]:
        raise PermissionDenied(choice["reason"] or "不能办理")
    with p.engine.connect() as conn:
        record = p.reader.fetch(conn, spec, record_id, scope_for(spec))
    fields = [spec.field(f) for f in choice["fields"]]
    raw = raw_values(p.registry, spec, record, p.codec)
    errors: list[FieldError] = []
    comment = ""
    if request.method == "POST":
        comment = request.form.get("comment", "")
        data = parse_form(p.registry, spec, request.form, request.files, p.codec.zone)
        data.files = [entry for entry in data.files if entry[0].strip("/").split("/")[0] in choice["fields"]]
        _store_uploads(spec, data)
        attachments = []
        for upload in request.files.getlist("_step_files"):
            if upload and upload.filename:
                try:
                    attachments.append(
                        p.files.save(spec, STEP_FILES, upload.filename, upload.mimetype, upload.stream, actor())["id"]
                    )
                except RecordValidationError as exc:
                    errors += [FieldError("/attachments", e.message, e.code) for e in exc.errors]
        values = {k: data.record.get(k) for k in choice["fields"]}
        errors += [e for e in data.errors if e.pointer.strip("/").split("/")[0] in choice["fields"]]
        if not errors:
            try:
                result = p.workflow.take(
                    actor(),
                    entity,
                    record_id,
                    name,
                    {"data": values, "comment": comment, "attachments": attachments, "expected_state": status["state"]},
                )
            except RecordValidationError as exc:  # field errors (422) and refusals such as an unmet condition (409)
                errors = exc.errors
            else:
                flash(f"已办理「{choice['title']}」，当前环节：{result['state_title']}", "success")
                return redirect(url_for(".detail_view", entity=entity, record_id=record_id))
        raw.update({k: v for k, v in data.raw.items() if k in choice["fields"]})
    by_input, overridable, general = _errors_by_input(spec, errors)
    general += [e.message for e in errors if e.pointer in ("/comment", "/attachments")]
    if not choice["allowed"] and request.method == "GET":
        general.append(choice["reason"])  # the step is the user's, but cannot be taken yet: say why
    from .display import Display

    with p.engine.connect() as conn:
        display = Display(p.registry, conn, scope_for)
        display.load_links(spec, [record])
    return render(
        "anjian/transition.html",
        spec=spec,
        record=record,
        status=status,
        choice=choice,
        fields=fields,
        raw=raw,
        errors=by_input,
        overridable=overridable,
        general=general,
        comment=comment,
        registry=p.registry,
        files=p.files.describe(_raw_file_ids(raw)),
        display=display,
    ), (422 if errors else 200)


@ui.post("/<entity>/<int:record_id>/amend")
def amend_view(entity: str, record_id: int) -> Any:
    created = platform().workflow.amend(actor(), entity, record_id, {})
    flash("已创建更正记录，请修改后提交", "success")
    return redirect(url_for(".edit_view", entity=entity, record_id=created["id"]))


@ui.post("/<entity>/<int:record_id>/urge")
def urge_view(entity: str, record_id: int) -> Any:
    told = platform().workflow.urge(actor(), entity, record_id, request.form.get("message", ""))
    flash(f"已催办，通知 {told} 人", "success")
    return redirect(url_for(".detail_view", entity=entity, record_id=record_id))


UNIT_TITLES = {"workdays": "个工作日", "days": "日", "hours": "小时"}


def _back(entity: str, record_id: int) -> Any:
    return redirect(url_for(".detail_view", entity=entity, record_id=record_id))


@ui.post("/<entity>/<int:record_id>/deadlines/<int:deadline_id>/extensions")
def extension_request_view(entity: str, record_id: int, deadline_id: int) -> Any:
    """申请延期 from the record page: amount, unit and reason; the approvers are told."""
    entity_for(entity, "read")
    amount_text = request.form.get("amount", "").strip()
    amount: Any = int(amount_text) if amount_text.isdigit() else amount_text
    try:
        platform().timers.request_extension(
            actor(), deadline_id, amount, request.form.get("unit", ""), request.form.get("reason", "")
        )
    except RecordValidationError as exc:  # field errors (422) and conflicts such as a request already waiting (409)
        flash("延期申请未提交：" + "；".join(e.message for e in exc.errors), "danger")
    else:
        flash("已提交延期申请，等待审批", "success")
    return _back(entity, record_id)


@ui.post("/<entity>/<int:record_id>/extensions/<int:extension_id>/decision")
def extension_decision_view(entity: str, record_id: int, extension_id: int) -> Any:
    """批准 or 不批准 an extension request from the record page."""
    entity_for(entity, "read")
    approve = request.form.get("approve") == "1"
    try:
        result = platform().timers.decide_extension(actor(), extension_id, approve, request.form.get("note", "").strip())
    except RecordValidationError as exc:
        flash("；".join(e.message for e in exc.errors), "danger")
    else:
        due = result["due_at"][:16].replace("T", " ")
        flash(f"已批准延期，新期限：{due}" if approve else "已不批准延期申请", "success")
    return _back(entity, record_id)


@ui.get("/_notices/")
def notices_view() -> Any:
    p = platform()
    with p.engine.connect() as conn:
        items = p.workflow.notices.listing(conn, actor().username)
    return render("anjian/notices.html", items=items, codec=p.codec, registry=p.registry)


@ui.post("/_notices/read")
def notices_read() -> Any:
    platform().workflow.notices.mark_read(actor().username)
    return redirect(url_for(".notices_view"))


def workflow_panel(spec: EntitySpec, record_id: int) -> dict[str, Any] | None:
    """What the detail page shows of a record's process (None if the entity has none)."""
    p = platform()
    if p.registry.catalog.process_of(spec.name) is None:
        return None
    try:
        status = _status(spec, record_id)
    except NotFound:  # a record created before its process was published has no instance
        return None
    try:
        p.access.check(actor(), spec, "urge")
        status["may_urge"] = not status["ended"]
    except PermissionDenied:
        status["may_urge"] = False
    status["may_extend"] = not status["ended"] and any(t["mine"] for t in status["transitions"])
    status["unit_titles"] = UNIT_TITLES
    try:
        p.access.check(actor(), spec, "update")
        status["editable"] = not status["locked"] and offered_fields(spec, record_id) != frozenset()
    except PermissionDenied:
        status["editable"] = False
    return status


@ui.app_template_global("person_names")
def person_names(usernames: Any) -> dict[str, str]:
    """Display names for login names (one query), for the history tables of a page."""
    p = platform()
    with p.engine.connect() as conn:
        return p.workflow.people.names(conn, [str(u) for u in usernames if u])


@dataclass
class ProcessListing:
    """What a list page shows of its entity's process: a 环节 column and a 环节 filter.

    ``ARG`` is the query argument of the filter; the list keeps it in its links and leaves it out
    of the record query's own arguments.
    """

    spec: EntitySpec
    process: ProcessSpec
    state: str | None
    states: dict[int, str] = field(default_factory=dict)

    ARG: ClassVar[str] = "_state"

    @property
    def options(self) -> list[tuple[str, str]]:
        return [(s.name, s.title) for s in self.process.states]

    def narrow(self, scope: Any) -> Any:
        """The list's scope, limited to records in the chosen state (as SQL)."""
        if not self.state:
            return scope
        table = platform().registry.table(self.spec.name)
        states = self.state.split(",")  # several states: a report's "not yet closed" drills here
        chosen = table.c.id.in_(
            select(instance.c.record_id).where(instance.c.entity == self.spec.name, instance.c.state.in_(states))
        )
        return chosen if scope is None else and_(scope, chosen)

    def load(self, conn: Connection, items: list[dict[str, Any]]) -> None:
        """The current state of each listed record (one query)."""
        ids = [item["id"] for item in items]
        if ids:
            rows = conn.execute(
                select(instance.c.record_id, instance.c.state).where(
                    instance.c.entity == self.spec.name, instance.c.record_id.in_(ids)
                )
            )
            self.states = {record_id: state for record_id, state in rows}

    def title_of(self, record_id: int) -> str:
        state = self.states.get(record_id)
        if state is None:
            return "—"
        return self.process.by_state[state].title if state in self.process.by_state else state


def process_listing(spec: EntitySpec, args: Mapping[str, str]) -> ProcessListing | None:
    """The list page's process column and filter for ``spec`` (None: the entity has no process)."""
    process = platform().registry.catalog.process_of(spec.name)
    if process is None:
        return None
    state = args.get(ProcessListing.ARG) or None
    known = state is not None and all(s in process.by_state for s in state.split(","))
    return ProcessListing(spec, process, state if known else None)
