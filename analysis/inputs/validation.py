"""Checks of a user's input layers and the messages they produce, Chinese first with English: where callers
import them from.

Every message about one bad value names the layer, the row (and id) and the field, and quotes the raw value.
The checks are split by concern:

- ``input_messages.py``: the messages themselves (one bad value, a to_verify row, an empty list, a failed write);
- ``crs_checks.py``: the CRS against the coordinates (the policy: guess WGS84 only for lon/lat in China without
  a CRS, refuse every other doubt), repeated column names, a layer as every step reads it (``to_wgs84_checked``);
- ``geometry_checks.py``: empty or wrongly typed layers, features without geometry, invalid polygons, county
  names that contradict their adcode;
- ``field_checks.py``: the field mapping (overrides checked, required fields refused), FIELD_MAP text, what a
  run loses without a field;
- ``errors.py``: ``InputError`` (a bad input, nothing done) and ``OutputError`` (an output not written).
"""
from __future__ import annotations

from ..common.errors import InputError, OutputError
from .crs_checks import CHINA_BOX, check_crs, check_unique_columns, to_wgs84_checked
from .field_checks import check_field_mapping, missing_field_note, missing_field_notes, parse_field_map
from .geometry_checks import (
    POINT_TYPES,
    POLYGON_TYPES,
    admin_name_messages,
    blank_name_messages,
    check_point_layer,
    check_polygon_layer,
    empty_polygon_messages,
    invalid_polygon_messages,
    repaired_messages,
)
from .messages import (
    MAX_ROW_MESSAGES,
    empty_list_warning,
    is_blank,
    problem_message,
    problem_messages,
    row_message,
    write_error,
)

__all__ = [
    "InputError", "OutputError", "CHINA_BOX", "row_message", "problem_message", "problem_messages", "check_crs",
    "check_polygon_layer", "check_point_layer", "empty_list_warning", "repaired_messages", "write_error",
    "MAX_ROW_MESSAGES", "to_wgs84_checked", "check_unique_columns", "check_field_mapping", "parse_field_map",
    "missing_field_note", "missing_field_notes", "admin_name_messages", "blank_name_messages",
    "empty_polygon_messages", "invalid_polygon_messages", "is_blank", "POINT_TYPES", "POLYGON_TYPES",
]
