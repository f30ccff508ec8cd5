"""The GIS plugin's settings (``ANJIAN_GIS_<FIELD>``), checked at start."""

from __future__ import annotations

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from .geometry import CHINA, BBox

__all__ = ["GisSettings"]


class GisSettings(BaseModel):
    area: str = Field(
        ",".join(str(v) for v in CHINA.as_list()),
        description="The deployment's area as 'min lon,min lat,max lon,max lat': geometries outside it are refused.",
    )
    view: str = Field(
        "",
        description="Where form maps and 一张图 open, as 'min lon,min lat,max lon,max lat'; empty: derived (see view.py).",
    )
    tile_url: str = Field(
        "",
        max_length=500,
        description="Base tiles as an {z}/{x}/{y} URL template (e.g. a 天地图 node with its tk key); empty: no base tiles.",
    )
    tile_attribution: str = Field("", max_length=200, description="Attribution shown for the base tiles (审图号 etc.).")
    max_limit: int = Field(10000, ge=1, le=100000, description="Most features one items or GetFeature request returns.")
    default_limit: int = Field(100, ge=1, le=10000, description="Features per page when the caller gives no limit.")
    anonymous_per_minute: int = Field(
        300, ge=1, le=100000, description="Anonymous OGC requests one client address may make per minute (429 beyond)."
    )

    @field_validator("area", "view")
    @classmethod
    def _area(cls, value: str, info: ValidationInfo) -> str:
        if not value and info.field_name == "view":
            return value
        parts = value.split(",")
        try:
            minx, miny, maxx, maxy = (float(p) for p in parts)
        except ValueError:
            raise ValueError("应为 '最小经度,最小纬度,最大经度,最大纬度' 四个数") from None
        if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
            raise ValueError("范围无效：应满足 最小经度 < 最大经度、最小纬度 < 最大纬度，且在经纬度范围内")
        return value

    @property
    def area_box(self) -> BBox:
        minx, miny, maxx, maxy = (float(p) for p in self.area.split(","))
        return BBox(minx, miny, maxx, maxy)

    @property
    def view_box(self) -> BBox | None:
        """The configured opening view, if any."""
        if not self.view:
            return None
        minx, miny, maxx, maxy = (float(p) for p in self.view.split(","))
        return BBox(minx, miny, maxx, maxy)
