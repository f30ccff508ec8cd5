"""The source layout guards: `platform/` is a source root, never the stdlib-shadowing package."""

import importlib
import subprocess
import sys
from pathlib import Path

import anjian

ROOT = Path(__file__).resolve().parents[2]


def test_platform_folder_is_not_a_package():
    assert (ROOT / "platform" / "anjian" / "__init__.py").exists()
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_import_platform_is_the_stdlib_module_even_from_the_repository_root():
    result = subprocess.run(
        [sys.executable, "-c", "import platform; print(platform.__file__); platform.system()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "lib/python" in result.stdout and "/work" not in result.stdout.split("lib/python")[0][-6:]
    assert not result.stdout.strip().startswith(str(ROOT / "platform"))


def test_public_api_is_pinned():
    assert anjian.__all__ == sorted(anjian.__all__)
    assert set(anjian.__all__) == {
        "Actor",
        "AnjianError",
        "FieldError",
        "MetadataError",
        "MetadataErrors",
        "NotFound",
        "PermissionDenied",
        "Platform",
        "RecordConflict",
        "RecordValidationError",
        "__version__",
        "create_app",
        "hookimpl",
    }
    for name in anjian.__all__:
        assert getattr(anjian, name) is not None


def test_metadata_ships_as_a_data_package():
    package = importlib.import_module("anjian_metadata")
    folder = Path(package.__file__).parent
    assert (folder / "meta-schemas" / "entity.schema.json").exists()
    assert (folder / "dictionaries" / "region.json").exists()
