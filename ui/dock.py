"""Placeholder dock; the real one is being built."""
from qgis.gui import QgsDockWidget


class BlueSkyDock(QgsDockWidget):
    def __init__(self, iface):
        super().__init__("蓝天管控分区")
        self.iface = iface

    def close_and_cleanup(self):
        pass
