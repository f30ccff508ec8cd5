"""Generated office screens (业务办公平台): list, detail, forms for every published entity.

Served by one blueprint with generic routes (``/e/<entity>/...``) that look the entity up in the
live registry at request time, so a newly published entity has screens at once, with no restart.
Pages extend Flask-AppBuilder's layout (navbar, login, language switcher); every read goes
through the access policy's scope and every write through the record service.
"""

from .admin import admin
from .menu import CatalogMenu, entry_allowed
from .views import ui

__all__ = ["CatalogMenu", "admin", "entry_allowed", "ui"]
