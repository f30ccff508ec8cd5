"""A generated list page reads the list columns of its records, not whole records (issue 9, limits)."""

import pytest

from anjian import Actor
from anjian.testing.plugin import ADMIN_PASSWORD


@pytest.fixture
def signed_in(client):
    assert client.post("/login/", data={"username": "admin", "password": ADMIN_PASSWORD}).status_code == 302
    return client


def test_the_list_page_reads_only_the_list_columns(app, signed_in, monkeypatch):
    platform = app.extensions["anjian"]
    platform.records.create(
        "enterprise",
        {"name": "列表列测试有限公司", "credit_code": "91350200MA2YJ1XR9G", "region_code": "350524100000", "industry": "C",
         "safety_rules": "制度" * 9_000},
        Actor("admin", is_admin=True),
    )  # fmt: skip
    reader = type(platform.reader)
    read, page = [], reader.page

    def recording(self, conn, spec, query, scope=None, columns=None):
        result = page(self, conn, spec, query, scope, columns)
        read.extend(result["items"])
        return result

    monkeypatch.setattr(reader, "page", recording)
    response = signed_in.get("/e/enterprise/")
    assert response.status_code == 200 and "列表列测试有限公司" in response.get_data(as_text=True)
    spec = platform.registry.entity("enterprise")
    assert read and all(set(item) == {"id", *spec.effective_list_columns} for item in read)
    assert "safety_rules" not in spec.effective_list_columns
