"""Blue Sky Zoning (蓝天管控分区): QGIS entry point."""


def classFactory(iface):  # noqa: N802 - name required by QGIS
    """Return the plugin instance QGIS asks for."""
    from .plugin import BlueSkyZoningPlugin

    return BlueSkyZoningPlugin(iface)
