"""The plan as data: the rules file (rules, parameter values, region lists; ``rules``), the zone registry
(one ZoneDef per zone; ``zone_registry``) and a rule as one Chinese sentence (``rule_text``).

May import: common, schema.
"""
