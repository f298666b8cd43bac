"""What a person reads in a stored ledger, whichever way they open it: each code's Chinese in a column beside it
(``status`` open → ``status_label`` 未完成; analysis/ledger/tables.py ``LABEL_COLUMNS``), Chinese field aliases
(``FIELD_ALIASES``, from analysis/schema/output_fields.py) and, in a GeoPackage, a default QGIS style per table
that carries them, so a ledger.gpkg dragged into QGIS reads as the dock shows it.

The label columns are data, not a style: they survive PostGIS, an export to a spreadsheet and any other client.
Both stores write them from the codes (``with_labels``) and fill them in once in a ledger written before they
existed (``label_sets``: one SQL CASE per label, for SQLite and PostgreSQL alike)."""
from __future__ import annotations

from typing import Callable, Dict, List, Mapping, Optional, Sequence

import pandas as pd
from qgis.core import QgsVectorLayer

from ...analysis.ledger.updates import FIELD_ALIASES, LABEL_COLUMNS, STORED_COLUMNS, code_labels
from ..styling import apply_style

__all__ = ["rule_names_of", "sqlite_literal", "label_exprs", "label_sets", "missing_labels", "dress", "style_qml", "STYLE_NOTE"]

# The description of the default styles the ledger writes (replaced on a later write, never a user's own style).
STYLE_NOTE = "蓝天管控月度台账：中文字段名与样式 / Blue Sky Zoning ledger: Chinese field names and style"


def rule_names_of(flags: Optional[pd.DataFrame] = None) -> Dict[str, str]:
    """Rule id → short name: the rules file's, overridden by the names a run wrote beside its flags (the run's
    own rules file may name its rules otherwise)."""
    from ...analysis.reports.labels import rule_names

    names = dict(rule_names())
    if flags is not None and {"rule_id", "rule_name"} <= set(flags.columns):
        pairs = flags[["rule_id", "rule_name"]].dropna().astype(str).drop_duplicates("rule_id")
        names.update({r: n for r, n in zip(pairs["rule_id"], pairs["rule_name"]) if n.strip()})
    return names


def sqlite_literal(value: object) -> str:
    return "'" + str(value).replace("\x00", "").replace("'", "''") + "'"


def _case(code_sql: str, mapping: Mapping[str, str], literal: Callable[[object], str]) -> str:
    """The label of a code column in SQL: its Chinese where known, the code itself otherwise, NULL when empty."""
    if not mapping:
        return f"NULLIF({code_sql}, '')"
    whens = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in mapping.items())
    return f"CASE {code_sql} {whens} ELSE NULLIF({code_sql}, '') END"


def label_exprs(table: str, literal: Callable[[object], str], quote: Callable[[str], str],
                rule_names: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """Label column → its SQL expression on the code column, for each label of ``table``."""
    return {label: _case(quote(code), code_labels(code, rule_names), literal)
            for label, code in LABEL_COLUMNS.get(table, {}).items()}


def label_sets(table: str, literal: Callable[[object], str], quote: Callable[[str], str],
               rule_names: Optional[Mapping[str, str]] = None, only: Optional[Sequence[str]] = None) -> List[str]:
    """``"label" = CASE "code" WHEN … END`` for each label column of ``table`` (or those in ``only``)."""
    return [f"{quote(label)} = {expr}" for label, expr in label_exprs(table, literal, quote, rule_names).items()
            if only is None or label in only]


def missing_labels(table: str, present: Sequence[str]) -> List[str]:
    """The label columns ``table`` should have and a stored table (its columns ``present``) lacks."""
    return [c for c in LABEL_COLUMNS.get(table, {}) if c not in set(present)]


def _labels_beside_codes(layer: QgsVectorLayer, table: str) -> None:
    """In the attribute table each label right after its code, also where a label column was added last."""
    labels = LABEL_COLUMNS.get(table, {})
    config = layer.attributeTableConfig()
    if not config.columns():
        config.update(layer.fields())
    columns = list(config.columns())
    by_name = {c.name: c for c in columns if c.name in labels}
    ordered = []
    for column in columns:
        if column.name in by_name:
            continue
        ordered.append(column)
        ordered.extend(by_name.pop(label) for label, code in labels.items() if code == column.name and label in by_name)
    config.setColumns(ordered + list(by_name.values()))
    layer.setAttributeTableConfig(config)


def dress(table: str, layer: QgsVectorLayer) -> QgsVectorLayer:
    """A ledger table's layer as a person reads it: the tasks styled (done greyed, overdue red), every field's
    Chinese alias, labels beside their codes."""
    if table == "tasks":
        apply_style(layer, "ledger_tasks")
    for i, fld in enumerate(layer.fields()):
        if fld.name() in FIELD_ALIASES:
            layer.setFieldAlias(i, FIELD_ALIASES[fld.name()])
    _labels_beside_codes(layer, table)
    layer.setCustomProperty("bluesky_zoning/ledger", table)
    return layer


def style_qml(table: str) -> str:
    """The QGIS style (QML) of a ledger table as ``dress`` makes it, for a GeoPackage's default style."""
    from qgis.PyQt.QtXml import QDomDocument

    from ...analysis.ledger.updates import FLOAT_COLUMNS, INT_COLUMNS

    def kind(c: str) -> str:
        return "integer" if c in INT_COLUMNS else "double" if c in FLOAT_COLUMNS else "string"

    fields = "&".join(f"field={c}:{kind(c)}" for c in STORED_COLUMNS[table])
    geometry = "Point?crs=EPSG:4326&" if table == "tasks" else "None?"
    layer = dress(table, QgsVectorLayer(geometry + fields, table, "memory"))
    doc = QDomDocument()
    error = layer.exportNamedStyle(doc)
    if error:
        raise RuntimeError(error)
    return doc.toString()
