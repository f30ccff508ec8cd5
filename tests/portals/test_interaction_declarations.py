"""The 互动交流 and account parts of a portal declaration are checked like the rest: 意见征集's
``answers``, 网上调查's ``surveys``, the enterprise request's ``bind`` and ``accounts``."""

import json
import shutil

from anjian.config import bundled_metadata_path


def _check(platform, tmp_path, change, name="metadata"):
    root = tmp_path / name
    shutil.copytree(bundled_metadata_path(), root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = root / "portal" / "public.portal.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return "\n".join(str(e) for e in platform.check([root]))


def _form(document, name):
    return next(i for i, f in enumerate(document["intake"]) if f["name"] == name)


def test_interaction_names_are_checked_against_the_entities(platform, tmp_path):
    positions = {}

    def break_it(document):
        comment, request = _form(document, "consult_comment"), _form(document, "enterprise_account")
        positions.update(comment=comment, request=request)
        document["intake"][comment]["answers"]["until"] = "deadline"
        document["intake"][request]["bind"]["match"]["credit_code"] = "uscc"
        document["surveys"][0]["answers"] = "complaint"
        document["accounts"]["enterprise"]["email"] = "mail"

    text = _check(platform, tmp_path, break_it)
    assert f"public.portal.json#/intake/{positions['comment']}/answers/until" in text and "'deadline'" in text
    assert f"public.portal.json#/intake/{positions['request']}/bind/match/credit_code" in text and "'uscc'" in text
    assert "public.portal.json#/surveys/0/answers" in text and "'voter'" in text
    assert "public.portal.json#/accounts/enterprise/email" in text and "'mail'" in text


def test_the_enterprise_form_must_bind_and_track(platform, tmp_path):
    def break_it(document):
        document["accounts"]["enterprise"]["form"] = "complaint"  # tracks, but binds nothing

    text = _check(platform, tmp_path, break_it)
    assert "public.portal.json#/accounts/enterprise/form" in text and "enterprise_account" in text
    assert "public.portal.json#/accounts/region" in _check(
        platform, tmp_path, lambda d: d["accounts"].update(region="x"), "again"
    )
