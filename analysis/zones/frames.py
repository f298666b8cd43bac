"""What every zone builder shares: the zone_id of a layer, an empty zone, notes kept on a zone, a parameter's
value or the spec's default, and the name keys that match '太原' with '太原市'."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from ..common.cells import cell_text
from ..plan.zone_registry import ZONES
from ..schema.params import param_default

ZONE_ID: Dict[str, str] = {z.layer: z.id for z in ZONES}  # layer → zone id, for the zone_id column


def param_or_default(value: Optional[float], name: str) -> float:
    """A builder's parameter: the value given, else the spec's default."""
    return float(param_default(name) if value is None else value)


def empty_zone(zone_id: str, columns: Sequence[str]) -> gpd.GeoDataFrame:
    data: Dict[str, Any] = {"zone_id": pd.Series([], dtype=object)}
    data.update({c: pd.Series([], dtype=object) for c in columns})
    return gpd.GeoDataFrame(data, geometry=[], crs="EPSG:4326")


def with_notes(gdf: gpd.GeoDataFrame, notes: List[str]) -> gpd.GeoDataFrame:
    gdf.attrs["notes"] = list(notes)
    return gdf


def _strip(name: Any, suffixes: str) -> str:
    text = (cell_text(name) or "").strip()  # a blank (None or NaN) is "", never "nan"
    return text[:-1] if len(text) > 1 and text[-1] in suffixes else text


def city_key(name: Any) -> str:
    """City name without its 市 suffix, so '太原' and '太原市' match."""
    return _strip(name, "市")


def county_key(name: Any) -> str:
    """County name without 区/县/市 suffix, used only as a fallback match ('太谷县' ~ '太谷区')."""
    return _strip(name, "区县市旗")


def blank_text(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() in (
        "", "nan", "None", "<NA>")
