"""Shapefile field names (≤ 10 bytes, whole characters, unique) and Windows-safe county file names."""
from __future__ import annotations

import pytest
from bluesky_zoning.analysis.common.file_names import (
    county_file_stem,
    safe_file_stem,
    unique_county_file_names,
)
from bluesky_zoning.analysis.schema.output_fields import (
    byte_length,
    field_dictionary_rows,
    normalize_encoding,
    shapefile_field_names,
    truncate_to_bytes,
)

FLAG_FIELDS = ["ent_id", "layer", "name", "rule_id", "action", "clause", "deadline", "lead_dept", "reason",
               "county", "city", "adcode", "distance_km", "action_class", "city_adcode", "is_city_district"]


@pytest.mark.parametrize("encoding", ["UTF-8", "GBK"])
def test_names_fit_ten_bytes_and_are_unique(encoding):
    names = FLAG_FIELDS + ["额定蒸发量（蒸吨每小时）", "额定蒸发量（兆瓦）", "单位名称", "distance_km2",
                           "distance_kmx", "Name", "NAME"]
    mapping = shapefile_field_names(names, encoding)
    shorts = list(mapping.values())
    assert len(mapping) == len(names)
    assert all(byte_length(s, encoding) <= 10 for s in shorts)
    assert len({s.lower() for s in shorts}) == len(shorts)
    # every short name decodes: no broken multi-byte character
    codec = "gbk" if encoding == "GBK" else "utf-8"
    for s in shorts:
        assert s.encode(codec).decode(codec) == s
    assert mapping["ent_id"] == "ent_id"
    assert mapping["distance_km"] == "dist_km"


def test_chinese_cut_at_character_boundary():
    assert truncate_to_bytes("额定蒸发量", 10, "UTF-8") == "额定蒸"  # 3 × 3 bytes
    assert truncate_to_bytes("额定蒸发量", 10, "GBK") == "额定蒸发量"  # 5 × 2 bytes
    assert truncate_to_bytes("a额定蒸发量", 10, "GBK") == "a额定蒸发"
    mapping = shapefile_field_names(["额定蒸发量甲", "额定蒸发量乙", "额定蒸发量丙"], "UTF-8")
    assert list(mapping.values()) == ["额定蒸", "额定_1", "额定_2"]


def test_collisions_get_numbered_suffixes():
    mapping = shapefile_field_names(["population_a", "population_b", "population_c"])
    assert list(mapping.values()) == ["population", "populati_1", "populati_2"]
    assert shapefile_field_names(["geometry_x"], reserved=["geometry_x"])["geometry_x"] == "geometry_1"


def test_encoding_names():
    assert normalize_encoding("utf8") == "UTF-8"
    assert normalize_encoding("cp936") == "GBK"
    with pytest.raises(ValueError):
        normalize_encoding("latin-1")


def test_field_dictionary_rows_in_chinese():
    rows = field_dictionary_rows(shapefile_field_names(["distance_km", "clause"]), "enterprise_flags", "企业命中")
    assert rows[0]["短字段名"] == "dist_km" and rows[0]["完整字段名"] == "distance_km"
    assert "距离" in rows[0]["含义"]
    assert "条款" in rows[1]["含义"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("小店区", "小店区"),
        ('a<b>c:d"e/f\\g|h?i*j', "abcdefghij"),
        ("尖草坪区. . ", "尖草坪区"),
        ("CON", "_CON"),
        ("com1.txt", "_com1.txt"),
        ("nul", "_nul"),
        ("tab\there\x01", "tab here"),
        ("", "unnamed"),
        ("...", "unnamed"),
    ],
)
def test_safe_file_stem(text, expected):
    assert safe_file_stem(text) == expected


def test_county_file_names_unique_and_chinese():
    names = unique_county_file_names([("140105", "小店区"), ("140105", "小店区"), ("140106", "迎泽区?"),
                                      (None, "CON"), ("140107", None)])
    assert names == ["140105_小店区.zip", "140105_小店区_2.zip", "140106_迎泽区.zip", "_CON.zip", "140107.zip"]
    assert county_file_stem("140105", "小店/区") == "140105_小店区"
