"""The monthly check-off ledger (RULES.md §5) without QGIS: statuses, identity, idempotence, check-offs."""
from __future__ import annotations

import pandas as pd
import pytest
from bluesky_zoning.analysis.ledger import identity as ledger_identity
from bluesky_zoning.analysis.ledger import updates as L
from pyproj import Geod

AT = "2020-09-01T09:00:00+08:00"
COUNTIES = {"小店区": ("太原市", "140105"), "清徐县": ("太原市", "140121"), "尧都区": ("临汾市", "141002")}


def flag(ent_id, rule_id="B-35", name=None, county="小店区", deadline="2020-10-01前", lon=112.55, lat=37.80,
         layer="boiler", row=None, source_layer=None):
    city, adcode = COUNTIES[county]
    return {"ent_id": ent_id, "layer": layer, "name": name or f"{ent_id}厂", "rule_id": rule_id, "action": "淘汰",
            "clause": "三(二)10", "deadline": deadline, "lead_dept": "省生态环境厅", "reason": "燃煤锅炉 4 蒸吨/小时 < 35",
            "county": county, "city": city, "adcode": adcode, "lon": lon, "lat": lat,
            "row": row if row is not None else int(str(ent_id).split("-")[-1]) + 1,
            "source_layer": source_layer or layer}


def offset(lon, lat, azimuth, dist_m):
    x, y, _ = Geod(ellps="WGS84").fwd(lon, lat, azimuth, dist_m)
    return float(x), float(y)


def frame(rows):
    return pd.DataFrame(rows)


def update(ledger, rows, month, **kw):
    return L.update_ledger(ledger, frame(rows), month, at=kw.pop("at", AT), by=kw.pop("by", "分析员"), **kw)


def task(ledger, task_id):
    hit = ledger.tasks[ledger.tasks["task_id"] == task_id]
    assert len(hit) == 1, task_id
    return hit.iloc[0]


def assert_same(a: L.Ledger, b: L.Ledger):
    for name in ("tasks", "history", "progress", "months"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_dtype=True)


JULY = [flag("GL-001"), flag("GL-002"), flag("GL-003", county="清徐县"), flag("GL-003", "B-NOX", county="清徐县"),
        flag("GL-004", county="尧都区")]


def test_first_month_all_open_and_new():
    res = update(None, JULY, "2020-07")
    t = res.ledger.tasks
    assert len(t) == 5 and set(t["status"]) == {"open"}
    assert set(t["first_month"]) == set(t["last_month"]) == {"2020-07"} and t["done_month"].isna().all()
    assert set(t["id_source"]) == {L.ID_INVENTORY}
    assert task(res.ledger, "boiler:GL-003:B-NOX")["ent_id"] == "GL-003"
    assert res.counts == {"tasks": 5, "open": 5, "new": 5, "done": 0, "reopened": 0, "overdue": 0, "disagree": 0}
    h = res.ledger.history
    assert len(h) == 5 and h["from_status"].isna().all() and set(h["to_status"]) == {"open"}
    assert set(h["source"]) == {"data"} and set(h["by"]) == {"分析员"}
    assert list(res.ledger.months["month"]) == ["2020-07"]


def test_done_new_and_reopened_across_months():
    july = update(None, JULY, "2020-07").ledger
    # August: GL-002 converted to gas (its task gone), GL-005 is new
    aug_rows = [r for r in JULY if r["ent_id"] != "GL-002"] + [flag("GL-005", county="尧都区")]
    aug = update(july, aug_rows, "2020-08")
    assert aug.counts["done"] == 1 and aug.counts["new"] == 1 and aug.counts["reopened"] == 0
    done = task(aug.ledger, "boiler:GL-002:B-35")
    assert (done["status"], done["done_month"], done["last_month"]) == ("done", "2020-08", "2020-07")
    new = task(aug.ledger, "boiler:GL-005:B-35")
    assert (new["status"], new["first_month"]) == ("open", "2020-08")
    kept = task(aug.ledger, "boiler:GL-001:B-35")
    assert (kept["status"], kept["first_month"], kept["last_month"]) == ("open", "2020-07", "2020-08")
    # September: GL-002 is back on coal
    sep = update(aug.ledger, aug_rows + [flag("GL-002")], "2020-09")
    assert sep.counts["reopened"] == 1 and sep.counts["done"] == 0 and sep.counts["new"] == 0
    back = task(sep.ledger, "boiler:GL-002:B-35")
    assert (back["status"], back["done_month"], back["last_month"]) == ("reopened", None, "2020-09")
    changes = sep.ledger.history[sep.ledger.history["task_id"] == "boiler:GL-002:B-35"]
    assert list(zip(changes["month"], changes["from_status"].fillna(""), changes["to_status"])) == [
        ("2020-07", "", "open"), ("2020-08", "open", "done"), ("2020-09", "done", "reopened")]


def test_overdue_against_the_end_of_the_month():
    rows = [flag("KS-001", "M-OPEN", layer="mine", deadline="2020-08-31前"),
            flag("GL-001", deadline="2020年采暖季前"), flag("QY-001", "P-DRYQ", layer="plant", deadline="计划未明确"),
            flag("KS-002", "M-OPEN", layer="mine", deadline="2020-08-31前")]
    july = update(None, rows, "2020-07")
    assert july.counts["overdue"] == 0
    aug = update(july.ledger, rows[:3], "2020-08")  # KS-002 closed in August: done, not overdue
    assert task(aug.ledger, "mine:KS-001:M-OPEN")["overdue"] == 1
    assert task(aug.ledger, "mine:KS-002:M-OPEN")["overdue"] == 0
    assert aug.counts["overdue"] == 1
    sep = update(aug.ledger, rows[:3], "2020-09", unchanged=True)  # the lists did not change: said so
    assert task(sep.ledger, "boiler:GL-001:B-35")["overdue"] == 0  # heating season: due by 31 October
    oct_ = update(sep.ledger, rows[:3], "2020-10", unchanged=True)
    assert task(oct_.ledger, "boiler:GL-001:B-35")["overdue"] == 1
    assert task(oct_.ledger, "plant:QY-001:P-DRYQ")["overdue"] == 0  # the plan names no date
    assert oct_.counts["overdue"] == 2
    assert str(L.deadline_date("2020-10-01前")) == "2020-10-01" and str(L.deadline_date("2020年底前")) == "2020-12-31"


def test_row_order_does_not_change_the_ledger():
    july = update(None, JULY, "2020-07").ledger
    aug_rows = JULY[1:] + [flag("GL-006")]
    a = update(july, aug_rows, "2020-08").ledger
    shuffled = frame(aug_rows).sample(frac=1.0, random_state=7).reset_index(drop=True)
    order = {e: 40 + i for i, e in enumerate(pd.unique(shuffled["ent_id"]))}
    shuffled["row"] = shuffled["ent_id"].map(order)  # another month, another row order
    b = L.update_ledger(update(None, list(reversed(JULY)), "2020-07").ledger, shuffled, "2020-08", at=AT, by="分析员")
    assert_same(a, b.ledger)


def test_the_same_month_twice_gives_the_same_ledger():
    july = update(None, JULY, "2020-07").ledger
    aug_rows = JULY[1:] + [flag("GL-006")]
    once = update(july, aug_rows, "2020-08")
    twice = update(once.ledger, aug_rows, "2020-08", at="2020-09-02T10:00:00+08:00", by="另一位分析员")
    assert twice.replaced and twice.counts == once.counts
    assert_same(once.ledger, twice.ledger)  # even the stamps: nothing changed, so nothing was re-recorded
    # a corrected August replaces the first one: no trace of the first update's changes is left
    fixed = update(twice.ledger, aug_rows[:-1], "2020-08", at="2020-09-03T10:00:00+08:00")
    assert fixed.counts["new"] == 0 and "boiler:GL-006:B-35" not in set(fixed.ledger.tasks["task_id"])
    assert fixed.ledger.history.groupby(["task_id", "month"]).size().max() == 1
    assert list(fixed.ledger.months["month"]) == ["2020-07", "2020-08"]
    assert (fixed.ledger.progress["month"] == "2020-08").sum() == (once.ledger.progress["month"] == "2020-08").sum()
    # and the first August again restores the first ledger exactly, apart from the re-recorded new task
    again = update(fixed.ledger, aug_rows, "2020-08")
    assert_same(once.ledger, again.ledger)


def test_an_older_month_is_refused_and_a_bad_month_named():
    aug = update(None, JULY, "2020-08").ledger
    with pytest.raises(L.LedgerError) as err:
        update(aug, JULY, "2020-07")
    assert "台账已更新到 2020-08" in str(err.value) and "2020-07" in str(err.value) and "older month" in str(err.value)
    for bad in ("2020/08", "2020-13", "八月", "", "2020-08-01"):
        with pytest.raises(L.LedgerError) as err:
            update(aug, JULY, bad)
        assert f"月份「{bad}」格式不对" in str(err.value) and "YYYY-MM" in str(err.value)
    assert L.parse_month("2020-8") == "2020-08"


def _noid_rows(moves_m):
    """Three boilers of a list without 编号, as the engine names them ("<layer>-<row>"), moved by moves_m."""
    base = [("清徐县鑫源供热站", 112.35, 37.60), ("清徐县恒泰食品有限公司", 112.40, 37.62), ("清徐县宏达造纸厂", 112.45, 37.64)]
    out = []
    for row, ((name, lon, lat), move) in enumerate(zip(base, moves_m), start=2):
        lon2, lat2 = offset(lon, lat, 90.0, move) if move else (lon, lat)
        out.append(flag(f"锅炉清单-{row}", name=name, county="清徐县", lon=lon2, lat=lat2, row=row, source_layer="锅炉清单"))
    return out


def test_lists_without_ids_match_by_name_within_50_m():
    july = update(None, _noid_rows([0, 0, 0]), "2020-07")
    assert set(july.ledger.tasks["id_source"]) == {L.ID_NAME_POSITION}
    assert any("无编号" in n and "50 米" in n for n in july.notes)
    ids = dict(zip(july.ledger.tasks["name"], july.ledger.tasks["task_id"]))
    # August: rows in another order (so other generated ids), one moved 30 m, one 80 m, one full-width spaced
    aug_rows = _noid_rows([30.0, 80.0, 0])
    aug_rows[2]["name"] = "清徐县 宏达造纸厂（ ）"
    aug_rows = [dict(r, row=r2, ent_id=f"锅炉清单-{r2}") for r, r2 in zip(reversed(aug_rows), (2, 3, 4))]
    aug = update(july.ledger, aug_rows, "2020-08")
    t = aug.ledger.tasks.set_index("task_id")
    assert t.loc[ids["清徐县鑫源供热站"], "status"] == "open"  # 30 m: the same boiler
    assert t.loc[ids["清徐县宏达造纸厂"], "status"] == "open"  # spaces and brackets do not make another name
    assert t.loc[ids["清徐县恒泰食品有限公司"], "status"] == "done"  # 80 m: another boiler
    assert aug.counts == dict(aug.counts, new=1, done=1)
    assert set(t["id_source"]) == {L.ID_NAME_POSITION}
    assert all(i.startswith("boiler:名称:") for i in t.index)


def test_the_engine_names_id_less_rows_as_the_ledger_expects():
    """Coupling check: a list without 编号 gets "<layer>-<row>" ids from enterprises.py, which the ledger must
    recognise as no id at all (else row order would decide identity)."""
    from bluesky_zoning.analysis.inputs.enterprises import enterprises_from_table

    table = enterprises_from_table(pd.DataFrame({"单位名称": ["甲厂", "乙厂"], "经度": [112.3, 112.4],
                                                 "纬度": [37.6, 37.6], "燃料类型": ["燃煤", "燃煤"]}), "boiler",
                                   layer_name="锅炉清单")
    gdf = table.gdf.assign(layer="boiler", source_layer=table.layer_name)
    assert list(ledger_identity._generated_id(gdf)) == [True, True]
    gdf["ent_id"] = ["BLR-1", "BLR-2"]
    assert list(ledger_identity._generated_id(gdf)) == [False, False]


def test_duplicate_ids_are_told_apart_by_name():
    rows = [flag("GL-009", name="甲供热站"), flag("GL-009", name="乙食品厂", row=99, lon=112.6)]
    res = update(None, rows, "2020-07")
    assert len(res.ledger.tasks) == 2 and set(res.ledger.tasks["id_source"]) == {L.ID_DUPLICATE}
    assert any("编号重复" in n and "GL-009" in n for n in res.notes)


def test_manual_check_off_is_kept_while_the_data_disagree():
    july = update(None, JULY, "2020-07").ledger
    tid = "boiler:GL-001:B-35"
    checked = L.check_off(july, tid, "清徐县环保局 王某", evidence="现场核查记录_0725.pdf", note="已拆除", at=AT)
    t = task(checked, tid)
    assert (t["status"], t["check_off"], t["checked_by"], t["evidence"], t["disagree"]) == (
        "open", "done", "清徐县环保局 王某", "现场核查记录_0725.pdf", 1)
    # August still shows the boiler: the data do not overrule the person, the ledger shows both
    aug = update(checked, JULY, "2020-08", unchanged=True)
    t = task(aug.ledger, tid)
    assert (t["status"], t["check_off"], t["checked_by"], t["disagree"]) == ("open", "done", "清徐县环保局 王某", 1)
    assert aug.counts["disagree"] == 1 and any("人工销号" in n for n in aug.notes)
    # re-running August keeps the check-off too
    assert task(update(aug.ledger, JULY, "2020-08").ledger, tid)["check_off"] == "done"
    # September: the data agree
    sep = update(aug.ledger, JULY[1:], "2020-09")
    t = task(sep.ledger, tid)
    assert (t["status"], t["check_off"], t["disagree"]) == ("done", "done", 0)
    manual = sep.ledger.history[sep.ledger.history["source"] == "manual"]
    assert list(zip(manual["task_id"], manual["from_status"], manual["to_status"], manual["by"])) == [
        (tid, "open", "done", "清徐县环保局 王某")]
    assert "现场核查记录_0725.pdf" in manual["note"].iloc[0]


def test_revert_and_refusals_of_a_check_off():
    july = update(None, JULY, "2020-07").ledger
    tid = "boiler:GL-002:B-35"
    checked = L.check_off(july, tid, "王某", evidence="a.pdf", at=AT)
    back = L.check_off(checked, tid, "李某", note="核查有误", revert=True, at=AT)
    t = task(back, tid)
    assert t["check_off"] is None and t["checked_by"] is None and t["disagree"] == 0 and t["status"] == "open"
    manual = back.history[back.history["source"] == "manual"]
    assert list(zip(manual["from_status"], manual["to_status"], manual["by"])) == [("open", "done", "王某"),
                                                                                   ("done", "open", "李某")]
    with pytest.raises(L.LedgerError, match="没有人工销号"):
        L.check_off(back, tid, "李某", revert=True)
    with pytest.raises(L.LedgerError, match="台账中没有任务「boiler:GL-404:B-35」"):
        L.check_off(back, "boiler:GL-404:B-35", "李某")
    with pytest.raises(L.LedgerError, match="请填写销号人"):
        L.check_off(back, tid, "  ")


def test_monthly_progress_per_county_adds_up():
    july = update(None, JULY, "2020-07").ledger
    rows = [r for r in JULY if r["ent_id"] != "GL-003"] + [flag("GL-007", county="清徐县"), flag("GL-008")]
    aug = update(july, rows, "2020-08")
    p = aug.ledger.progress[aug.ledger.progress["month"] == "2020-08"].set_index("county")
    assert list(p.columns) == ["month", "adcode", "city", "open", "new", "done", "reopened", "overdue"]
    assert p.loc["清徐县", ["open", "new", "done"]].tolist() == [1, 1, 2]
    assert p.loc["小店区", ["open", "new", "done"]].tolist() == [3, 1, 0]
    assert p.loc["尧都区", ["open", "new", "done"]].tolist() == [1, 0, 0]
    assert p.loc["清徐县", "adcode"] == "140121" and p.loc["清徐县", "city"] == "太原市"
    for col in ("open", "new", "done", "reopened", "overdue"):
        assert int(p[col].sum()) == aug.counts[col]
    months = aug.ledger.months.set_index("month")
    assert months.loc["2020-08", ["open", "new", "done"]].tolist() == [5, 2, 2]
    # July's rows stay as they were
    july_rows = aug.ledger.progress[aug.ledger.progress["month"] == "2020-07"]
    pd.testing.assert_frame_equal(july_rows.reset_index(drop=True), july.progress.reset_index(drop=True))


def test_the_diff_a_store_writes():
    july = update(None, JULY, "2020-07").ledger
    aug = update(july, JULY[1:], "2020-08").ledger
    diff = L.ledger_diff(july, aug, "2020-08")
    assert diff.delete_tasks == []
    assert set(diff.upsert_tasks["task_id"]) == set(july.tasks["task_id"])  # last_month / status changed on all
    assert list(diff.upsert_tasks.columns) == L.DATA_COLUMNS  # never the check-off columns
    assert len(diff.history_rows) == 1 and len(diff.month_row) == 1
    same = L.ledger_diff(aug, update(aug, JULY[1:], "2020-08").ledger, "2020-08")
    assert same.delete_tasks == [] and len(same.upsert_tasks) == 0


def test_flags_without_row_or_coordinate_columns():
    """Flags from elsewhere (a layer exported without the run's extra columns): positions from the geometry,
    and an enterprise with two rule hits is still one enterprise."""
    import geopandas as gpd

    rows = frame(JULY).drop(columns=["row", "source_layer", "lon", "lat"])
    gdf = gpd.GeoDataFrame(rows, geometry=gpd.points_from_xy([112.55] * 5, [37.80] * 5), crs="EPSG:4326")
    res = L.update_ledger(None, gdf, "2020-07", at=AT)
    assert set(res.ledger.tasks["id_source"]) == {L.ID_INVENTORY} and not res.notes
    assert set(res.ledger.tasks["lon"]) == {112.55}
    with pytest.raises(L.LedgerError, match="标注结果缺少字段 rule_id"):
        L.update_ledger(None, rows.assign(rule_id=None), "2020-07")


def test_every_ledger_column_has_the_one_chinese_name_of_the_output_fields():
    from bluesky_zoning.analysis.schema.output_fields import OUTPUT_FIELDS

    columns = dict.fromkeys(c for table in L.STORED_COLUMNS.values() for c in table)
    assert set(L.TASK_COLUMNS + L.HISTORY_COLUMNS + L.PROGRESS_COLUMNS + L.MONTH_COLUMNS) < set(columns)
    assert set(L.FIELD_ALIASES) == set(columns)
    for name in columns:
        assert name in OUTPUT_FIELDS, f"ledger column {name} is not declared in OUTPUT_FIELDS"
        assert L.FIELD_ALIASES[name] == OUTPUT_FIELDS[name].alias != ""
    # the fields a run's outputs and the ledger share read the same in both
    assert L.FIELD_ALIASES["county"] == "县（市、区）" and L.FIELD_ALIASES["name"] == "单位名称"
    # within each table a name is given once (GeoPackage aliases must be unique in a table)
    for table in L.STORED_COLUMNS.values():
        aliases = [L.FIELD_ALIASES[c] for c in table]
        assert len(set(aliases)) == len(aliases), table
    # a code and its Chinese read apart: 数据状态代码 open, 数据状态 未完成
    assert (L.FIELD_ALIASES["status"], L.FIELD_ALIASES["status_label"]) == ("数据状态代码", "数据状态")


def test_the_stored_ledger_holds_each_codes_chinese_beside_it():
    """Every label column right after its code; its values the one table of each code (statuses, kinds,
    check-offs, sources, the rules' names); an unknown code as it is, an empty one empty."""
    from bluesky_zoning.analysis.schema.fields import LAYER_KIND_LABELS

    for table, labels in L.LABEL_COLUMNS.items():
        stored = L.STORED_COLUMNS[table]
        for label, code in labels.items():
            assert stored.index(label) == stored.index(code) + 1, label
    july = update(None, JULY, "2020-07").ledger
    july = L.check_off(july, "boiler:GL-001:B-35", by="核查员", at=AT)
    tasks = L.with_labels(july.tasks.assign(layer=["boiler"] * (len(july.tasks) - 1) + ["kiln"]), "tasks",
                          {"B-35": "重点城市35蒸吨以下燃煤锅炉淘汰"})
    assert list(tasks["status_label"]) == [L.STATUS_LABELS[s] for s in tasks["status"]]
    assert list(tasks["layer_label"]) == [LAYER_KIND_LABELS["boiler"]] * (len(tasks) - 1) + ["kiln"]
    named = tasks["rule_id"] == "B-35"
    assert set(tasks.loc[named, "rule_name"]) == {"重点城市35蒸吨以下燃煤锅炉淘汰"}
    assert list(tasks.loc[~named, "rule_name"]) == list(tasks.loc[~named, "rule_id"])  # no name known: the id
    ticked = tasks["task_id"] == "boiler:GL-001:B-35"
    assert list(tasks.loc[ticked, "check_off_label"]) == ["已人工销号"]
    assert tasks.loc[~ticked, "check_off_label"].isna().all()
    history = L.with_labels(july.history, "history")
    manual = history["source"] == L.SOURCE_MANUAL
    assert list(history.loc[manual, ["from_label", "to_label", "source_label"]].iloc[0]) == ["未完成", "已销号", "人工销号"]
    assert history.loc[~manual, "from_label"].isna().all() and set(history.loc[~manual, "source_label"]) == {"月度数据更新"}


def test_last_months_lists_are_not_recorded_as_a_new_month():
    """The dock still holding July's lists when September is recorded: refused, naming both months; the same lists
    as the latest month only when the analyst says they did not change; a replaced month may repeat itself."""
    july = update(None, JULY, "2020-07").ledger
    aug_rows = JULY[1:] + [flag("GL-006")]
    aug = update(july, aug_rows, "2020-08").ledger
    with pytest.raises(L.LedgerError) as info:
        update(aug, JULY, "2020-09")
    assert "2020-07" in str(info.value) and "2020-09" in str(info.value) and "完全相同" in str(info.value)
    with pytest.raises(L.LedgerError) as info:
        update(aug, aug_rows, "2020-09")
    assert "本月清单无变化" in str(info.value)
    sep = update(aug, aug_rows, "2020-09", unchanged=True)
    assert sep.counts["done"] == 0 and sep.counts["reopened"] == 0
    assert update(aug, aug_rows, "2020-08").replaced  # the month's update again: allowed, the same ledger


def test_a_month_is_undone_and_redone():
    """撤销本月: the ledger as it was before the month; recording the month again gives the same ledger."""
    july = update(None, JULY, "2020-07").ledger
    july = L.check_off(july, "boiler:GL-001:B-35", by="核查员", at=AT)
    aug_rows = JULY[1:] + [flag("GL-006")]
    aug = update(july, aug_rows, "2020-08").ledger
    undone = L.undo_last_month(aug)
    assert undone.month == "2020-08" and "2020-08" in undone.notes[0]
    back = undone.ledger
    assert list(back.months["month"]) == ["2020-07"]
    assert set(back.tasks["task_id"]) == set(july.tasks["task_id"])
    pd.testing.assert_frame_equal(back.tasks.reset_index(drop=True), L.normalised(july).tasks.reset_index(drop=True))
    assert len(back.history) == len(L.normalised(july).history)
    assert task(back, "boiler:GL-001:B-35")["check_off"] == "done"  # a manual check-off stays
    redone = update(back, aug_rows, "2020-08").ledger
    pd.testing.assert_frame_equal(redone.tasks, aug.tasks)
    with pytest.raises(L.LedgerError):
        L.undo_last_month(L.undo_last_month(back).ledger)  # nothing left to undo
