"""Every shipped declaration passes meta-schema and cross-reference checks."""

import pytest

from anjian.config import bundled_metadata_path
from anjian.meta.loader import load_documents

SHIPPED = sorted(p for p in bundled_metadata_path().rglob("*.json") if not p.name.endswith(".schema.json"))


def test_the_whole_shipped_set_is_valid(platform):
    assert platform.check() == []


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(bundled_metadata_path())) for p in SHIPPED])
def test_each_document_parses(path):
    documents, errors = load_documents([path])
    assert errors == [] and len(documents) == 1


def test_meta_schemas_validate_shipped_documents_for_editors():
    import json

    from jsonschema import Draft202012Validator

    folder = bundled_metadata_path() / "meta-schemas"
    for path in SHIPPED:
        documents, _ = load_documents([path])
        schema = json.loads((folder / f"{documents[0].kind}.schema.json").read_text())
        Draft202012Validator.check_schema(schema)
        assert list(Draft202012Validator(schema).iter_errors(documents[0].content)) == []


def test_standard_dictionaries_hold_the_codes_of_the_fact_sheet(published):
    dictionaries = published.registry.catalog.dictionaries
    industry = {i.code: i.label for i in dictionaries["industry"].items}
    assert industry["C"] == "制造业" and industry["T"] == "国际组织"
    assert len([c for c in industry if c.isalpha()]) == 20
    accidents = {i.code: i.label for i in dictionaries["accident_category"].items}
    assert len(accidents) == 20 and accidents["19"] == "中毒和窒息"
    region = {i.code: i for i in dictionaries["region"].items}
    assert region["350000"].label == "福建省" and region["350524"].parent == "350500"
    assert all(c.startswith("350524") for c, i in region.items() if i.level == "township")
