# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _diff, _errors, _sql, _state, _time

SNAP = _time.Point(snapshot="s")


def side(databases, tables, rows):
    return {"databases": set(databases), "tables": tables, "rows": rows, "views": {}, "sequences": set()}


def test_objects_report_names_each_kind_of_change():
    old = side(["d", "gone"], {("d", "t"): "a int", ("d", "x"): "k int", ("d", "same"): "i int"},
               {("d", "t"): 3, ("d", "x"): 1, ("d", "same"): 2})
    new = side(["d", "new"], {("d", "t"): "a int; b int", ("d", "y"): "k int", ("d", "same"): "i int"},
               {("d", "t"): 3, ("d", "y"): 0, ("d", "same"): 5})
    report = _diff.objects_report(old, new, {"level": "account"})
    assert report["databases_added"] == ["new"] and report["databases_removed"] == ["gone"]
    assert report["tables_added"] == ["d.y"] and report["tables_removed"] == ["d.x"]
    assert report["tables_redefined"] == [{"table": "d.t", "before": "a int", "after": "a int; b int"}]
    assert report["row_counts"] == [{"table": "d.same", "before": 2, "after": 5}]
    assert _diff.objects_report(old, new, {"level": "table"})["databases_added"] == []


def test_rows_are_told_apart_by_key_only_when_there_is_one():
    keyed = _diff.row_report(("d", "t"), (3, 2), ["id"], (1, 0))
    assert keyed == {"table": "d.t", "key": ["id"], "rows_only_after": 3, "rows_only_before": 2,
                     "inserted": 1, "deleted": 0, "updated": 2}
    keyless = _diff.row_report(("d", "e"), (1, 1), None, None)
    assert "inserted" not in keyless and keyless["rows_only_after"] == 1
    assert _diff.summary({"rows": [keyed, keyless], "tables_added": ["d.n"]}) == \
        "tables added: d.n; d.t: 1 inserted, 0 deleted, 2 updated; d.e: 1 rows only after, 1 only before"
    assert _diff.summary({}) == "no changes"


def test_a_key_that_changed_between_the_points_is_not_used():
    # the keys come with the listing of each side (_state.read): no statement of their own
    before = {"keys": {("d", "t"): ["id"], ("d", "c"): ["a"]}}
    after = {"keys": {("d", "t"): ["id"], ("d", "c"): ["b", "a"]}}
    keys = _state.common_keys(before, after, [("d", "t"), ("d", "c"), ("d", "n")])
    assert keys == {("d", "t"): ["id"]}
    assert _state.common_keys(before, after, []) == {} and _state.common_keys({"keys": None}, after, [("d", "t")]) == {}


def test_key_statements_quote_names_and_order_by_the_key():
    stmt = _sql.content_differences(SNAP, [("d", "t`x"), ("d", "nokey")], _time.NOW, None,
                                    {("d", "t`x"): ["a", "b", "mo_sides"], ("d", "nokey"): ["c"]},
                                    {("d", "t`x"): ["a", "b"]})
    keyed, keyless = stmt.sql.split(" UNION ALL SELECT %s AS db")
    # the rows found on one side only, grouped by key: both sides -> updated, one side -> inserted or deleted
    assert "SELECT `a`, `b`, min(`mo_side`) AS `mo_side` FROM (SELECT `a`, `b`, `mo_sides`, 'n' AS `mo_side` FROM " \
        "`d`.`t``x` UNION ALL" in keyed
    assert "GROUP BY `a`, `b`) k" in keyed and "count(*) AS `mo_sides_`" in keyed and "d.inserted, d.deleted" in keyed
    assert "0 AS inserted, 0 AS deleted" in keyless and stmt.params == ("d", "t`x", "d", "nokey")
    unkeyed = _sql.content_differences(SNAP, [("d", "t")], _time.NOW, None, {("d", "t"): ["a"]})
    assert "inserted" not in unkeyed.sql  # the restore preview asks for no key counts
    updated = _sql.sample_keys("d", "t", ["id", "v", "w"], ["id"], "updated", SNAP, _time.NOW, 5)
    assert updated.sql == ("SELECT t.`id` FROM `d`.`t` t JOIN `d`.`t` {SNAPSHOT = `s`} o ON t.`id` = o.`id` "
                           "WHERE NOT (t.`v` <=> o.`v` AND t.`w` <=> o.`w`) ORDER BY t.`id` LIMIT 5")
    deleted = _sql.sample_keys("d", "t", ["a", "b", "v"], ["b", "a"], "deleted", SNAP, _time.NOW, 5)
    assert deleted.sql == ("SELECT t.`b`, t.`a` FROM `d`.`t` {SNAPSHOT = `s`} t LEFT JOIN `d`.`t` o ON t.`b` = o.`b` "
                           "AND t.`a` = o.`a` WHERE o.`b` IS NULL ORDER BY t.`b`, t.`a` LIMIT 5")
    only_keys = _sql.sample_keys("d", "t", ["id"], ["id"], "updated", SNAP, _time.NOW, 5)
    assert "WHERE NOT (TRUE)" in only_keys.sql  # a table of key columns only has no updates


def test_rows_are_looked_up_by_bound_key_values():
    single = _sql.rows_by_key("d", "t", ["id"], SNAP, [(7,), ("x'y",)])
    assert single.sql == "SELECT * FROM `d`.`t` {SNAPSHOT = `s`} WHERE `id` IN (%s, %s)" and single.params == (7, "x'y")
    pair = _sql.rows_by_key("d", "t", ["b", "a"], _time.NOW, [(1, 2), (3, 4)])
    assert pair.sql == "SELECT * FROM `d`.`t` WHERE (`b` = %s AND `a` = %s) OR (`b` = %s AND `a` = %s)"
    assert pair.params == (1, 2, 3, 4)
    assert _sql.rows_by_key("d", "t", ["id"], SNAP, []) is None


STATE = {"databases": {"d"}, "tables": {("d", "t"): "id int; v int", ("d", "e"): "v int"}, "views": {},
         "sequences": set(), "rows": {("d", "t"): 5, ("d", "e"): 1},
         "columns": {("d", "t"): ["id", "v"], ("d", "e"): ["v"]}}


def fake_server(counts, keys, rows):
    """A query function answering the comparison with `counts`, sample keys by kind from `keys` and rows by key
    from `rows` ({'after'|'before': {id: v}}); it logs the statements."""
    log = []

    def query(stmt):
        log.append(stmt)
        if "only_now" in stmt.sql:
            return counts
        if "ORDER BY t." in stmt.sql:
            kind = ("updated" if "<=>" in stmt.sql else "deleted" if "{SNAPSHOT = `s`} t" in stmt.sql else "inserted")
            return [{"id": k} for k in keys[kind]]
        if " IN (" in stmt.sql:
            side = rows["before" if "{SNAPSHOT" in stmt.sql else "after"]
            return [{"id": k, "v": side[k]} for k in stmt.params if k in side]
        return [{"v": 9}]  # a keyless table's rows only on one side
    return query, log


def test_key_counts_come_with_the_content_and_samples_are_looked_up_by_key():
    query, log = fake_server([{"db": "d", "tbl": "t", "only_now": 3, "only_snap": 2, "inserted": 1, "deleted": 0},
                              {"db": "d", "tbl": "e", "only_now": 1, "only_snap": 0, "inserted": 0, "deleted": 0}],
                             {"inserted": [9], "updated": [1, 2]},
                             {"after": {1: 10, 2: 20, 9: 90}, "before": {1: 11, 2: 21}})
    counts = {}
    content = _state.content_changes(query, SNAP, [("d", "t"), ("d", "e")], current=_time.NOW,
                                     columns=STATE["columns"], keys={("d", "t"): ["id"]}, key_counts=counts)
    assert content == {("d", "t"): (3, 2), ("d", "e"): (1, 0)} and counts == {("d", "t"): (1, 0)}
    entries = [_diff.row_report(k, content[k], key, counts.get(k))
               for k, key in ((("d", "e"), None), (("d", "t"), ["id"]))]
    del log[:]
    found = _state.samples(query, SNAP, _time.NOW, [(("d", "e"), entries[0], None, ["v"]),
                                                    (("d", "t"), entries[1], ["id"], ["id", "v"])], 5)
    assert found == [{"only_after": [{"v": 9}], "only_before": []},
                     {"inserted": [{"id": 9, "v": 90}], "deleted": [],
                      "updated": [{"before": {"id": 1, "v": 11}, "after": {"id": 1, "v": 10}},
                                  {"before": {"id": 2, "v": 21}, "after": {"id": 2, "v": 20}}]}]
    # a kind or side without rows costs no statement: one keyless sample, two kinds' keys, two lookups
    assert len(log) == 5 and sum("EXCEPT" in s.sql for s in log) == 1
    assert [s.params for s in log if " IN (" in s.sql] == [(9, 1, 2), (1, 2)]


def test_the_change_report_carries_samples_by_key(monkeypatch):
    query, _log = fake_server([{"db": "d", "tbl": "t", "only_now": 1, "only_snap": 1, "inserted": 0, "deleted": 0}],
                              {"updated": [4]}, {"after": {4: 5}, "before": {4: 6}})
    sides = dict((side, dict(STATE, tables={("d", "t"): "id int; v int"}, rows={("d", "t"): 5},
                             keys={("d", "t"): ["id"]})) for side in ("before", "after"))
    monkeypatch.setattr(_diff._state, "read", lambda readers, databases, table: sides)
    report = _diff.compare_points(query, SNAP, _time.NOW, {"level": "database", "database": "d", "table": None}, 0, 3)
    assert report["rows"] == [{"table": "d.t", "key": ["id"], "rows_only_after": 1, "rows_only_before": 1,
                               "inserted": 0, "deleted": 0, "updated": 1,
                               "samples": {"inserted": [], "deleted": [],
                                           "updated": [{"before": {"id": 4, "v": 6}, "after": {"id": 4, "v": 5}}]}}]
    assert report["changes"] == 1 and report["identical"] is False


def test_every_set_difference_is_made_distinct():
    """Real v4.1.4 returned 20,000 rows for an EXCEPT of 10,000 changed rows of a 10^6-row table."""
    stmts = [_sql.content_differences(SNAP, [("d", "t")]), _sql.content_sample(SNAP, "d", "t", "now", 5)]
    for stmt in stmts:
        assert stmt.sql.count("EXCEPT") == stmt.sql.count("SELECT DISTINCT * FROM (SELECT"), stmt.sql


def test_mo_snapshot_diff_compares_only_what_the_snapshot_covers():
    table_snap = {"name": "s", "level": "table", "account": "sys", "database": "d", "table": "t"}
    assert _diff.scope_of({"database": None, "table": None}, table_snap) == \
        {"level": "table", "database": "d", "table": "t"}
    assert _diff.scope_of({"database": None, "table": None}, None)["level"] == "account"
    with pytest.raises(_errors.InvalidInput, match="snapshot s is of database d, not e"):
        _diff.scope_of({"database": "e", "table": None}, table_snap)
    with pytest.raises(_errors.InvalidInput, match="snapshot s is of table d.t, not u"):
        _diff.scope_of({"database": "d", "table": "u"}, table_snap)


@pytest.mark.parametrize("given, message", [
    (dict(table="t"), "table needs database"),
    (dict(sample_rows=-1), "sample_rows must be 0 or more, got -1"),
    (dict(content_max_rows=-5), "content_max_rows must be 0 or more, got -5"),
    (dict(snapshot="no way"), "snapshot"),
    (dict(snapshot=None, timestamp="yesterday"), "timestamp"),
])
def test_mo_snapshot_diff_refuses_bad_input_before_any_sql(given, message):
    params = dict(dict(snapshot="s", timestamp=None, database=None, table=None, sample_rows=20,
                       content_max_rows=1000000), **given)
    with pytest.raises(_errors.InvalidInput, match=message):
        _diff.validate(params)


def test_a_snapshot_of_the_login_is_read_at_its_exact_time(monkeypatch):
    snap = {"name": "s", "level": "database", "account": "sys", "database": "d", "table": "",
            "timestamp": "2026-12-05T23:02:29.781288204Z"}
    monkeypatch.setattr(_diff._snapshots, "find_required", lambda mo, name: snap)
    seen = []
    monkeypatch.setattr(_diff, "compare_points", lambda query, before, *rest: seen.append(before) or {})
    mo = type("Mo", (), {"login_account": "sys", "doing": "", "reads": lambda self: None})()
    before, _report = _diff.compare_with_now(mo, {"snapshot": "s", "timestamp": None, "database": None,
                                                  "table": None, "content_max_rows": 0, "sample_rows": 0})
    assert before == {"snapshot": "s", "timestamp": snap["timestamp"]}
    assert _sql.at(seen[0]) == " {MO_TS = 1796511749781288204}"  # what {SNAPSHOT = s} reads, without its look-ups
