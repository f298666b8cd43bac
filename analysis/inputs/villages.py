"""Villages and communities (三(二)7 clean heating): their coverage figures and the rural 60 % report.

A village list gives some of 总户数, 散煤户数, 清洁取暖户数 and 清洁取暖覆盖率. The rules test one number, the
clean-heating share in per cent, so it is derived here once: the share given, else clean ÷ total, else
1 − loose-coal ÷ total. Contradictions (more clean or loose-coal households than households) are reported per
row and leave the share unknown, so the village goes to 需核实 rather than being judged on a wrong number.

The rural target ("农村地区力争达到60%以上") is no per-village flag: :func:`rural_heating_table` sums households
per county and city over the villages outside the built-up areas and their fringe (Z-BAN).
"""
from __future__ import annotations

from typing import List, Tuple

import numpy as np
import pandas as pd
import shapely

RURAL_COLUMNS = ["scope", "city", "county", "adcode", "villages", "households", "clean_households",
                 "coverage_pct", "target_pct", "meets", "unknown_villages"]
RURAL_LAYER = "rural_heating"  # the non-spatial layer of flags.gpkg


def points_of_polygons(geoms: np.ndarray) -> np.ndarray:
    """Village polygons judged at a point inside each (point_on_surface: inside even for a U-shaped village);
    points and blanks are kept as they are."""
    geoms = np.asarray(geoms, dtype=object)
    types = shapely.get_type_id(geoms)  # 3 Polygon, 6 MultiPolygon
    poly = np.isin(types, (3, 6)) & ~shapely.is_empty(np.where(types < 0, None, geoms))
    out = geoms.copy()
    if poly.any():
        out[poly] = shapely.point_on_surface(geoms[poly])
    return out


def _num(frame: pd.DataFrame, name: str) -> np.ndarray:
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float) if name in frame.columns \
        else np.full(len(frame), np.nan)


def clean_households(frame: pd.DataFrame) -> np.ndarray:
    """Households heated cleanly per village (NaN where the list does not say): the clean count, else total −
    loose coal, else total × the share given."""
    total, coal, clean = _num(frame, "households"), _num(frame, "coal_households"), _num(frame, "clean_households")
    pct = _num(frame, "clean_heating_pct")
    out = np.where(np.isfinite(clean), clean, total - coal)
    return np.where(np.isfinite(out), out, total * pct / 100.0)


def derived_fields(kind: str, mapping: dict) -> dict:
    """Fields a list lacks but the run works out from others it has, with the Chinese sentence that says from
    what (a field derived is not missing: its rules are evaluated)."""
    if kind != "village" or mapping.get("clean_heating_pct") or not mapping.get("households"):
        return {}
    if mapping.get("coal_households"):
        return {"clean_heating_pct": "清洁取暖覆盖率由总户数和散煤户数推算"}
    if mapping.get("clean_households"):
        return {"clean_heating_pct": "清洁取暖覆盖率由总户数和清洁取暖户数推算"}
    return {}


def derive_village_fields(out: pd.DataFrame) -> List[Tuple[np.ndarray, str, str]]:
    """Fill ``clean_heating_pct`` where the list gives counts instead; returns the contradictions as
    (row mask, field, Chinese problem) — the share is then left unknown."""
    total, coal, clean = _num(out, "households"), _num(out, "coal_households"), _num(out, "clean_households")
    problems = []
    with np.errstate(invalid="ignore"):
        too_clean = np.isfinite(clean) & np.isfinite(total) & (clean > total)
        too_coal = np.isfinite(coal) & np.isfinite(total) & (coal > total)
    if too_clean.any():
        problems.append((too_clean, "clean_households", "清洁取暖户数大于总户数，覆盖率无法计算"))
    if too_coal.any():
        problems.append((too_coal, "coal_households", "散煤户数大于总户数，覆盖率无法计算"))
    given = _num(out, "clean_heating_pct")
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, clean_households(out.assign(clean_heating_pct=np.nan)) / total * 100.0, np.nan)
    share = np.where(np.isfinite(given), given, np.round(share, 1))
    share[too_clean | too_coal] = np.nan
    out["clean_heating_pct"] = share
    return problems


def rural_heating_table(frame: pd.DataFrame, city: np.ndarray, county: np.ndarray, adcode: np.ndarray,
                        rural: np.ndarray, target_pct: float) -> pd.DataFrame:
    """Households-weighted clean-heating coverage of the rural villages (``rural``: outside the built-up areas
    and their fringe, inside a county) per county, per city and for the province (columns ``RURAL_COLUMNS``).
    A village without total households or clean figures is counted in ``unknown_villages`` only."""
    total = _num(frame, "households")
    clean = np.minimum(clean_households(frame), total)
    known = np.isfinite(total) & np.isfinite(clean) & (total > 0)
    df = pd.DataFrame({"city": city, "county": county, "adcode": adcode, "households": np.where(known, total, 0.0),
                       "clean_households": np.where(known, clean, 0.0), "known": known})[np.asarray(rural, bool)]
    rows = []

    def row(scope: str, city_name: str, county_name: str, code: str, part: pd.DataFrame) -> dict:
        hh, cl = float(part["households"].sum()), float(part["clean_households"].sum())
        pct = round(cl / hh * 100.0, 1) if hh > 0 else np.nan
        return {"scope": scope, "city": city_name, "county": county_name, "adcode": code,
                "villages": int(part["known"].sum()), "households": int(round(hh)), "clean_households": int(round(cl)),
                "coverage_pct": pct, "target_pct": float(target_pct),
                "meets": int(bool(np.isfinite(pct) and pct >= target_pct)), "unknown_villages": int((~part["known"]).sum())}

    for (c, k, code), part in df.groupby(["city", "county", "adcode"], sort=True, dropna=False):
        rows.append(row("county", str(c), str(k), str(code), part))
    for c, part in df.groupby("city", sort=True, dropna=False):
        rows.append(row("city", str(c), "", "", part))
    if len(df):
        rows.append(row("province", "", "", "", df))
    return pd.DataFrame(rows, columns=RURAL_COLUMNS)
