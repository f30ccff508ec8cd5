"""The hello plugin's tests run on a platform with the plugin enabled beside the bundled modules."""

import pytest


@pytest.fixture
def enabled_plugins() -> tuple[str, ...]:
    return ("hello",)
