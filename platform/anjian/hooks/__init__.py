"""The plugin host: pluggy hook specifications and the manager that loads enabled plugins.

Plugins and bundled business modules register through the ``anjian.plugins`` entry-point group;
only those named in ``ANJIAN_PLUGINS`` are enabled (installed is not enabled). Must not import
flask or sqlalchemy.
"""

from .info import PluginInfo
from .manager import NamedFunctions, PluginHost, hookimpl, installed_entry_points
from .specs import hookspec

__all__ = ["NamedFunctions", "PluginHost", "PluginInfo", "hookimpl", "hookspec", "installed_entry_points"]
