"""The user guide in a window of QGIS's own (the dock's 帮助): headings, tables and pictures as the guide shows
them, the pictures scaled to the window's width. Links to web pages open in the browser."""
from __future__ import annotations

import os

from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtGui import QImageReader, QTextCursor
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

from ..layers.user_guide import can_render
from .panels.base import tr

MAX_IMAGE_WIDTH = 860  # px: the pictures fit the window without a sideways scroll bar


class GuideViewer(QDialog):
    """A window on the guide at ``path`` (docs/用户手册.md); not modal, so the dock stays usable beside it."""

    def __init__(self, path: str, parent=None) -> None:
        super().__init__(parent)
        self.path = path
        self.setObjectName("BlueSkyGuide")
        self.setWindowTitle(tr("Blue Sky Zoning") + " — " + tr("User guide"))
        self.resize(940, 780)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(True)
        # the guide's pictures (images/…) are found beside it
        self.browser.setSearchPaths([os.path.dirname(os.path.abspath(path))])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.load()

    def load(self) -> None:
        with open(self.path, encoding="utf-8") as f:
            text = f.read()
        if can_render():
            self.browser.setMarkdown(text)
            self.fit_images()
        else:  # Qt before 5.14 reads no Markdown: the text itself, which still reads
            self.browser.setPlainText(text)

    def image_width(self, name: str) -> int:
        path = os.path.join(os.path.dirname(os.path.abspath(self.path)), QUrl(name).path())
        return QImageReader(path).size().width()

    def fit_images(self) -> None:
        """Each picture at its own width, or MAX_IMAGE_WIDTH when wider (the height follows)."""
        document = self.browser.document()
        block = document.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                fmt = fragment.charFormat()
                if fmt.isImageFormat():
                    image = fmt.toImageFormat()
                    if self.image_width(image.name()) > MAX_IMAGE_WIDTH:
                        image.setWidth(MAX_IMAGE_WIDTH)
                        cursor = QTextCursor(document)
                        cursor.setPosition(fragment.position())
                        cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                        cursor.setCharFormat(image)
                it += 1
            block = block.next()

    def images(self) -> list:
        """(name, width set) of every picture in the window (what the tests read)."""
        out = []
        block = self.browser.document().begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fmt = it.fragment().charFormat()
                if fmt.isImageFormat():
                    out.append((fmt.toImageFormat().name(), fmt.toImageFormat().width()))
                it += 1
            block = block.next()
        return out
