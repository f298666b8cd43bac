"""Shared pieces of the `bluesky` algorithms: the base class, parameters from the spec, layer snapshots."""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Sequence, Tuple

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsRasterLayer,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication, QTranslator
from qgis.PyQt.QtGui import QIcon

from ...layers.threads import in_worker_thread

PLUGIN_DIR = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
FIELD_MAP = "FIELD_MAP"


CONTEXT = "BlueSkyAlgorithm"  # the algorithms' translation context (scripts/i18n_strings.py)
_CHINESE: List[QTranslator] = []  # the plugin's Chinese read aside, for the help of a QGIS in another language


def chinese_ui() -> bool:
    """True in a Chinese QGIS: plugin.py installed the plugin's Chinese translation (labels are then Chinese)."""
    return QCoreApplication.translate(CONTEXT, "Blue Sky Zoning") != "Blue Sky Zoning"


def chinese_of(text: str) -> str:
    """The plugin's Chinese for an English label of the algorithms, "" when it has none: from the translation
    QGIS runs with, or (QGIS in another language) from the plugin's .qm read aside."""
    if chinese_ui():
        out = QCoreApplication.translate(CONTEXT, text)
    else:
        if not _CHINESE:
            translator = QTranslator()
            translator.load(os.path.join(PLUGIN_DIR, "i18n", "bluesky_zoning_zh_CN.qm"))
            _CHINESE.append(translator)
        try:
            out = _CHINESE[0].translate(CONTEXT, text)
        except UnicodeEncodeError:  # PyQt5 passes a str as ASCII to this const char*: UTF-8 bytes it takes whole
            out = _CHINESE[0].translate(CONTEXT.encode(), text.encode("utf-8"))
    return out if out and out != text else ""


def translatable(text: str) -> str:
    """Marks a label translated later with ``self.tr(label)`` (scripts/i18n_strings.py collects it)."""
    return text


# The inventories the rules judge, as Processing parameters: (kind, parameter name, label). Villages may be
# points or polygons (a polygon is judged at a point inside it).
JUDGED_LISTS = (("boiler", "BOILERS", translatable("Boilers")), ("mine", "MINES", translatable("Mines")),
                ("plant", "PLANTS", translatable("Industrial plants")),
                ("village", "VILLAGES", translatable("Villages and communities (points or polygons)")))


def judged_list_types(kind: str) -> list:
    """The geometry types a judged list's parameter accepts."""
    from qgis.core import QgsProcessing

    if kind == "village":
        return [QgsProcessing.TypeVectorPoint, QgsProcessing.TypeVectorPolygon]
    return [QgsProcessing.TypeVectorPoint]


def param_key(name: str) -> str:
    """The Processing parameter of a rules-file parameter: chp_radius_km → CHP_RADIUS_KM."""
    return name.upper()


class BlueSkyAlgorithm(QgsProcessingAlgorithm):
    """Base of the provider's algorithms: translation, group, icon and the shared parameters."""

    #: per folder-destination parameter, the names the algorithm writes in that folder (an empty tuple: the
    #: folder is wholly the algorithm's, no input may lie inside it); a folder parameter not listed is checked
    #: by the algorithm itself (run_all: its set depends on the options)
    FOLDER_OUTPUTS: Dict[str, Tuple[str, ...]] = {}
    #: input parameters the algorithm updates in place by design (update_ledger's LEDGER)
    UPDATES_IN_PLACE: Tuple[str, ...] = ()

    def tr(self, text: str) -> str:
        out = QCoreApplication.translate(CONTEXT, text)
        if out != text:  # a Chinese label: its English is what the help gives beside it
            self._other_labels()[out] = text
        return out

    # -- labels in the QGIS's language, the other language in the help ------------------------------------
    def _other_labels(self) -> Dict[str, str]:
        """label shown → the same label in the other language, for the labels this algorithm made."""
        return self.__dict__.setdefault("_bluesky_other_labels", {})

    def label(self, zh: str, en: str) -> str:
        """A label in the language of the QGIS it shows in: Chinese in a Chinese QGIS, English in any other (the
        help gives the other one: :meth:`help_with_labels`)."""
        shown, other = (zh, en) if chinese_ui() else (en, zh)
        self._other_labels()[shown] = other
        return shown

    def other_language(self, text: str) -> str:
        """A label of this algorithm in the other language ("" when unknown)."""
        known = self._other_labels().get(text)
        if known:
            return known
        return "" if chinese_ui() else chinese_of(text)

    def help_with_labels(self, text: str, skip: Sequence[str] = (FIELD_MAP,)) -> str:
        """``text``, then every parameter's label in the other language: a Chinese QGIS's help gives the
        English names, another QGIS's help the Chinese ones (the labels themselves are in one language only).
        ``skip``: parameters left out (FIELD_MAP's label is syntax, not a name)."""
        from html import escape

        rows = []
        for definition in self.parameterDefinitions():
            other = self.other_language(definition.description())
            if other and definition.name() not in skip:
                # the name only: what follows " — " (empty: the rules file's value …) is said once in the text
                shown, other = definition.description().split(" — ")[0], other.split(" — ")[0]
                rows.append(f"<li>{escape(shown)}：{escape(other)}</li>" if chinese_ui()
                            else f"<li>{escape(shown)}: {escape(other)}</li>")
        if not rows:
            return text
        heading = "各参数的英文名称" if chinese_ui() else "The parameters in Chinese"
        return f"<p>{escape(text)}</p><p><b>{heading}</b></p><ul>{''.join(rows)}</ul>"

    def createInstance(self):  # noqa: N802 - QGIS API name
        return type(self)()

    def group(self) -> str:
        return self.tr("Blue Sky Zoning")

    def groupId(self) -> str:  # noqa: N802 - QGIS API name
        return "bluesky"

    def icon(self) -> QIcon:
        return QIcon(os.path.join(PLUGIN_DIR, "icons", "icon.svg"))

    def helpUrl(self) -> str:  # noqa: N802 - QGIS API name
        """The Chinese user guide shipped with the plugin (docs/用户手册.md) as a web page (rendered into the
        profile by layers/user_guide.py: a browser shows the .md itself as raw text), the dialog's 帮助 link."""
        from qgis.PyQt.QtCore import QUrl

        from ...layers.user_guide import GUIDE, guide_html_path

        path = guide_html_path(GUIDE)
        return QUrl.fromLocalFile(path).toString() if path else ""

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 - QGIS API name
        # Processing runs this in a Qt pool thread; pyproj needs a thread Python made (layers/threads.py).
        try:
            self.guard_outputs(parameters, context, self.output_paths(parameters, context), self.UPDATES_IN_PLACE)
            return in_worker_thread(self.process, parameters, context, feedback)
        except QgsProcessingException as exc:
            if type(exc) is QgsProcessingException:
                raise
            # Processing prints a subclass (LayerCheckError …) with its Python traceback: pass on its text alone
            raise QgsProcessingException(str(exc)) from None
        except Exception as exc:  # noqa: BLE001 - a bug: the user reads a sentence, the log gets the traceback
            from ...layers.user_errors import report

            raise QgsProcessingException(report(exc, self.displayName())) from exc

    def process(self, parameters, context, feedback):
        raise NotImplementedError

    # -- rules-file parameters ---------------------------------------------------------------------
    def add_rule_params(self, names: Sequence[str]) -> None:
        """One optional number per rules-file parameter, described from the parameter spec. Left empty, the
        rules file's value holds: a Processing default would silently outrank the rules file."""
        from ...analysis.schema.params import format_value, param_spec

        empty = translatable("empty: the rules file's value (shipped: {value})")
        for name in names:
            spec = param_spec(name)
            value = format_value(spec.default)
            # one language (the QGIS's): the help gives the other (help_with_labels)
            description = self.label(
                f"{spec.title} — " + (chinese_of(empty) or empty).format(value=value),
                f"{spec.en or spec.title} — " + empty.format(value=value))
            param = QgsProcessingParameterNumber(param_key(name), description,
                                                 QgsProcessingParameterNumber.Type.Double, None, True,
                                                 spec.minimum, spec.maximum)
            param.setMetadata({"widget_wrapper": {"decimals": spec.decimals}})  # 2.5, not 2.500000
            self.addParameter(param)

    def rule_params(self, parameters, context, names: Sequence[str]) -> Dict[str, float]:
        """Rules-file parameter name -> value, for the parameters the user gave a value (only those)."""
        out = {}
        for name in names:
            value = parameters.get(param_key(name))
            if value is None or value == "" or (hasattr(value, "isNull") and value.isNull()):
                continue
            out[name] = self.parameterAsDouble(parameters, param_key(name), context)
        return out

    # -- outputs never over inputs -----------------------------------------------------------------
    def input_files(self, parameters, context) -> Dict[str, str]:
        """Parameter name → the file each input parameter reads (layers from files, plain files), whatever kind
        of algorithm: what an output must never replace."""
        from qgis.core import QgsProcessingParameterFile

        out: Dict[str, str] = {}
        for definition in self.parameterDefinitions():
            name = definition.name()
            if definition.isDestination() or parameters.get(name) in (None, ""):
                continue
            path = ""
            if isinstance(definition, QgsProcessingParameterFile):
                path = self.parameterAsFile(parameters, name, context) or ""
            elif definition.type() in ("vector", "source", "raster", "layer", "multilayer"):
                layers = (self.parameterAsLayerList(parameters, name, context) if definition.type() == "multilayer"
                          else [self.parameterAsLayer(parameters, name, context)])
                for layer in layers:
                    if layer is not None and layer.providerType() in ("ogr", "gdal"):
                        path = layer.source().split("|")[0]
            if path and os.path.exists(path):
                out[name] = path
        return out

    def output_paths(self, parameters, context) -> List[str]:
        """The files (and whole folders) this run of the algorithm will write."""
        from qgis.core import (
            QgsProcessingParameterFeatureSink,
            QgsProcessingParameterFileDestination,
            QgsProcessingParameterFolderDestination,
        )

        out: List[str] = []
        for definition in self.destinationParameterDefinitions():
            name = definition.name()
            if parameters.get(name) in (None, ""):
                continue
            if isinstance(definition, QgsProcessingParameterFileDestination):
                out.append(self.parameterAsFileOutput(parameters, name, context))
            elif isinstance(definition, QgsProcessingParameterFeatureSink):
                target = self.parameterAsOutputLayer(parameters, name, context) or ""
                out.append(target.split("|")[0] if not target.startswith(("memory:", "postgres:")) else "")
            elif isinstance(definition, QgsProcessingParameterFolderDestination) and name in self.FOLDER_OUTPUTS:
                folder = self.parameterAsString(parameters, name, context)
                names = self.FOLDER_OUTPUTS[name]
                out += [os.path.join(folder, n) for n in names] if names else [folder]
        return [p for p in out if p]

    def guard_outputs(self, parameters, context, outputs: Sequence[str], keep: Sequence[str] = ()) -> None:
        """Refuse (in Chinese, naming both) when an output would replace an input file. ``keep``: input
        parameters an algorithm updates in place by design (the ledger of update_ledger)."""
        from ...analysis.common.output_folder import inputs_in_the_way, refuse_overwrite

        inputs = [p for name, p in self.input_files(parameters, context).items() if name not in keep]
        try:
            refuse_overwrite(inputs_in_the_way(outputs, inputs))
        except Exception as exc:  # noqa: BLE001 - an OutputError: its text is the message
            raise QgsProcessingException(str(exc)) from None

    @staticmethod
    def warn_if_mixed(feedback, *paths: str) -> None:
        """Say so when the run's files a step reads are not the set their folder's manifest (run.json) records:
        a killed or interrupted run may have left a mixed set."""
        from ...analysis.reports.run_manifest import set_state

        folders: Dict[str, List[str]] = {}
        for path in paths:
            if path and os.path.isfile(path):
                folders.setdefault(os.path.dirname(os.path.abspath(path)), []).append(os.path.basename(path))
        for folder, names in folders.items():
            state = set_state(folder, names)
            if state.has_manifest and not state.whole:
                feedback.pushWarning(state.text_zh(folder))

    # -- layers ------------------------------------------------------------------------------------
    def snapshot(self, parameters, name: str, context, feedback):
        """A thread-safe snapshot (layers.run_job.Snapshot) of a vector parameter, None when not given."""
        from ...layers.convert import _ogr_source, source_to_gdf
        from ...layers.run_job import Snapshot

        layer = self.parameterAsVectorLayer(parameters, name, context)
        if layer is None:
            return None
        if _ogr_source(layer) is not None:
            return Snapshot(layer)
        source = self.parameterAsSource(parameters, name, context)
        return Snapshot.from_gdf(layer.name(), source_to_gdf(source, feedback))

    def builtup(self, parameters, name: str, context):
        """(vector snapshot, raster path) of the built-up parameter, exactly one of them set."""
        from ...layers.convert import _ogr_source, layer_to_gdf
        from ...layers.run_job import Snapshot, snapshot_raster

        layer = self.parameterAsLayer(parameters, name, context)
        if layer is None:
            raise self.fail("需要建成区图层", "a built-up layer is required")
        if isinstance(layer, QgsRasterLayer):
            try:
                return None, snapshot_raster(layer)
            except ValueError as exc:
                raise self.fail("建成区栅格须为文件", "the built-up raster must be a file (GDAL)", exc) from exc
        if isinstance(layer, QgsVectorLayer):
            return (Snapshot(layer) if _ogr_source(layer) else Snapshot.from_gdf(layer.name(), layer_to_gdf(layer))), None
        raise self.fail("建成区图层类型不支持", "unsupported built-up layer type", layer.name())

    def add_field_map_param(self) -> None:
        """The optional FIELD_MAP text: which column holds which canonical field, over the guess (usable from
        qgis_process and the Modeler: one string, entries kind.field=column)."""
        self.addParameter(QgsProcessingParameterString(
            FIELD_MAP, self.tr("Field mapping overrides (kind.field=column, separated by ; or new lines; "
                               "e.g. planning.city=所属市; boiler.fuel=燃料)"), "", True, True))

    def field_maps(self, parameters, context) -> dict:
        """{kind: {field: column}} of FIELD_MAP; a malformed entry is a clear Processing error."""
        from ...analysis.inputs.validation import InputError, parse_field_map

        try:
            return parse_field_map(self.parameterAsString(parameters, FIELD_MAP, context) or "")
        except InputError as exc:
            raise self.fail("字段对应（FIELD_MAP）有误", "bad FIELD_MAP", exc) from exc

    # -- running a stage ---------------------------------------------------------------------------
    def run_stage(self, stage, *args, **kwargs):
        """Run one of layers.run_job's stages; None when cancelled, its errors as clear Processing errors."""
        from ...analysis.common.errors import CanceledError
        from ...analysis.inputs.validation import InputError, OutputError
        from ...analysis.plan.rules import RuleFileError

        try:
            return stage(*args, **kwargs)
        except CanceledError:
            return None
        except RuleFileError as exc:
            raise self.fail("规则文件有误", "invalid rules file", exc) from exc
        except InputError as exc:  # its message names layer and field
            raise self.fail("输入图层有误", "bad input layer", exc) from exc
        except OutputError as exc:
            raise self.fail("写入失败", "write failed", exc) from exc
        except QgsProcessingException:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug: fail() logs it and shows a sentence
            raise self.fail("分析失败", "the analysis failed", exc) from exc

    @staticmethod
    def progress_to(feedback):
        """A progress(step, total, name) callback showing the step on ``feedback``."""
        def progress(step: int, total: int, name: str) -> None:
            feedback.setProgressText(f"{name} {step}/{total}")
            feedback.setProgress(100.0 * step / max(total, 1))
        return progress

    def fail(self, zh: str, en: str, detail: Optional[Any] = None) -> QgsProcessingException:
        """A Processing error "zh / en: detail"; an exception not written for the user (a bug) is logged with
        its traceback and shown as a short sentence instead."""
        if isinstance(detail, BaseException):
            from ...layers.user_errors import report

            detail = report(detail, self.displayName())
        text = f"{zh} / {en}"
        if detail:
            text += f": {detail}"
        return QgsProcessingException(text)
