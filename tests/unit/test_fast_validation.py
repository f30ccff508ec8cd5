"""The compiled validator used by bulk imports gives the same verdicts as jsonschema."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10**7),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(
        [
            "active",
            "C",
            "350524",
            "2024-02-30",
            "2024-02-29",
            "a@b.cn",
            "not mail",
            "2024-01-01T08:00:00+08:00",
            "2024-01-01 08:00",
            "0595-1234567",
            "91350200MA2YJ1XR9G",
        ]
    ),
)
FIELDS = [
    "name",
    "credit_code",
    "region_code",
    "industry",
    "status",
    "employees",
    "email",
    "established_on",
    "contact_phone",
    "longitude",
    "has_safety_organisation",
    "safety_staff",
    "economic_type",
]
records = st.dictionaries(st.sampled_from(FIELDS), values, max_size=len(FIELDS)) | st.dictionaries(
    st.sampled_from(FIELDS), st.lists(st.dictionaries(st.sampled_from(["name", "post", "certificates"]), values), max_size=2)
)


@pytest.fixture(scope="module")
def validators(tmp_path_factory):
    from anjian.catalog.registry import Registry
    from anjian.config import bundled_metadata_path
    from anjian.hooks import PluginHost
    from anjian.meta import compile_catalog, load_documents

    host = PluginHost(["registry", "hazard", "complaints"])
    documents, _ = load_documents([bundled_metadata_path()])
    registry = Registry(compile_catalog(documents, host.functions.names()), 1, host.functions)
    return registry.validator("enterprise"), registry.fast_validator("enterprise")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record=records)
def test_same_verdicts(validators, record):
    slow, fast = validators
    try:
        fast(record)
        fast_ok = True
    except Exception:
        fast_ok = False
    assert slow.is_valid(record) == fast_ok, record
