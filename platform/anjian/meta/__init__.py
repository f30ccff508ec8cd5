"""The metamodel: reading, checking and typing metadata declarations.

Owns the meta-schemas' use, the frozen pydantic specs and every check a declaration must pass,
reporting all problems of a load at once as ``file#/json/pointer: what is wrong. what to do``.
Must not import flask, flask_appbuilder, sqlalchemy or celery: it is used by the CLI and the
designer without a database.
"""

from .compile import Catalog, compile_catalog
from .loader import Document, load_documents
from .spec import (
    AttachmentSpec,
    DictionaryItem,
    DictionarySpec,
    EntitySpec,
    FieldSpec,
    MenuItem,
    ModuleSpec,
    RoleSpec,
)

__all__ = [
    "AttachmentSpec",
    "Catalog",
    "DictionaryItem",
    "DictionarySpec",
    "Document",
    "EntitySpec",
    "FieldSpec",
    "MenuItem",
    "ModuleSpec",
    "RoleSpec",
    "compile_catalog",
    "load_documents",
]
