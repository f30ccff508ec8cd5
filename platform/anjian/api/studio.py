"""Studio routes ``/api/v1/studio/…``: drafts, check, diff, references, plan, dry run, publish,
versions, export and import of modules, roles and grants (for scripts that manage modules from git).

Every route asks the studio (``anjian.studio``), which checks the ``configurator`` role and
audits every action. A draft's save and publish name the draft version they saw (``version`` in
the body or ``If-Match``); a stale one is a 409.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from ..errors import FieldError, MetadataError, MetadataErrors, RecordValidationError
from ..studio import Draft, Studio, process_designer
from ..studio.files import MAX_ZIP_BYTES
from ._blueprint import api, current_actor, platform
from ._limits import LIMITS, Limit

__all__ = ["studio"]

# Whole modules travel through these; the zip route takes a little more than the zip limit so the
# studio can say which limit was passed instead of the generic 413.
LIMITS["anjian_api.studio_save_draft"] = Limit(16 * 1024 * 1024, 64)
LIMITS["anjian_api.studio_create_draft"] = Limit(16 * 1024 * 1024, 64)
LIMITS["anjian_api.studio_import"] = Limit(MAX_ZIP_BYTES + 64 * 1024, 64)


def studio() -> Studio:
    return Studio(platform())


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise RecordValidationError("_studio", [FieldError("", "请求体必须是 JSON 对象", "type")])
    return body


def _version(body: dict[str, Any]) -> Any:
    """The draft version the caller edited: ``version`` in the body, else the ``If-Match`` ETag."""
    if "version" in body:
        return body["version"]
    tag = request.headers.get("If-Match", "").strip().strip('"')
    return int(tag) if tag.isdigit() and len(tag) < 19 else None


def _draft_response(draft: Draft, status: int = 200) -> Response:
    response = jsonify(draft.as_dict())
    response.status_code = status
    response.headers["ETag"] = f'"{draft.version}"'
    return response


def _zip(data: bytes, name: str) -> Response:
    return Response(data, mimetype="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _open(draft_id: int) -> tuple[Studio, Draft]:
    s = studio()
    s.require(current_actor())
    return s, s.drafts.get(draft_id)


@api.get("/studio/modules")
def studio_modules() -> Any:
    s = studio()
    s.require(current_actor())
    return jsonify({"modules": s.modules()})


@api.get("/studio/modules/<module>/versions")
def studio_versions(module: str) -> Any:
    s = studio()
    s.require(current_actor())
    return jsonify({"module": module, "versions": s.versions(module)})


@api.get("/studio/modules/<module>/export")
def studio_export_module(module: str) -> Any:
    """The published module (or ``?version=N``) as a zip of ``metadata/<module>/…``."""
    s = studio()
    s.require(current_actor())
    raw = request.args.get("version", "")
    version = int(raw) if raw.isdigit() and len(raw) < 19 else None  # a 64-bit version number, or the newest
    files = s.published_files(module, version)
    if not files:
        from ..errors import NotFound

        raise NotFound(f"模块 {module} 未发布")
    return _zip(s.export(current_actor(), module, files), f"{module}.zip")


@api.post("/studio/modules/<module>/withdraw")
def studio_withdraw(module: str) -> Any:
    """Withdraw a published module (type its name in ``confirm``); refused while others refer to it."""
    body = _body()
    return jsonify(studio().withdraw(current_actor(), module, confirm=str(body.get("confirm", ""))))


@api.get("/studio/drafts")
def studio_drafts() -> Any:
    s = studio()
    s.require(current_actor())
    return jsonify({"drafts": [d.as_dict(with_files=False) for d in s.drafts.list(request.args.get("module") or None)]})


@api.post("/studio/drafts")
def studio_create_draft() -> Any:
    """A new draft of ``module``: of what is published, of ``from_version`` (restore), or empty."""
    body = _body()
    draft = studio().create_draft(
        current_actor(), body.get("module"), from_version=body.get("from_version"), title=str(body.get("title", ""))
    )
    return _draft_response(draft, 201)


@api.get("/studio/drafts/<int:draft_id>")
def studio_draft(draft_id: int) -> Any:
    _s, draft = _open(draft_id)
    return _draft_response(draft)


@api.put("/studio/drafts/<int:draft_id>")
def studio_save_draft(draft_id: int) -> Any:
    body = _body()
    errors = []
    files = body.get("files")
    if files is not None and (not isinstance(files, dict) or not all(isinstance(v, dict) for v in files.values())):
        errors.append(FieldError("/files", "files 必须是 {文件名: JSON 对象} 形式", "type"))
    layout = body.get("layout")
    if layout is not None and not isinstance(layout, dict):
        errors.append(FieldError("/layout", "layout 必须是 JSON 对象", "type"))
    if errors:
        raise RecordValidationError("_studio", errors)
    if isinstance(files, dict):
        bad = [n for n in files if not n.endswith(".json") or "/" in n or "\\" in n or n.startswith(".")]
        if bad:
            raise MetadataErrors([MetadataError(n, "", "文件名无效", "文件名只能是 <名称>.json，不能含目录。") for n in bad])
    title = body.get("title")
    draft = studio().save_draft(
        current_actor(), draft_id, _version(body), files=files, layout=layout, title=str(title) if title is not None else None
    )
    return _draft_response(draft)


@api.delete("/studio/drafts/<int:draft_id>")
def studio_delete_draft(draft_id: int) -> Any:
    studio().delete_draft(current_actor(), draft_id)
    return Response(status=204)


@api.get("/studio/drafts/<int:draft_id>/diff")
def studio_diff(draft_id: int) -> Any:
    s, draft = _open(draft_id)
    return jsonify({"diff": s.diff(draft)})


@api.post("/studio/drafts/<int:draft_id>/check")
def studio_check(draft_id: int) -> Any:
    """Every problem of the draft, each on its file and JSON pointer (200 even when there are some)."""
    s, draft = _open(draft_id)
    review = s.review(draft)
    return jsonify({"ok": review.ok, "problems": review.problems()})


@api.get("/studio/drafts/<int:draft_id>/references")
def studio_references(draft_id: int) -> Any:
    s, draft = _open(draft_id)
    return jsonify(s.references(draft))


@api.post("/studio/drafts/<int:draft_id>/plan")
def studio_plan(draft_id: int) -> Any:
    s, draft = _open(draft_id)
    return jsonify(s.plan(current_actor(), draft))


@api.post("/studio/drafts/<int:draft_id>/dry-run")
def studio_dry_run(draft_id: int) -> Any:
    s, draft = _open(draft_id)
    return jsonify(s.dry_run(current_actor(), draft))


@api.post("/studio/drafts/<int:draft_id>/publish")
def studio_publish(draft_id: int) -> Any:
    body = _body()
    return jsonify(
        studio().publish(
            current_actor(), draft_id, _version(body), confirm=str(body.get("confirm", "")), comment=str(body.get("comment", ""))
        )
    )


@api.get("/studio/drafts/<int:draft_id>/export")
def studio_export_draft(draft_id: int) -> Any:
    s, draft = _open(draft_id)
    return _zip(s.export(current_actor(), draft.module, draft.files, draft_id), f"{draft.module}.zip")


@api.post("/studio/drafts/<int:draft_id>/import")
def studio_import(draft_id: int) -> Any:
    """Replace the draft's files with a zip (``file``) or a folder's files (``files``, each named by its path)."""
    version = request.form.get("version", "")
    expected: Any = int(version) if version.isdigit() and len(version) < 19 else _version({})
    archive = request.files.get("file")
    folder = request.files.getlist("files")
    if archive is None and not folder:
        raise RecordValidationError(
            "_studio", [FieldError("/file", "请上传 zip 文件 (file) 或模块目录中的文件 (files)", "required")]
        )
    try:
        zip_data = archive.read(MAX_ZIP_BYTES + 1) if archive is not None else None
        items = [(f.filename or "", f.read()) for f in folder]
    finally:
        for upload in request.files.values():
            upload.close()
    draft = studio().import_files(current_actor(), draft_id, expected, zip_data=zip_data, items=items)
    return _draft_response(draft)


@api.get("/studio/drafts/<int:draft_id>/roles")
def studio_roles(draft_id: int) -> Any:
    s, draft = _open(draft_id)
    return jsonify({"roles": s.roles(draft)})


@api.post("/studio/grants")
def studio_grant() -> Any:
    body = _body()
    errors = [
        FieldError(f"/{k}", f"{k} 必填", "required")
        for k in ("username", "role", "region")
        if not isinstance(body.get(k), str) or not body.get(k)
    ]
    if errors:
        raise RecordValidationError("_studio", errors)
    grant_id = studio().grant(current_actor(), body["username"], body["role"], body["region"])
    return jsonify({"id": grant_id}), 201


@api.post("/studio/drafts/<int:draft_id>/check-condition")
def studio_check_condition(draft_id: int) -> Any:
    """Judge a transition's condition (the sandboxed expression language) over the draft's fields
    of ``entity``, as the process designer does while the configurator types; nothing is saved."""
    _s, draft = _open(draft_id)
    body = _body()
    wrong = [k for k in ("entity", "condition") if not isinstance(body.get(k), str)]
    errors = [FieldError(f"/{k}", f"{k} 必须是字符串", "type") for k in wrong]
    if errors:
        raise RecordValidationError("_studio", errors)
    return jsonify(process_designer.check_condition(draft.files, body["entity"], body["condition"]))


@api.post("/studio/drafts/<int:draft_id>/positions")
def studio_positions(draft_id: int) -> Any:
    """Keep diagram positions of a process's states in the draft's layout (never the declaration);
    ``positions`` null goes back to the automatic layout. Names the version edited, like a save."""
    s, draft = _open(draft_id)
    body = _body()
    process, positions = body.get("process"), body.get("positions")
    states = _process_states(draft, process)
    errors = []
    if states is None:
        known = ", ".join(process_designer.processes(draft.files)) or "—"
        errors.append(FieldError("/process", f"草稿中没有流程 {process!r}（已有：{known}）", "enum"))
    elif positions is not None and not isinstance(positions, dict):
        errors.append(FieldError("/positions", "positions 必须是 {状态: [x, y]} 对象或 null", "type"))
    elif positions is not None:
        for state, at in positions.items():
            if state not in states:
                errors.append(FieldError(f"/positions/{state}", f"流程 {process} 没有状态 {state!r}", "enum"))
            elif not (isinstance(at, list) and len(at) == 2 and all(_number(v) for v in at)):
                errors.append(FieldError(f"/positions/{state}", "位置必须是 [x, y] 两个数", "type"))
    if errors:
        raise RecordValidationError("_studio", errors)
    layout = process_designer.place_states(draft.layout, str(process), positions)
    return _draft_response(s.save_draft(current_actor(), draft_id, _version(body), layout=layout))


def _process_states(draft: Draft, process: Any) -> set[str] | None:
    """The states of ``process`` in the draft, or None when the draft declares no such process."""
    if not isinstance(process, str):
        return None
    try:
        doc = draft.files[process_designer.process_file(draft.files, process)]
    except KeyError:
        return None
    return set(doc.get("states", {}))


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
