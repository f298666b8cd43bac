"""Where the plan's data shipped with the plugin lie (``analysis/data/``): one place for every reader."""
from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
# the plan's rules, parameters (with their spec) and region lists
PLAN_RULES_PATH = DATA_DIR / "plan_rules.yaml"
# plan data for the meeting outputs: city order, 二(二) targets, data-note wording
MEETING_PATH = DATA_DIR / "meeting.yaml"
# Shanxi's cities and counties with adcodes (scripts/make_city_table.py)
CITY_TABLE_PATH = DATA_DIR / "shanxi_cities.yaml"
