"""The provider's algorithms; each module holds one."""
from __future__ import annotations

from typing import List


def all_algorithms() -> List[object]:
    """New instances of every algorithm of the `bluesky` provider."""
    from .build_zones import BuildZonesAlgorithm
    from .check_off_task import CheckOffTaskAlgorithm
    from .compare_scenarios import CompareScenariosAlgorithm
    from .export_packages import ExportCountyPackagesAlgorithm
    from .flag_enterprises import FlagEnterprisesAlgorithm
    from .import_list import ImportEnterpriseListAlgorithm
    from .print_atlas import PrintAtlasAlgorithm
    from .run_all import RunAllAlgorithm
    from .summary_workbook import SummaryWorkbookAlgorithm
    from .update_ledger import UpdateLedgerAlgorithm

    return [
        ImportEnterpriseListAlgorithm(),
        BuildZonesAlgorithm(),
        FlagEnterprisesAlgorithm(),
        ExportCountyPackagesAlgorithm(),
        PrintAtlasAlgorithm(),
        SummaryWorkbookAlgorithm(),
        RunAllAlgorithm(),
        UpdateLedgerAlgorithm(),
        CheckOffTaskAlgorithm(),
        CompareScenariosAlgorithm(),
    ]
