"""人工销号: the small dialog of the 进度 tab in which a person ticks one ledger task off (who, the evidence file,
a note) or takes their tick back. It only asks; the 进度 panel saves through the ledger store."""
from __future__ import annotations

import os
from typing import Mapping, Tuple

from qgis.gui import QgsFileWidget
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from .base import tr


def evidence_name(text: str) -> str:
    """What the ledger keeps of the evidence: the file's name (the record stays where the bureau files it)."""
    text = (text or "").strip().strip('"')
    return os.path.basename(text) if text else ""


class CheckOffDialog(QDialog):
    """One task, who checks it off (QGIS's user to start with), the evidence file and a note."""

    def __init__(self, parent, task: Mapping, title: str, user: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Check off by hand"))
        layout = QVBoxLayout(self)
        about = QLabel(title, self)
        about.setWordWrap(True)
        layout.addWidget(about)
        form = QFormLayout()
        self.by = QLineEdit(user, self)
        self.evidence = QgsFileWidget(self)
        self.evidence.setStorageMode(QgsFileWidget.StorageMode.GetFile)
        self.evidence.setDialogTitle(tr("Evidence file (inspection record, photo…)"))
        self.note = QLineEdit(self)
        self.note.setPlaceholderText(tr("e.g. removed on site, inspected on 2020-08-20"))
        self.revert = QCheckBox(tr("Take this task's check-off back"), self)
        self.can_revert = task.get("check_off") == "done"
        self.revert.setVisible(self.can_revert)  # only a ticked task can be taken back
        form.addRow(tr("Checked off by"), self.by)
        form.addRow(tr("Evidence file"), self.evidence)
        form.addRow(tr("Note"), self.note)
        form.addRow(self.revert)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(460, self.sizeHint().height())

    def values(self) -> Tuple[str, str, str, bool]:
        """(who, the evidence file's name, note, revert)."""
        return (self.by.text().strip(), evidence_name(self.evidence.filePath()), self.note.text().strip(),
                self.can_revert and self.revert.isChecked())
