"""A small hand-made result set (4 real Shanxi counties, zones, Chinese-named enterprises) for output tests.

Built without the analysis pipeline so the output writers can be tested on their own: admin.gpkg
(counties, cities), zones.gpkg (the eight zone layers) and flags.gpkg (enterprise_flags,
enterprise_verdicts, to_verify), all EPSG:4326.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from bluesky_zoning.analysis.inputs.admin import load_shanxi_boundaries
from shapely.geometry import Point

# 小店区 (太原), 城区 (阳泉), 城区 (晋城) — same name in two cities —, 平遥县 (晋中)
FIXTURE_ADCODES = ["140105", "140302", "140502", "140728"]
LONG_COUNTY = "140105"  # gets enough flags to continue its table on a second page
N_LONG = 110

RULES = [
    ("B-35", "三(二)10", "淘汰", "2020-10-01", "省生态环境厅牵头，市县政府负责落实"),
    ("B-BAN", "三(二)8", "依法清理", "2020-10-31", "市县政府负责落实"),
    ("P-ULE", "三(一)4", "超低排放改造", "2020-10-01", "省生态环境厅牵头，市县政府负责落实"),
    ("M-OPEN", "三(四)15", "关闭", "2020-08-31", "省自然资源厅牵头，市县政府负责落实"),
]


@dataclass
class OutputsFixture:
    admin_gpkg: Path
    zones_gpkg: Path
    flags_gpkg: Path
    counties: gpd.GeoDataFrame
    flags: gpd.GeoDataFrame
    verdicts: gpd.GeoDataFrame


def _ring(point: Point, km: float):
    metric = gpd.GeoSeries([point], crs=4326).to_crs(4547)
    return metric.buffer(km * 1000).to_crs(4326).iloc[0]


def build_outputs_fixture(folder: Path) -> OutputsFixture:
    folder.mkdir(parents=True, exist_ok=True)
    all_counties = load_shanxi_boundaries()
    counties = all_counties[all_counties["adcode"].isin(FIXTURE_ADCODES)].reset_index(drop=True)
    admin = folder / "admin.gpkg"
    pyogrio.write_dataframe(counties, admin, layer="counties", driver="GPKG")
    cities = counties.dissolve("city", as_index=False)[["city", "city_adcode", "geometry"]]
    pyogrio.write_dataframe(cities, admin, layer="cities", driver="GPKG", append=True)

    inner = {r.adcode: r.geometry.representative_point() for r in counties.itertuples()}
    zones = folder / "zones.gpkg"
    ban = gpd.GeoDataFrame(
        {"zone_id": "Z-BAN", "county": counties["county"], "city": counties["city"], "adcode": counties["adcode"]},
        geometry=[_ring(inner[a], 3).intersection(g) for a, g in zip(counties["adcode"], counties.geometry)],
        crs=4326,
    )
    pyogrio.write_dataframe(ban, zones, layer="coal_ban_zone", driver="GPKG")
    one30 = counties[counties["adcode"].isin(["140105", "140728"])]
    region = gpd.GeoDataFrame({"zone_id": ["Z-1P30"], "region": ["太原及周边“1+30”区域"], "verified": [False],
                               "note": ["1+30 名单为预置参考名单，请以省大气办正式文件为准"]},
                              geometry=[one30.union_all()], crs=4326)
    pyogrio.write_dataframe(region, zones, layer="region_1p30", driver="GPKG", append=True)
    key = gpd.GeoDataFrame({"zone_id": "Z-KEY", "group": ["京津冀及周边地区", "汾渭平原"]},
                           geometry=[counties[counties.city.isin(["太原市", "阳泉市", "晋城市"])].union_all(),
                                     counties[counties.city == "晋中市"].union_all()], crs=4326)
    pyogrio.write_dataframe(key, zones, layer="key_city_groups", driver="GPKG", append=True)
    chp = gpd.GeoDataFrame({"zone_id": ["Z-CHP"], "plant_name": ["太原第一热电厂"], "radius_km": [15.0]},
                           geometry=[_ring(inner["140105"], 15)], crs=4326)
    pyogrio.write_dataframe(chp, zones, layer="chp_heating_radius", driver="GPKG", append=True)
    mine = gpd.GeoDataFrame({"zone_id": "Z-MINE", "city": ["太原市", "阳泉市"], "ring_km": 3.0},
                            geometry=[_ring(inner["140105"], 6), _ring(inner["140302"], 5)], crs=4326)
    pyogrio.write_dataframe(mine, zones, layer="mine_closure_zone", driver="GPKG", append=True)

    rows = []
    per_county = {"140105": N_LONG, "140302": 3, "140502": 2, "140728": 0}
    n = 0
    for c in counties.itertuples():
        for k in range(per_county[c.adcode]):
            n += 1
            rule = RULES[k % len(RULES)]
            # points spread around the county's inner point, kept inside the county
            p = inner[c.adcode]
            pt = Point(p.x + 0.004 * ((k % 6) - 3), p.y + 0.004 * ((k // 6) - 3))
            if not c.geometry.contains(pt):
                pt = p
            rows.append({
                "ent_id": f"E{n:03d}", "layer": "boiler" if rule[0].startswith("B") else "plant",
                "name": f"{c.county}第{k + 1}号供热锅炉（{c.city}）", "rule_id": rule[0], "action": rule[2],
                "clause": rule[1], "deadline": rule[3], "lead_dept": rule[4],
                "reason": f"燃煤锅炉 {10 + k} 蒸吨/小时 < 35，位于{c.city}", "county": c.county, "city": c.city,
                "adcode": c.adcode, "distance_km": round(0.5 * k, 2), "level": "市县政府",
                "severity": 1 + k % 3, "geometry": pt,
            })
    # one enterprise hit by two rules (two flag rows, one verdict)
    extra = dict(rows[0])
    extra.update(rule_id="B-BAN", action="依法清理", clause="三(二)8", deadline="2020-10-31")
    rows.append(extra)
    flags = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    pyogrio.write_dataframe(flags.drop(columns="geometry").assign(lon=flags.geometry.x, lat=flags.geometry.y),
                            Path(folder / "flags.gpkg"), layer="enterprise_flags", driver="GPKG")
    verdicts = (flags.sort_values("severity").groupby(["ent_id", "layer"], as_index=False)
                .agg(name=("name", "first"), verdict=("action", "first"),
                     rule_ids=("rule_id", lambda s: ";".join(s)), county=("county", "first"),
                     city=("city", "first"), geometry=("geometry", "first")))
    verdicts = gpd.GeoDataFrame(verdicts, geometry="geometry", crs=4326)
    pyogrio.write_dataframe(verdicts, folder / "flags.gpkg", layer="enterprise_verdicts", driver="GPKG",
                            append=True)
    tv = pd.DataFrame({"ent_id": ["E900", "E901"], "layer": ["boiler", "mine"],
                       "problem": ["额定蒸发量无法解析：“约二十吨”", "点位不在任何县级行政区内"]})
    pyogrio.write_dataframe(tv, folder / "flags.gpkg", layer="to_verify", driver="GPKG", append=True)
    return OutputsFixture(admin, zones, folder / "flags.gpkg", counties, flags, verdicts)
