"""Packaging for anjian.

``platform/`` is a source root, not a package: the engine is ``anjian``. Naming a package
``platform`` would shadow Python's stdlib module and break sqlalchemy, uuid and pytest.
``modules/`` holds bundled business-rule packages and ``metadata/`` ships as the data package
``anjian_metadata`` so that a plain ``pip install .`` carries the standard declarations too.
"""

from pathlib import Path

from setuptools import setup

HERE = Path(__file__).parent


def _metadata_files() -> list[str]:
    root = HERE / "metadata"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.json"))


def _requirements() -> list[str]:
    lines = (HERE / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


setup(
    name="anjian",
    version="0.1.0",
    description="Low-code platform for county work-safety agencies (安监)",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    package_dir={
        "": "platform",
        "anjian_metadata": "metadata",
        "anjian_registry": "modules/anjian_registry",
        "anjian_hazard": "modules/anjian_hazard",
        "anjian_complaints": "modules/anjian_complaints",
        "anjian_accident": "modules/anjian_accident",
        "anjian_enforcement": "modules/anjian_enforcement",
        "anjian_portals": "portals/anjian_portals",
    },
    packages=[
        "anjian",
        "anjian.api",
        "anjian.auth",
        "anjian.authz",
        "anjian.audit",
        "anjian.catalog",
        "anjian.cli",
        "anjian.data",
        "anjian.hooks",
        "anjian.meta",
        "anjian.store",
        "anjian.tasks",
        "anjian.ui",
        "anjian.web",
        "anjian.workflow",
        "anjian.testing",
        "anjian_metadata",
        "anjian_registry",
        "anjian_hazard",
        "anjian_complaints",
        "anjian_accident",
        "anjian_enforcement",
        "anjian_portals",
        "anjian_portals.public",
        "anjian_portals.office",
        "anjian_portals.decision",
    ],
    package_data={
        "anjian": [
            "py.typed",
            "templates/anjian/*.html",
            "templates/anjian/admin/*.html",
            "templates/appbuilder/*.html",
            "templates/appbuilder/general/*.html",
            "translations/*/LC_MESSAGES/*",
            "static/*",
            "static/vendor/*",
            "static/vendor/*/*",
            "static/vendor/*/images/*",
            "templates/anjian/studio/*.html",
            "authz/model.conf",
        ],
        "anjian_metadata": _metadata_files(),
        "anjian_portals": ["templates/portals/*.html", "static/*"],
    },
    include_package_data=False,
    install_requires=_requirements(),
    entry_points={
        "console_scripts": ["anjian = anjian.cli:main"],
        "anjian.plugins": [
            "registry = anjian_registry",
            "hazard = anjian_hazard",
            "complaints = anjian_complaints",
            "accident = anjian_accident",
            "enforcement = anjian_enforcement",
        ],
        "pytest11": ["anjian = anjian.testing.plugin"],
        "anjian.portals": [
            "public = anjian_portals.public:face",
            "office = anjian_portals.office:face",
            "decision = anjian_portals.decision:face",
        ],
    },
)
