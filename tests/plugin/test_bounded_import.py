"""Issue 20, item 4 through QGIS: bluesky:import_list refuses a table past its MAX_ROWS before reading it (the
Chinese message names the file, the sheet, the rows and the limit), reads with progress, and stops on Cancel;
the import dialog's reads take the same limit and the same Cancel."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def _frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"编号": [f"GL-{i:05d}" for i in range(n)], "单位名称": [f"企业{i}" for i in range(n)],
                         "经度": 112.5 + np.arange(n) * 1e-4, "纬度": 37.8 + np.arange(n) * 1e-4})


def _feedback(cancel_after_percent=None):
    from qgis.core import QgsProcessingFeedback

    feedback = QgsProcessingFeedback()
    feedback.seen = []

    def on_progress(percent):
        feedback.seen.append(percent)
        if cancel_after_percent is not None and percent > cancel_after_percent:
            feedback.cancel()

    feedback.progressChanged.connect(on_progress)
    return feedback


def test_import_list_refuses_a_table_over_max_rows(qgis_processing, demo_provider, tmp_path):
    import processing
    from qgis.core import QgsApplication, QgsProcessingContext, QgsProcessingException

    demo_provider()
    alg = QgsApplication.processingRegistry().algorithmById("bluesky:import_list")
    assert alg.parameterDefinition("MAX_ROWS").defaultValue() == 2_000_000
    xlsx = tmp_path / "锅炉清单.xlsx"
    _frame(1000).to_excel(xlsx, index=False, sheet_name="太原")
    out = tmp_path / "points.gpkg"
    feedback = _feedback()
    with pytest.raises(QgsProcessingException) as err:  # refused before reading: at once
        processing.run("bluesky:import_list", {"INPUT": str(xlsx), "KIND": 0, "COORD_SYSTEM": 0, "MAX_ROWS": 500,
                                               "OUTPUT": str(out)}, feedback=feedback, context=QgsProcessingContext())
    log = str(err.value)  # what the Processing dialog shows
    assert "无法读取企业清单 / cannot read the enterprise list: 表格「锅炉清单.xlsx」工作表「太原」有 1,000 行数据，超过上限 500 行" in log
    assert "MAX_ROWS" in log and "Traceback" not in log
    assert not out.exists()
    result = processing.run("bluesky:import_list", {"INPUT": str(xlsx), "KIND": 0, "COORD_SYSTEM": 0,
                                                    "MAX_ROWS": 1000, "OUTPUT": str(out)})
    assert result["ROWS"] == 1000 and out.exists()


def test_import_list_reads_with_progress_and_stops_on_cancel(qgis_processing, demo_provider, tmp_path):
    import processing
    from bluesky_zoning.analysis.inputs.table_read import CHUNK_ROWS

    demo_provider()
    csv = tmp_path / "长清单.csv"
    _frame(6 * CHUNK_ROWS).to_csv(csv, index=False)
    xlsx = tmp_path / "长清单.xlsx"
    _frame(3 * CHUNK_ROWS).to_excel(xlsx, index=False)
    for path in (csv, xlsx):
        feedback = _feedback()
        done = processing.run("bluesky:import_list", {"INPUT": str(path), "KIND": 0, "COORD_SYSTEM": 0,
                                                      "OUTPUT": str(tmp_path / f"all_{path.suffix[1:]}.gpkg")},
                              feedback=feedback)
        reading = [p for p in feedback.seen if 0 < p < 40]
        assert done["ROWS"] == len(pd.read_csv(csv)) // (1 if path is csv else 2) and reading, feedback.seen
        out = tmp_path / f"canceled_{path.suffix[1:]}.gpkg"
        feedback = _feedback(cancel_after_percent=0)  # Cancel once the read has begun
        result = processing.run("bluesky:import_list", {"INPUT": str(path), "KIND": 0, "COORD_SYSTEM": 0,
                                                        "OUTPUT": str(out)}, feedback=feedback)
        assert result == {} and max(feedback.seen) < 40, feedback.seen  # stopped while reading
        assert "Canceled: nothing was written." in feedback.textLog()
        assert not out.exists()


def test_the_import_dialog_reads_within_the_limit_and_cancels(qgis_app, monkeypatch, tmp_path):
    from bluesky_zoning.analysis.inputs.table_read import DEFAULT_MAX_ROWS
    from bluesky_zoning.ui import import_dialog
    from bluesky_zoning.ui.import_dialog import ImportDialog

    xlsx = tmp_path / "清单.xlsx"
    _frame(1000).to_excel(xlsx, index=False, sheet_name="太原")
    warnings = []
    monkeypatch.setattr(import_dialog.QMessageBox, "warning", lambda _parent, _title, text: warnings.append(text))
    dialog = ImportDialog(None, kind="boiler")
    assert dialog.max_rows == DEFAULT_MAX_ROWS
    dialog.max_rows = 500
    dialog.fileWidget.setFilePath(str(xlsx))
    assert dialog._df is None and len(warnings) == 1
    assert "表格「清单.xlsx」工作表「太原」有 1,000 行数据，超过上限 500 行" in warnings[0]
    dialog.max_rows = 1000

    real = dialog.read_progress

    def canceled_at_once(path):  # the user presses Cancel on the progress dialog
        dlg = real(path)
        dlg.cancel()
        return dlg

    dialog.read_progress = canceled_at_once
    dialog.load_file(str(xlsx))
    assert dialog._df is None and dialog.columnsLabel.text() == "Reading canceled."
    del dialog.read_progress  # the class's own again
    dialog.load_file(str(xlsx))
    assert dialog._df is not None and len(dialog._df) == 1000 and not warnings[1:]
    dialog.read_progress = canceled_at_once
    dialog.accept()  # the import's read canceled: no layer, the dialog stays
    assert dialog.layer is None and not warnings[1:]
    del dialog.read_progress
    dialog.accept()
    assert dialog.layer is not None and dialog.layer.featureCount() == 1000
    dialog.deleteLater()
