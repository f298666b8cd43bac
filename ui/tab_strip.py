"""The dock's tab names as buttons that wrap onto a second row: every tab stays in view at the dock's width.

A QTabBar keeps its tabs on one row and hides what does not fit behind arrows; at the width analysts keep the
dock (560 px) the last tabs (进度, and any tab added later) were out of sight. The QTabWidget still holds the
pages and stays the one place that says which page is current (``tabs.setCurrentIndex``, ``tabText`` …); only
its own bar is hidden and this strip shows the names instead, one checkable button per page.
"""
from __future__ import annotations

from typing import List, Optional

from qgis.PyQt.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, QTimer
from qgis.PyQt.QtWidgets import (
    QButtonGroup,
    QLayout,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QWidget,
)

SPACING = 2  # px between buttons and rows
STYLE = """
QToolButton[bluesky_tab="true"] { padding: 3px 9px; border: 1px solid palette(mid); border-radius: 3px; }
QToolButton[bluesky_tab="true"]:checked { background: palette(highlight); color: palette(highlighted-text);
                                          border-color: palette(highlight); }
QToolButton[bluesky_tab="true"]:hover:!checked { background: palette(midlight); }
"""


class FlowLayout(QLayout):
    """Items left to right, wrapping to a new row when the next one would not fit."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self._items: list = []
        self.setContentsMargins(0, 0, 0, 0)
        self.setSpacing(SPACING)

    # -- QLayout's interface -------------------------------------------------------------------------
    def addItem(self, item) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):  # noqa: N802 - Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):  # noqa: N802 - Qt's name
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self):  # noqa: N802 - Qt's name
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt's name
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """All on one row (what the strip would like); heightForWidth says how tall it is when it wraps."""
        visible = [i.sizeHint() for i in self._items if not i.isEmpty()]
        if not visible:
            return QSize(0, 0)
        width = sum(s.width() for s in visible) + SPACING * (len(visible) - 1)
        return QSize(width, max(s.height() for s in visible))

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt's name
        """The widest single button: the dock may be as narrow as that, the rest wraps."""
        size = QSize(0, 0)
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    # -- the layout itself ---------------------------------------------------------------------------
    def _arrange(self, rect: QRect, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, row_height = area.x(), area.y(), 0
        for item in self._items:
            if item.isEmpty():  # a hidden button takes no place
                continue
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, row_height = area.x(), y + row_height + SPACING, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + SPACING
            row_height = max(row_height, hint.height())
        return y + row_height - rect.y() + margins.bottom()


class TabStrip(QWidget):
    """One checkable button per page of ``tabs``, wrapping; clicking one shows its page. Names, tooltips and
    the current page follow the QTabWidget (pages added or removed later get their button too)."""

    def __init__(self, tabs: QTabWidget, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("tabStrip")
        self.tabs = tabs
        self.flow = FlowLayout(self)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: List[QToolButton] = []
        self.trailing: List[QWidget] = []  # widgets after the tab buttons (帮助)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setStyleSheet(STYLE)
        tabs.tabBar().hide()
        self.group.buttonClicked.connect(lambda button: self._clicked(self.buttons.index(button)))
        tabs.currentChanged.connect(lambda _index: self._check_current())
        # a page added (addTab: the page joins the QTabWidget's stack) or removed (removeTab): the strip follows
        self._stack = tabs.findChild(QStackedWidget)
        if self._stack is not None:
            self._stack.installEventFilter(self)
            self._stack.widgetRemoved.connect(lambda _index: QTimer.singleShot(0, self.sync))
        self.sync()

    def add_trailing(self, widget: QWidget) -> None:
        """A widget after the tab buttons, in the same flow (the help button)."""
        widget.setParent(self)
        self.trailing.append(widget)
        self.flow.addWidget(widget)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # (getattr: a dock being garbage-collected may still deliver events while its Python half is gone)
        if watched is getattr(self, "_stack", None) and event.type() in (QEvent.Type.ChildAdded,
                                                                          QEvent.Type.ChildRemoved):
            QTimer.singleShot(0, self.sync)  # the QTabWidget has finished adding the page by then
        return False

    def sync(self) -> None:
        """Buttons for the pages the QTabWidget has now, with their names, and the current one checked."""
        tabs = self.tabs
        try:
            tabs.count()
        except RuntimeError:  # a sync queued before the dock went away
            return
        while len(self.buttons) < tabs.count():
            button = QToolButton(self)
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setProperty("bluesky_tab", True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.group.addButton(button, len(self.buttons))
            self.buttons.append(button)
            # the tab buttons come before the trailing widgets
            for widget in self.trailing:
                self.flow.removeWidget(widget)
            self.flow.addWidget(button)
            for widget in self.trailing:
                self.flow.addWidget(widget)
        while len(self.buttons) > tabs.count():
            button = self.buttons.pop()
            self.group.removeButton(button)
            self.flow.removeWidget(button)
            button.deleteLater()
        for index in range(len(self.buttons)):
            self.refresh_button(index)
        self._check_current()
        self.flow.invalidate()
        self.updateGeometry()

    def refresh_button(self, index: int) -> None:
        """The button of page ``index`` says what its tab says (text, tooltip, enabled, visible)."""
        if not 0 <= index < len(self.buttons):
            return
        tabs, button = self.tabs, self.buttons[index]
        button.setText(tabs.tabText(index).replace("&", "&&"))
        button.setToolTip(tabs.tabToolTip(index))
        button.setEnabled(tabs.isTabEnabled(index))
        visible = tabs.isTabVisible(index) if hasattr(tabs, "isTabVisible") else True  # Qt ≥ 5.15
        button.setVisible(visible)
        self.flow.invalidate()
        self.updateGeometry()

    def button_of(self, page: QWidget) -> Optional[QToolButton]:
        index = self.tabs.indexOf(page)
        return self.buttons[index] if 0 <= index < len(self.buttons) else None

    def _clicked(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)

    def _check_current(self) -> None:
        index = self.tabs.currentIndex()
        if 0 <= index < len(self.buttons):
            self.buttons[index].setChecked(True)

    # heightForWidth of the widget: the flow's
    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self.flow.heightForWidth(width)
