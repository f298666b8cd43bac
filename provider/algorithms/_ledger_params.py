"""What the monthly ledger's algorithms share (bluesky:update_ledger, bluesky:check_off_task): their group, where
the ledger is (its own GeoPackage, or a PostgreSQL connection and schema), opening that store and turning its
errors into the Processing error a user reads."""
from __future__ import annotations

import os
from typing import Any, Callable

from qgis.core import (
    QgsProcessingException,
    QgsProcessingParameterDatabaseSchema,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterProviderConnection,
    QgsProcessingUtils,
)

from ._common import BlueSkyAlgorithm

LEDGER = "LEDGER"
DB_CONNECTION = "DB_CONNECTION"
DB_SCHEMA = "DB_SCHEMA"


class LedgerAlgorithm(BlueSkyAlgorithm):
    """Base of the ledger's algorithms. ``EXISTING``: the ledger must exist already (a check-off) or is created
    when missing (the monthly update): the LEDGER parameter is then a file to open or a file to write."""

    EXISTING = True
    LEDGER = LEDGER

    def group(self) -> str:
        return self.tr("Monthly ledger")

    def groupId(self) -> str:  # noqa: N802 - QGIS API name
        return "ledger"

    def add_ledger_params(self) -> None:
        """LEDGER (the ledger's own GeoPackage) or DB_CONNECTION + DB_SCHEMA (a PostGIS schema): one of the two."""
        if self.EXISTING:
            self.addParameter(QgsProcessingParameterFile(
                LEDGER, self.tr("Ledger GeoPackage"), QgsProcessingParameterFile.Behavior.File, "gpkg", None, True,
                self.tr("GeoPackage (*.gpkg)")))
        else:
            self.addParameter(QgsProcessingParameterFileDestination(
                LEDGER, self.tr("Ledger GeoPackage (created when missing, updated when present)"),
                self.tr("GeoPackage (*.gpkg)"), None, True, False))
        self.addParameter(QgsProcessingParameterProviderConnection(
            DB_CONNECTION, self.tr("Or: the ledger in this PostgreSQL connection"), "postgres", None, True))
        self.addParameter(QgsProcessingParameterDatabaseSchema(
            DB_SCHEMA, self.tr("Database schema of the ledger"), DB_CONNECTION, None, True))

    def ledger_store(self, parameters, context):
        """The layers.ledger_store.factory.LedgerStore the parameters name; a clear Processing error otherwise."""
        from ...layers.ledger_store.factory import LedgerStoreError, open_ledger
        from ...layers.postgis_output import DatabaseDestination, DatabaseOutputError

        if self.EXISTING:
            path = self.parameterAsFile(parameters, LEDGER, context)
        else:
            raw = parameters.get(LEDGER)
            path = self.parameterAsFileOutput(parameters, LEDGER, context) if raw not in (None, "") else ""
            if path and os.path.abspath(path).startswith(os.path.abspath(QgsProcessingUtils.tempFolder())):
                raise self.fail("请为台账选择一个保存位置：台账逐月累积，不能存为临时文件",
                                "choose where the ledger is kept: it grows month by month and cannot be a temporary file")
            if path and not path.lower().endswith(".gpkg"):
                path += ".gpkg"
        connection = self.parameterAsConnectionName(parameters, DB_CONNECTION, context)
        destination = None
        if connection:
            schema = self.parameterAsSchema(parameters, DB_SCHEMA, context)
            if not schema:
                raise self.fail("台账放在数据库中时需要选择模式", "a database schema is required with the database connection")
            destination = DatabaseDestination(connection, schema)
        try:
            return open_ledger(path or None, destination)
        except (LedgerStoreError, DatabaseOutputError) as exc:
            raise QgsProcessingException(str(exc)) from None

    @staticmethod
    def ledger_call(call: Callable[..., Any], *args, **kwargs) -> Any:
        """A store's update or check-off; its refusals (a LedgerError, a failed write) are written for the
        user and become the Processing error as they are."""
        from ...analysis.inputs.validation import OutputError
        from ...analysis.ledger.updates import LedgerError

        try:
            return call(*args, **kwargs)
        except (LedgerError, OutputError) as exc:
            raise QgsProcessingException(str(exc)) from None
