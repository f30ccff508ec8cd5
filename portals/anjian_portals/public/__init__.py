"""公共服务平台: the public face at ``/`` and its machine API under ``/api/v1/public``."""

from anjian.web.faces import Face

from . import accounts, interaction  # noqa: F401  (their routes join the blueprint)
from .api import api
from .api_doc import public_paths
from .views import public

__all__ = ["face"]

face = Face(
    name="public",
    title="公共服务平台",
    blueprint=public,
    home="anjian_portal_public.home",
    machine_blueprints=(api,),
    openapi_paths=public_paths,
)
