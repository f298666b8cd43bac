"""The monthly ledger through Processing, on the demo's two months (2020-07 and the derived 2020-08).

bluesky:update_ledger folds each month's real flags.gpkg into a ledger GeoPackage (done, new, overdue, the same
month twice, an older month refused), bluesky:check_off_task ticks tasks off by hand, the ledger's layers load
styled; then the same ledger in a PostGIS schema, where two QGIS sessions (two saved connections, two threads)
check off different tasks at the same time and a monthly update running meanwhile loses none of them.
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from demo_fixture import KIND_OF, SYSTEM_INDEX, build_demo_layers
from postgis_fixture import add_qgis_connection, start_postgis_server, stop_postgis_server
from qgis.core import QgsExpression, QgsExpressionContext, QgsProcessingException

SESSION_A, SESSION_B = "省厅台账库-甲", "省厅台账库-乙"
SCHEMA = "月度台账"
JULY, AUGUST = "2020-07", "2020-08"


@dataclass
class Months:
    july: Path  # flags.gpkg of each month's run
    august: Path
    changes: dict  # what the 2020-08 lists changed (demo_data.SECOND_MONTH_CHANGES, as counted)


def _run(demo_layers, lists, out: Path) -> Path:
    import processing

    processing.run("bluesky:run_all", {"ADMIN": demo_layers.admin, "BUILTUP": demo_layers.builtup,
                                       "BOILERS": lists["boilers"], "MINES": lists["mines"],
                                       "PLANTS": lists["plants"], "CHP": lists["chp"], "OUTPUT_DIR": str(out)})
    return out / "flags.gpkg"


@pytest.fixture(scope="module")
def months(qgis_processing, tmp_path_factory) -> Months:
    """The demo analysed twice: its 2020-07 lists and the 2020-08 lists derived from them."""
    import processing
    from bluesky_zoning.demo.data import ensure_second_month

    folder = tmp_path_factory.mktemp("ledger_months")
    demo = build_demo_layers(folder)
    second = ensure_second_month(demo.demo)
    lists = {}
    for key, path in second.lists.items():
        out = folder / f"{key}_{AUGUST}.gpkg"
        processing.run("bluesky:import_list", {"INPUT": str(path), "KIND": KIND_OF[key], "LON_FIELD": "",
                                               "LAT_FIELD": "", "OUTPUT": str(out),
                                               "COORD_SYSTEM": SYSTEM_INDEX[second.coord_systems[key]]})
        lists[key] = str(out)
    return Months(_run(demo, demo.lists, folder / JULY), _run(demo, lists, folder / AUGUST), second.counts)


def _update(ledger, flags, month, **extra):
    import processing

    return processing.run("bluesky:update_ledger", {"FLAGS": str(flags), "MONTH": month, "LEDGER": ledger, **extra})


def _check_off(ledger, task_id, by, **extra):
    import processing

    return processing.run("bluesky:check_off_task", {"LEDGER": str(ledger), "TASK_ID": task_id, "BY": by, **extra})


def _read(path, layer):
    return pyogrio.read_dataframe(path, layer=layer, read_geometry=False)


def _digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def gpkg_ledger(months, tmp_path_factory):
    """July, two tasks ticked off by hand, then August — all through Processing."""
    ledger = tmp_path_factory.mktemp("ledger") / "台账" / "ledger.gpkg"
    july = _update(str(ledger), months.july, JULY)
    flags7, flags8 = _read(months.july, "enterprise_flags"), _read(months.august, "enterprise_flags")
    key = ["layer", "ent_id", "rule_id"]
    both = flags7.merge(flags8[key], on=key, how="left", indicator=True)
    both = both[both["layer"] == "boiler"].sort_values(["rule_id", "ent_id"])
    gone, kept = both[both["_merge"] == "left_only"].iloc[0], both[both["_merge"] == "both"].iloc[0]
    ids = {name: f"{r['layer']}:{r['ent_id']}:{r['rule_id']}" for name, r in (("gone", gone), ("kept", kept))}
    checked = [_check_off(ledger, ids[n], "尧都区生态环境分局 张工", EVIDENCE=f"现场核查_{n}.pdf", NOTE="已拆除")
               for n in ("gone", "kept")]
    august = _update(str(ledger), months.august, AUGUST)
    return ledger, july, august, ids, checked


def test_two_months_in_the_ledger_geopackage(months, gpkg_ledger):
    ledger, july, august, _ids, _ = gpkg_ledger
    names = [n for n, _ in pyogrio.list_layers(ledger)]
    assert {"tasks", "history", "monthly_progress", "months", "ledger_meta"} <= set(names)
    assert pyogrio.read_info(ledger, layer="tasks")["geometry_type"] == "Point"
    n7, n8 = len(_read(months.july, "enterprise_flags")), len(_read(months.august, "enterprise_flags"))
    print(f"July: {july}\nAugust: {august}")
    # July: every flag a new open task (the deliberately duplicated boiler id is told apart, not merged)
    assert july["TASKS"] == july["NEW"] == july["OPEN"] == n7 and july["DONE"] == july["OVERDUE"] == 0
    # August: real movement both ways, and the open-pit mines past their 31 August deadline are overdue
    assert august["TASKS"] == n8 and august["DONE"] > 200 and august["NEW"] > 50 and august["REOPENED"] == 0
    assert august["OPEN"] == n8 == july["OPEN"] - august["DONE"] + august["NEW"]
    tasks = _read(ledger, "tasks")
    assert len(tasks) == n7 + august["NEW"]
    assert set(tasks.loc[tasks["overdue"] == 1, "rule_id"]) == {"M-OPEN"}
    assert august["OVERDUE"] == int(((tasks["rule_id"] == "M-OPEN") & (tasks["status"] == "open")).sum()) > 10
    # closed mines: their M-OPEN tasks are done (销号) in August, never overdue
    closed = tasks[(tasks["rule_id"] == "M-OPEN") & (tasks["status"] == "done")]
    assert len(closed) >= months.changes["mines_closed"] and set(closed["done_month"]) == {AUGUST}
    assert (closed["overdue"] == 0).all() and set(closed["last_month"]) == {JULY}
    # new entries of August carry new ids and are new tasks; boilers converted to gas lose their coal tasks
    new = tasks[tasks["first_month"] == AUGUST]
    assert len(new) == august["NEW"] and new["ent_id"].str.match(r"(GL-05|KS-08|QY-015)").any()
    assert set(tasks["status"]) == {"open", "done"} and set(tasks["id_source"]) >= {"清单编号"}
    # the row order of August's lists was shuffled: enterprises still matched by id (no id churn)
    assert (tasks["first_month"] == JULY).sum() == n7
    # history: one row per change, nothing else
    history = _read(ledger, "history")
    data = history[history["source"] == "data"]
    assert len(data[data["month"] == JULY]) == n7
    assert (data[data["month"] == AUGUST]["to_status"].value_counts().to_dict()
            == {"done": august["DONE"], "open": august["NEW"]})
    # per-county progress adds up to the month's totals
    progress = _read(ledger, "monthly_progress")
    for month, res in ((JULY, july), (AUGUST, august)):
        rows = progress[progress["month"] == month]
        assert rows["adcode"].is_unique and rows["county"].notna().all()
        for col, key in (("open", "OPEN"), ("new", "NEW"), ("done", "DONE"), ("reopened", "REOPENED"),
                         ("overdue", "OVERDUE")):
            assert int(rows[col].sum()) == res[key], (month, col)
    stored = _read(ledger, "months").set_index("month")
    assert stored.loc[AUGUST, ["open", "new", "done", "overdue"]].tolist() == [
        august["OPEN"], august["NEW"], august["DONE"], august["OVERDUE"]]
    assert stored.loc[AUGUST, "flags"] == "flags.gpkg"


def test_manual_check_offs_kept_beside_the_data(gpkg_ledger):
    ledger, _july, august, ids, checked = gpkg_ledger
    assert [c["STATUS"] for c in checked] == ["open", "open"] and [c["DISAGREE"] for c in checked] == [1, 1]
    tasks = _read(ledger, "tasks").set_index("task_id")
    gone, kept = tasks.loc[ids["gone"]], tasks.loc[ids["kept"]]
    # the data agree with the person on one; on the other the person's tick stays, marked as disagreeing
    assert (gone["status"], gone["check_off"], gone["disagree"], gone["done_month"]) == ("done", "done", 0, AUGUST)
    assert (kept["status"], kept["check_off"], kept["checked_by"], kept["evidence"], kept["disagree"]) == (
        "open", "done", "尧都区生态环境分局 张工", "现场核查_kept.pdf", 1)
    assert august["DISAGREE"] == 1
    manual = _read(ledger, "history").query("source == 'manual'")
    assert list(manual["task_id"]) == [ids["gone"], ids["kept"]] and set(manual["to_status"]) == {"done"}
    assert manual["note"].str.contains("现场核查_").all()


def test_the_same_month_twice_gives_the_same_ledger(months, gpkg_ledger):
    from bluesky_zoning.layers.ledger_store.factory import open_ledger

    ledger, _july, august, _ids, _ = gpkg_ledger
    store = open_ledger(ledger)
    before = store.read()
    again = _update(str(ledger), months.august, AUGUST)
    after = store.read()
    assert again == august
    for name in ("tasks", "history", "progress", "months"):
        pd.testing.assert_frame_equal(getattr(before, name), getattr(after, name))
    print(f"August twice: {len(after.tasks)} tasks, {len(after.history)} history rows, identical")


def test_refusals_name_the_problem(months, gpkg_ledger, tmp_path):
    ledger, *_ = gpkg_ledger
    stamp = _digest(ledger)
    with pytest.raises(QgsProcessingException) as err:
        _update(str(ledger), months.july, JULY)
    assert "台账已更新到 2020-08，不能再用更早的月份 2020-07 更新" in str(err.value)
    with pytest.raises(QgsProcessingException) as err:
        _update(str(ledger), months.august, "2020/08")
    assert "月份「2020/08」格式不对" in str(err.value)
    assert _digest(ledger) == stamp  # refused updates leave the ledger as it was
    # the ledger is its own file: a run's output is never taken as one, nor changed
    flags_stamp = _digest(months.august)
    for target in (months.august, months.july):
        with pytest.raises(QgsProcessingException) as err:
            _update(str(target), months.august, AUGUST)
        assert "台账" in str(err.value) or "输出会覆盖输入" in str(err.value)  # the flags file: an input
    assert _digest(months.august) == flags_stamp
    with pytest.raises(QgsProcessingException) as err:
        _update(None, months.august, AUGUST)
    assert "请选择台账位置" in str(err.value)
    with pytest.raises(QgsProcessingException) as err:
        _check_off(ledger, "boiler:GL-99999:B-35", "王工")
    assert "台账中没有任务「boiler:GL-99999:B-35」" in str(err.value)
    assert not (tmp_path / "new.gpkg").exists()
    with pytest.raises(QgsProcessingException):
        _update(str(tmp_path / "new.gpkg"), months.august, "2020-8-1")
    assert not (tmp_path / "new.gpkg").exists()  # a refused first update leaves no empty ledger behind


def test_two_sessions_check_off_in_one_geopackage(gpkg_ledger, tmp_path):
    """Two QGIS sessions on one shared ledger file: SQLite queues their row-level writes, none is lost."""
    import shutil

    from bluesky_zoning.layers.ledger_store.factory import open_ledger

    ledger = tmp_path / "共享台账.gpkg"
    shutil.copy(gpkg_ledger[0], ledger)
    first, second = open_ledger(ledger), open_ledger(ledger)
    open_ids = sorted(first.read().tasks.query("status == 'open' and check_off.isna()", engine="python")["task_id"])
    mine = {"甲": open_ids[:15], "乙": open_ids[15:30]}
    start, errors = threading.Barrier(2), []

    def session(store, name):
        try:
            start.wait()
            for task_id in mine[name]:
                store.check_off(task_id, name, evidence=f"{task_id}.pdf")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=session, args=a) for a in ((first, "甲"), (second, "乙"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    tasks = open_ledger(ledger).read().tasks.set_index("task_id")
    for name, ids in mine.items():
        assert (tasks.loc[ids, "checked_by"] == name).all()


def test_ledger_layers_load_styled(gpkg_ledger):
    from bluesky_zoning.layers.ledger_store.factory import open_ledger
    from bluesky_zoning.layers.styling import style_path
    from qgis.core import QgsCategorizedSymbolRenderer

    ledger, *_ = gpkg_ledger
    assert Path(style_path("ledger_tasks")).exists()
    layers = dict(open_ledger(ledger).layers())
    assert list(layers) == ["tasks", "monthly_progress", "history", "months"]
    tasks = layers["tasks"]
    assert tasks.isValid() and tasks.featureCount() == len(_read(ledger, "tasks"))
    renderer = tasks.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer)
    cats = {c.value(): c for c in renderer.categories()}
    assert [c.label() for c in renderer.categories()] == ["逾期未完成", "重新出现（曾销号）", "未完成",
                                                          "人工已销号（数据未消除）", "已销号"]
    assert cats["overdue"].symbol().color().name() == "#d7191c"  # overdue red
    done = cats["done"].symbol().color()
    assert done.red() == done.green() == done.blue() and done.alpha() < 255  # done greyed
    expression = QgsExpression(renderer.classAttribute())
    seen = {}
    for feature in tasks.getFeatures():
        context = QgsExpressionContext()
        context.setFeature(feature)
        seen.setdefault(expression.evaluate(context), feature)
    assert set(seen) == {"overdue", "open", "checked", "done"}
    assert seen["overdue"]["rule_id"] == "M-OPEN" and seen["checked"]["disagree"] == 1
    assert tasks.attributeAlias(tasks.fields().indexOf("task_id")) == "任务代码"
    assert tasks.attributeAlias(tasks.fields().indexOf("status_label")) == "数据状态"
    assert tasks.attributeAlias(tasks.fields().indexOf("status")) == "数据状态代码"
    progress = layers["monthly_progress"]
    assert progress.attributeAlias(progress.fields().indexOf("done")) == "本月销号"
    # in the attribute table each code's Chinese right after it
    shown = [c.name for c in tasks.attributeTableConfig().columns() if not c.hidden]
    assert shown.index("status_label") == shown.index("status") + 1 and shown.index("rule_name") == shown.index("rule_id") + 1


def _labels_agree(tasks: pd.DataFrame, history: pd.DataFrame) -> None:
    """Every stored label is the Chinese of the code beside it (the one table of each)."""
    from bluesky_zoning.analysis.ledger.updates import SOURCE_LABELS, STATUS_LABELS
    from bluesky_zoning.analysis.reports.labels import LAYER_KIND_LABELS, rule_names

    names = rule_names()
    assert list(tasks["status_label"]) == [STATUS_LABELS[s] for s in tasks["status"]]
    assert list(tasks["layer_label"]) == [LAYER_KIND_LABELS[k] for k in tasks["layer"]]
    assert list(tasks["rule_name"]) == [names[r] for r in tasks["rule_id"]]
    ticked = (tasks["check_off"] == "done").to_numpy()
    assert ticked.any() and set(tasks.loc[ticked, "check_off_label"]) == {"已人工销号"}
    assert tasks.loc[~ticked, "check_off_label"].isna().all()
    for code, label in (("from_status", "from_label"), ("to_status", "to_label")):
        known = history[code].notna().to_numpy()
        assert list(history.loc[known, label]) == [STATUS_LABELS[s] for s in history.loc[known, code]]
        assert history.loc[~known, label].isna().all()
    assert list(history["source_label"]) == [SOURCE_LABELS[s] for s in history["source"]]
    assert set(history["source"]) == {"data", "manual"}


def _opened_as_a_file(path: Path, table: str):
    """The ledger's table as a person adds it to QGIS (Layer ▸ Add, drag and drop): no plugin code involved."""
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(f"{path}|layername={table}", table, "ogr")
    assert layer.isValid()
    return layer


def test_a_person_opening_the_ledger_file_reads_chinese(gpkg_ledger):
    """ledger.gpkg added to QGIS by hand: every field of every table under its Chinese name, the tasks styled
    as the dock styles them, 未完成/已销号 (and 锅炉, the rule's name, 已人工销号) beside the codes."""
    from bluesky_zoning.analysis.ledger.updates import FIELD_ALIASES, STORED_COLUMNS

    ledger, *_ = gpkg_ledger
    for table, columns in STORED_COLUMNS.items():
        layer = _opened_as_a_file(ledger, table)
        fields = [f.name() for f in layer.fields() if f.name() != "fid"]
        assert fields == columns  # labels right after their codes
        assert {n: layer.attributeAlias(layer.fields().indexOf(n)) for n in fields} == \
            {n: FIELD_ALIASES[n] for n in fields}
        assert all(FIELD_ALIASES[n] and not FIELD_ALIASES[n].isascii() for n in fields)
    tasks = _opened_as_a_file(ledger, "tasks")
    assert tasks.renderer().type() == "categorizedSymbol"
    assert [c.label() for c in tasks.renderer().categories()][0] == "逾期未完成"
    assert {f["status_label"] for f in tasks.getFeatures()} == {"未完成", "已销号"}
    _labels_agree(_read(ledger, "tasks"), _read(ledger, "history"))


def test_a_ledger_of_an_older_version_gets_its_chinese(gpkg_ledger, tmp_path):
    """A ledger written before the label columns and aliases (0.2–0.4): opening it in the dock adds and fills
    them from the codes, a later check-off writes its own; the data stay as they were."""
    import shutil
    import sqlite3

    from bluesky_zoning.analysis.ledger.updates import LABEL_COLUMNS
    from bluesky_zoning.layers.ledger_store.factory import open_ledger

    old = tmp_path / "旧台账.gpkg"
    shutil.copy(gpkg_ledger[0], old)
    con = sqlite3.connect(old)
    for table, labels in LABEL_COLUMNS.items():
        for column in labels:
            con.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    con.execute("DROP TABLE layer_styles")
    con.execute("DELETE FROM gpkg_contents WHERE table_name = 'layer_styles'")
    con.execute("DELETE FROM gpkg_ogr_contents WHERE table_name = 'layer_styles'")
    con.execute("DELETE FROM gpkg_data_columns")
    con.commit()
    con.close()
    before = open_ledger(old).read()
    bare = _opened_as_a_file(old, "tasks")
    assert bare.fields().indexOf("status_label") < 0 and bare.attributeAlias(bare.fields().indexOf("status")) == ""
    del bare
    layers = dict(open_ledger(old).layers())
    assert layers["tasks"].fields().indexOf("status_label") >= 0
    _labels_agree(_read(old, "tasks"), _read(old, "history"))
    after = open_ledger(old).read()
    for name in ("tasks", "history", "progress", "months"):
        pd.testing.assert_frame_equal(getattr(before, name), getattr(after, name))
    reopened = _opened_as_a_file(old, "tasks")
    assert reopened.attributeAlias(reopened.fields().indexOf("status_label")) == "数据状态"
    target = sorted(after.tasks.loc[after.tasks["check_off"].isna(), "task_id"])[0]
    open_ledger(old).check_off(target, "王工", evidence="核查.pdf")
    tasks = _read(old, "tasks").set_index("task_id")
    assert tasks.loc[target, "check_off_label"] == "已人工销号"
    _labels_agree(_read(old, "tasks"), _read(old, "history"))


# -- PostGIS ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def database(qgis_app, qgis_processing):
    server = start_postgis_server()
    try:
        # two sessions of the bureau: two saved connections, each its own login in QGIS's auth database
        add_qgis_connection(server, SESSION_A)
        add_qgis_connection(server, SESSION_B)
        yield server
    finally:
        stop_postgis_server(server)


def _db(session: str, schema: str = SCHEMA):
    from bluesky_zoning.layers.ledger_store.factory import PostgisLedger
    from bluesky_zoning.layers.postgis_output import DatabaseDestination

    return PostgisLedger(DatabaseDestination(session, schema))


@pytest.fixture(scope="module")
def pg_ledger(database, months):
    db = {"DB_CONNECTION": SESSION_A, "DB_SCHEMA": SCHEMA}
    july = _update(None, months.july, JULY, **db)
    august = _update(None, months.august, AUGUST, **db)
    return july, august


def test_the_ledger_in_a_postgis_schema(database, gpkg_ledger, pg_ledger, months):
    from bluesky_zoning.analysis.ledger.updates import DATA_COLUMNS, FIELD_ALIASES, STORED_COLUMNS

    _ledger, july, august, _ids, _ = gpkg_ledger
    pg_july, pg_august = pg_ledger
    for key in ("TASKS", "OPEN", "NEW", "DONE", "REOPENED", "OVERDUE"):
        assert pg_july[key] == july[key] and pg_august[key] == august[key], key
    store = _db(SESSION_B)
    stored = store.read()
    from bluesky_zoning.layers.ledger_store.factory import open_ledger

    files = open_ledger(gpkg_ledger[0]).read()
    pd.testing.assert_frame_equal(stored.tasks[DATA_COLUMNS], files.tasks[DATA_COLUMNS])
    pd.testing.assert_frame_equal(stored.progress, files.progress)
    # the same month again from the other session: the same ledger
    again = _update(None, months.august, AUGUST, DB_CONNECTION=SESSION_B, DB_SCHEMA=SCHEMA)
    assert {k: again[k] for k in pg_august if k != "LEDGER_LABEL"} == \
        {k: pg_august[k] for k in pg_august if k != "LEDGER_LABEL"}
    after = store.read()
    for name in ("tasks", "history", "progress", "months"):
        pd.testing.assert_frame_equal(getattr(stored, name), getattr(after, name))
    with pytest.raises(QgsProcessingException) as err:
        _update(None, months.july, JULY, DB_CONNECTION=SESSION_B, DB_SCHEMA=SCHEMA)
    assert "台账已更新到 2020-08" in str(err.value)
    # QGIS reads the tasks as a styled point layer
    layers = dict(store.layers())
    assert layers["tasks"].isValid() and layers["tasks"].providerType() == "postgres"
    assert layers["tasks"].featureCount() == len(after.tasks)
    assert layers["tasks"].renderer().type() == "categorizedSymbol"
    assert database.psql(f'SELECT count(*) FROM "{SCHEMA}".tasks WHERE geom IS NOT NULL') == str(len(after.tasks))
    # the same Chinese beside the codes as in the GeoPackage, and the same aliases on the layers
    for table, keys in (("tasks", ["task_id"]), ("history", ["task_id", "month", "source", "to_status"])):
        # the data's labels (the GeoPackage ledger has two check-offs the PostGIS one has not)
        labels = [c for c in STORED_COLUMNS[table] if c.endswith("_label") or c == "rule_name"]
        labels = [c for c in labels if c != "check_off_label"]
        cells = " || chr(31) || ".join(f"coalesce({c}, '')" for c in keys + labels)  # task ids may hold a '|'
        where = " WHERE source IS DISTINCT FROM 'manual'" if table == "history" else ""
        rows = database.psql(f'SELECT {cells} FROM "{SCHEMA}".{table}{where}').split("\n")
        pg = pd.DataFrame([r.split(chr(31)) for r in rows], columns=keys + labels).replace("", None)
        gp = _read(gpkg_ledger[0], table)
        gp = gp[gp["source"] == "data"] if table == "history" else gp
        merged = pg.merge(gp[keys + labels], on=keys, suffixes=("_pg", "_gp"))
        assert len(merged) == len(gp) == len(pg) > 0
        for c in labels:
            assert (merged[f"{c}_pg"].fillna("") == merged[f"{c}_gp"].fillna("")).all(), c
    for table, layer in layers.items():
        for i, fld in enumerate(layer.fields()):
            if fld.name() in FIELD_ALIASES:
                assert layer.attributeAlias(i) == FIELD_ALIASES[fld.name()], (table, fld.name())
    assert database.psql(f"SELECT col_description('\"{SCHEMA}\".tasks'::regclass, attnum) FROM pg_attribute "
                         f"WHERE attrelid = '\"{SCHEMA}\".tasks'::regclass AND attname = 'status_label'"
                         ).startswith("数据状态：")


def test_two_sessions_check_off_different_tasks_at_the_same_time(database, pg_ledger):
    a, b = _db(SESSION_A), _db(SESSION_B)
    open_ids = sorted(a.read().tasks.query("status == 'open' and check_off.isna()", engine="python")["task_id"])
    mine = {SESSION_A: open_ids[:25], SESSION_B: open_ids[25:50]}
    start = threading.Barrier(2)
    errors = []

    def session(store, name):
        try:
            start.wait()
            for task_id in mine[name]:
                store.check_off(task_id, f"{name} 核查员", evidence=f"{task_id}.pdf", note="现场核查")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(s, n)) for s, n in ((a, SESSION_A), (b, SESSION_B))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    # both sessions' check-offs are all there, each with its own name, and one history row each
    tasks = _db(SESSION_A).read().tasks.set_index("task_id")
    for name, ids in mine.items():
        assert (tasks.loc[ids, "check_off"] == "done").all() and (tasks.loc[ids, "checked_by"] == f"{name} 核查员").all()
        assert (tasks.loc[ids, "disagree"] == 1).all()
    history = _db(SESSION_B).read().history
    manual = history[history["source"] == "manual"]
    assert sorted(manual["task_id"]) == sorted(mine[SESSION_A] + mine[SESSION_B])
    assert set(manual["month"]) == {AUGUST}
    # each check-off wrote its Chinese beside the codes too: the task's and its history line's
    assert database.psql(f'SELECT DISTINCT check_off, check_off_label FROM "{SCHEMA}".tasks WHERE check_off IS NOT NULL'
                         ) == "done|已人工销号"
    assert database.psql(f'SELECT DISTINCT from_label, to_label, source_label FROM "{SCHEMA}".history '
                         "WHERE source = 'manual'") == "未完成|已销号|人工销号"
    backends = database.psql("SELECT count(DISTINCT pid) FROM pg_stat_activity WHERE datname = current_database() "
                             "AND usename = 'bureau_analyst_u'")
    print(f"check-offs by two sessions: {len(manual)} kept; database backends of the analyst now: {backends}")


def test_a_postgis_ledger_of_an_older_version_gets_its_chinese(database, months):
    """A PostGIS ledger written before the label columns: the dock's opening adds and fills them (one statement,
    commented columns); a check-off afterwards writes its own labels."""
    from bluesky_zoning.analysis.ledger.updates import LABEL_COLUMNS, STATUS_LABELS
    from bluesky_zoning.analysis.reports.labels import LAYER_KIND_LABELS

    old = _db(SESSION_A, "旧版台账")
    old.update_month(months.july, JULY, by="甲")
    before = old.read()
    drops = [f'ALTER TABLE "旧版台账".{t} DROP COLUMN {c}' for t, cs in LABEL_COLUMNS.items() for c in cs]
    database.psql("; ".join(drops))
    assert database.psql("SELECT count(*) FROM information_schema.columns WHERE table_schema = '旧版台账' "
                         "AND column_name LIKE '%label'") == "0"
    layers = dict(_db(SESSION_B, "旧版台账").layers())
    assert layers["tasks"].fields().indexOf("status_label") >= 0
    assert layers["tasks"].attributeAlias(layers["tasks"].fields().indexOf("status_label")) == "数据状态"
    pairs = [r.split("|") for r in database.psql(
        'SELECT DISTINCT status, status_label, layer, layer_label FROM "旧版台账".tasks').split("\n")]
    assert len(pairs) >= 3 and all((sl, ll) == (STATUS_LABELS[s], LAYER_KIND_LABELS[k]) for s, sl, k, ll in pairs)
    assert database.psql('SELECT count(*) FROM "旧版台账".tasks WHERE rule_name IS NULL OR rule_name = rule_id') == "0"
    assert database.psql('SELECT DISTINCT to_label, source_label FROM "旧版台账".history') == "未完成|月度数据更新"
    for name in ("tasks", "history", "progress", "months"):
        pd.testing.assert_frame_equal(getattr(before, name), getattr(old.read(), name))
    target = sorted(before.tasks["task_id"])[0]
    old.check_off(target, "丙 核查员")
    assert database.psql(f"SELECT check_off_label FROM \"旧版台账\".tasks WHERE task_id = '{target}'") == "已人工销号"


def test_a_check_off_saved_during_a_monthly_update_stays(database, months, monkeypatch):
    """Interleaved: session A reads the ledger for the monthly update; before A writes, session B checks a
    task off; A's write keeps B's check-off (it writes only the data's columns)."""
    import bluesky_zoning.layers.ledger_store.base as store_module  # both stores work the update out there

    a, b = _db(SESSION_A, "台账_交错"), _db(SESSION_B, "台账_交错")
    a.update_month(months.july, JULY, by="甲")
    target = sorted(b.read().tasks["task_id"])[0]
    real = store_module.update_ledger
    calls = []

    def with_a_colleague(*args, **kwargs):
        result = real(*args, **kwargs)
        if not calls:  # between A's read and A's write
            b.check_off(target, "乙 核查员", evidence="核查.pdf")
        calls.append(1)
        return result

    monkeypatch.setattr(store_module, "update_ledger", with_a_colleague)
    a.update_month(months.august, AUGUST, by="甲")
    assert len(calls) == 1  # a check-off is no reason to work the update out again
    task = b.read().tasks.set_index("task_id").loc[target]
    assert (task["check_off"], task["checked_by"], task["evidence"]) == ("done", "乙 核查员", "核查.pdf")
    assert task["disagree"] == int(task["status"] != "done")
    assert a.read().latest_month == AUGUST

    # two monthly updates at once: A's write sees B's newer month and A's update is worked out again and refused
    calls.clear()

    def with_a_newer_month(*args, **kwargs):
        result = real(*args, **kwargs)
        if not calls:
            calls.append(1)
            monkeypatch.setattr(store_module, "update_ledger", real)
            b.update_month(months.august, "2020-09", by="乙", unchanged=True)
            monkeypatch.setattr(store_module, "update_ledger", with_a_newer_month)
        return result

    monkeypatch.setattr(store_module, "update_ledger", with_a_newer_month)
    from bluesky_zoning.analysis.ledger.updates import LedgerError

    with pytest.raises(LedgerError, match="台账已更新到 2020-09"):
        a.update_month(months.august, AUGUST, by="甲")
    ledger = b.read()
    assert list(ledger.months["month"]) == [JULY, AUGUST, "2020-09"]
    assert ledger.months.set_index("month").loc["2020-09", "updated_by"] == "乙"


def test_old_lists_are_refused_and_a_month_is_undone_and_redone(months, tmp_path):
    """The 进度 tab's case: July's lists still loaded, recorded as September — refused, the file not touched;
    撤销本月 restores the ledger as it was before August (July's check-off kept); August again gives August's
    ledger; the Processing algorithm refuses the same and says how to record an unchanged month."""
    from bluesky_zoning.analysis.ledger.updates import LedgerError
    from bluesky_zoning.layers.ledger_store.factory import open_ledger
    from qgis.core import QgsProcessingException

    path = tmp_path / "台账.gpkg"
    store = open_ledger(path)
    store.update_month(months.july, JULY, by="甲")
    target = sorted(store.read().tasks["task_id"])[0]
    store.check_off(target, "乙 核查员", evidence="核查.pdf")
    july = store.read()
    store.update_month(months.august, AUGUST, by="甲")
    august = store.read()
    stamp = _digest(path)
    with pytest.raises(LedgerError) as err:
        store.update_month(months.july, "2020-09", by="甲")
    assert "2020-07" in str(err.value) and "2020-09" in str(err.value) and "完全相同" in str(err.value)
    assert _digest(path) == stamp
    with pytest.raises(QgsProcessingException) as err:
        _update(str(path), months.august, "2020-09")
    assert "本月清单无变化" in str(err.value) and _digest(path) == stamp

    undone = store.undo_month()
    assert undone.month == AUGUST and AUGUST in undone.notes[0]
    back = store.read()
    assert list(back.months["month"]) == [JULY]
    keep = ["task_id", "status", "check_off", "checked_by", "evidence", "overdue", "disagree", "first_month"]
    pd.testing.assert_frame_equal(back.tasks[keep].sort_values("task_id").reset_index(drop=True),
                                  july.tasks[keep].sort_values("task_id").reset_index(drop=True))
    assert len(back.history) == len(july.history)
    store.update_month(months.august, AUGUST, by="甲")
    again = store.read()
    pd.testing.assert_frame_equal(again.tasks[keep].sort_values("task_id").reset_index(drop=True),
                                  august.tasks[keep].sort_values("task_id").reset_index(drop=True))


def test_the_workbook_says_whether_its_progress_is_this_runs_month(months, tmp_path):
    """说明 says this run's hits; the 进度 sheet says whether the ledger month it shows holds this run's data."""
    import openpyxl
    from bluesky_zoning.layers.ledger_store.factory import open_ledger
    from bluesky_zoning.layers.workbook.writer import write_summary_workbook

    store = open_ledger(tmp_path / "台账.gpkg")
    store.update_month(months.july, JULY, by="甲")
    store.update_month(months.august, AUGUST, by="甲")
    for flags, own in ((months.august, True), (months.july, False)):
        out = tmp_path / f"汇总表_{flags.parent.name}.xlsx"
        write_summary_workbook(flags, out, flags.parent / "zones.gpkg", ledger=store, month=AUGUST)
        title = openpyxl.load_workbook(out)["进度"]["A1"].value
        assert AUGUST in title
        assert ("正是本次运行的结果" in title) is own and ("另一次运行" in title) is (not own), title
