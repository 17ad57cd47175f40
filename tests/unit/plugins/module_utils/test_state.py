# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The state of a scope (_state): reading it in batches through one or more logins, comparing two states, and the
three ways rows are compared (set difference, checksums, objects only)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import decimal
import sqlite3

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _sql, _state, _time

SNAP = _time.Point(snapshot="sp")


def state(dbs, tables, rows=None, columns=None, views=None, sequences=()):
    return {"databases": set(dbs), "tables": tables, "columns": columns or dict((k, ["a"]) for k in tables),
            "rows": rows or {}, "views": views or {}, "sequences": set(sequences)}


def test_timestamp_ns_is_exact():
    assert _time.timestamp_ns("1970-01-01T00:00:01.000000002Z") == 1000000002
    assert _time.timestamp_ns("2026-01-01T00:00:00Z") == 1767225600 * 10 ** 9
    assert _time.timestamp_ns("2024-05-10T02:06:08.01635Z") % 10 ** 9 == 16350000


def test_a_point_is_rendered_only_by_sql():
    assert _sql.at(_time.NOW) == "" and _sql.at(None) == ""
    assert _sql.at(SNAP) == " {SNAPSHOT = `sp`}"
    assert _sql.at(_time.Point(ts_ns=5)) == " {MO_TS = 5}"
    assert _time.Point(snapshot="sp") == SNAP and _time.NOW.is_now and not SNAP.is_now


def test_compare_reports_every_kind_of_change():
    now = state(["d", "later"], {("d", "t"): "A", ("d", "u"): "B", ("d", "new"): "N"},
                {("d", "t"): 50, ("d", "u"): 1, ("d", "new"): 0})
    snap_state = state(["d", "gone"], {("d", "t"): "A", ("d", "u"): "B2", ("d", "old"): "O"},
                       {("d", "t"): 100, ("d", "u"): 1, ("d", "old"): 3})
    report = _state.compare(now, snap_state, "account")
    assert report["databases_restored"] == ["gone"] and report["databases_removed"] == ["later"]
    assert report["tables_restored"] == ["d.old"] and report["tables_removed"] == ["d.new"]
    assert report["tables_redefined"] == ["d.u"]
    assert report["row_changes"] == [{"table": "d.t", "now": 50, "snapshot": 100}]
    assert report["tables_unchanged"] == 0
    assert report["changes"] == 6
    assert "row counts: d.t 50 (snapshot 100)" in _state.describe_differences(report)


def test_compare_identical_and_table_scope():
    s = state(["d"], {("d", "t"): "A"}, {("d", "t"): 1})
    assert _state.compare(s, s, "table")["changes"] == 0
    assert _state.describe_differences(_state.compare(s, s, "account")) == "no differences"


def test_rows_not_read_on_a_side_are_not_a_row_change():
    read = state(["d"], {("d", "t"): "A"}, {("d", "t"): 1})
    objects_only = state(["d"], {("d", "t"): "A"})  # sys reading a tenant now: no counts
    assert _state.compare(objects_only, read, "account")["changes"] == 0


class FakeQuery:
    """Answers scope_objects / row_counts statements from canned states keyed by (part label, account id)."""

    def __init__(self, states, own_account=0):
        self.states = states  # {account id: state}, the same at every point
        self.own = own_account
        self.calls = []

    def __call__(self, stmt):
        self.calls.append(stmt)
        rows = []
        if "mo_catalog.mo_database" in stmt.sql:  # databases=None: each subselect binds just its label
            for part, label in zip(stmt.sql.split(" UNION ALL "), stmt.params):
                ids = [self.own] if "current_account_id()" in part else \
                    [int(x) for x in part.split("account_id IN (")[1].split(")")[0].split(", ")]
                for acct in ids:
                    s = self.states[acct]
                    if "mo_catalog.mo_database" in part:
                        rows += [{"side": label, "acct": acct, "kind": "database", "db": db, "tbl": "", "def": ""}
                                 for db in s["databases"]]
                    elif "mo_catalog.mo_indexes" in part:  # a primary key on column a, and MatrixOne's hidden one
                        rows += [{"side": label, "acct": acct, "kind": "index", "db": db, "tbl": t, "def": d}
                                 for db, t in s["tables"] for d in ("PRIMARY|PRIMARY|1|a", "k|MULTIPLE|2|__mo_x")
                                 if (db, t) not in s.get("unkeyed", ()) or not d.startswith("PRIMARY")]
                    elif "mo_catalog.mo_foreign_keys" in part:
                        pass
                    elif "mo_catalog.mo_tables" in part:
                        rows += [{"side": label, "acct": acct, "kind": "table", "db": db, "tbl": t, "def": ""}
                                 for db, t in s["tables"]]
                    else:
                        rows += [{"side": label, "acct": acct, "kind": "column", "db": db, "tbl": t,
                                  "def": "1|%s|00|0|n|0||" % "a".encode().hex()} for db, t in s["tables"]]
        else:
            triples = zip(stmt.params[0::3], stmt.params[1::3], stmt.params[2::3])
            for side, db, t in triples:
                rows.append({"side": side, "db": db, "tbl": t, "n": self.states[self.own]["rows"][(db, t)]})
        return rows


def test_read_lists_once_per_login_and_counts_in_batches():
    tables = dict((("d", "t%d" % i), "def") for i in range(500))
    rows = dict((k, 1) for k in tables)
    fake = FakeQuery({0: state(["d"], tables, rows)})
    result = _state.read({"now": _state.Reader(fake, _time.NOW), "snap": _state.Reader(fake, SNAP)})
    assert len(fake.calls) == 1 + 2 * (500 // _state.COUNT_BATCH)  # one listing, then batches per side
    assert len(result["snap"]["rows"]) == 500 and len(result["now"]["rows"]) == 500
    assert result["now"]["columns"][("d", "t7")] == ["a"]
    assert result["now"]["indexes"][("d", "t7")] == "PRIMARY PRIMARY (a)" and result["now"]["foreign_keys"] == set()
    assert result["now"]["keys"] == dict((k, ["a"]) for k in tables)


def test_a_side_left_uncounted_is_listed_only_and_keyed_by_its_primary_index():
    tables = {("d", "k"): "def", ("d", "u"): "def"}
    fake = FakeQuery({0: dict(state(["d"], tables, {("d", "k"): 3, ("d", "u"): 2}), unkeyed={("d", "u")})})
    result = _state.read({"now": _state.Reader(fake, _time.NOW), "snap": _state.Reader(fake, SNAP)}, uncounted={"now"})
    assert len(fake.calls) == 2 and fake.calls[1].params[0::3] == ("n", "n")  # the listing, the snapshot's counts
    assert result["now"]["rows"] == {} and result["snap"]["rows"] == {("d", "k"): 3, ("d", "u"): 2}
    assert result["now"]["keys"] == {("d", "k"): ["a"]}  # a unique index or MatrixOne's hidden key is no primary key
    # a keyed table holds no duplicate row: its rows now follow from the comparison; the rest is counted
    _state.rows_from_content(result["now"], result["snap"], {("d", "k"): (2, 1), ("d", "u"): (0, 0)})
    assert result["now"]["rows"] == {("d", "k"): 4}
    _state.count_missing_rows(_state.Reader(fake, _time.NOW), result["now"])
    assert result["now"]["rows"] == {("d", "k"): 4, ("d", "u"): 2} and len(fake.calls) == 3
    unknown = _state.empty()  # checksums that differ say no row numbers: nothing is derived
    _state.rows_from_content(unknown, dict(result["snap"], keys={("d", "k"): ["a"]}), {("d", "k"): (None, None)})
    assert unknown["rows"] == {}


def test_sys_reads_many_accounts_catalogs_in_one_statement_and_no_tenant_rows():
    fake = FakeQuery({0: state(["s"], {("s", "x"): ""}, {("s", "x"): 4}), 7: state(["a"], {("a", "t"): ""}),
                      9: state(["b"], {("b", "u"): ""})})
    readers = {("now", "sys"): _state.Reader(fake, _time.NOW), ("now", "acc7"): _state.Reader(fake, _time.NOW, 7, False),
               ("snap", "acc7"): _state.Reader(fake, SNAP, 7, False), ("snap", "acc9"): _state.Reader(fake, SNAP, 9, False)}
    result = _state.read(readers)
    listing = fake.calls[0]
    assert listing.sql.count("account_id IN (7)") == 3 and listing.sql.count("account_id IN (7, 9)") == 3
    assert len(fake.calls) == 2  # the listing, and sys's own row counts; a tenant's rows are not read by sys
    assert result[("now", "acc7")]["tables"] == {("a", "t"): "a 00 default="} and result[("now", "acc7")]["rows"] == {}
    assert set(result[("snap", "acc9")]["databases"]) == {"b"} and result[("now", "sys")]["rows"] == {("s", "x"): 4}


def test_how_rows_can_be_compared():
    def login(_stmt):
        return []

    def other(_stmt):
        return []
    assert _state.compared_by(_state.Reader(login, _time.NOW), _state.Reader(login, SNAP)) == "content"
    assert _state.compared_by(_state.Reader(other, _time.NOW), _state.Reader(login, SNAP)) == "checksums"
    assert _state.compared_by(_state.Reader(login, _time.NOW), _state.Reader(login, SNAP, account_id=7)) == "checksums"
    assert _state.compared_by(_state.Reader(login, _time.NOW, 7, rows=False), _state.Reader(login, SNAP)) == "objects"


def test_batched_reads_quote_server_names_and_bind_labels():
    stmt = _sql.row_counts([("now", _time.NOW, [("d`x", "t")])])
    assert "FROM `d``x`.`t`" in stmt.sql and stmt.params == ("now", "d`x", "t")
    assert _sql.row_counts([("now", _time.NOW, [])]) is None
    objects = _sql.scope_objects([("now", _time.NOW, None), ("snap", SNAP, None)], ["d"])
    # per side: databases, tables, columns, and the login's own indexes and foreign keys (referencing or referenced)
    assert objects.sql.count("UNION ALL") == 9 and objects.params.count("d") == 12
    assert objects.sql.count("account_id = current_account_id()") == 8
    tenant = _sql.scope_objects([("now", _time.NOW, None), ("snap", SNAP, [7])], ["d"])
    # another account's indexes and foreign keys are not visible to sys: not read
    assert tenant.sql.count("account_id IN (7)") == 3 and tenant.sql.count("current_account_id()") == 5
    assert tenant.sql.count("mo_indexes") == 1 and tenant.sql.count("mo_foreign_keys") == 1


def test_checksums_hash_every_column_and_compare_across_logins():
    stmt = _sql.row_checksums(SNAP, [("d", "t", ["id", "we`ird"])])
    assert "hash_value(`id`, `we``ird`) >> 32" in stmt.sql and "& 4294967295" in stmt.sql
    assert "FROM `d`.`t` {SNAPSHOT = `sp`}" in stmt.sql and stmt.params == ("d", "t")
    assert _sql.row_checksums(SNAP, []) is None

    def answer(sums):
        return lambda stmt: [{"db": db, "tbl": t, "n": 2, "hi": sums[(db, t)], "lo": 5}
                             for db, t in zip(stmt.params[0::2], stmt.params[1::2])]
    s = state(["d"], {("d", "a"): "A", ("d", "b"): "B"})
    now = _state.Reader(answer({("d", "a"): 1, ("d", "b"): 2}), _time.NOW)
    snap = _state.Reader(answer({("d", "a"): 1, ("d", "b"): 3}), SNAP)
    changes = _state.checksum_changes(now, s, snap, s, [("d", "a"), ("d", "b")])
    assert changes == {("d", "a"): (0, 0), ("d", "b"): (None, None)}
    report = _state.compare(s, s, "database", changes)
    assert report["content_changes"] == [{"table": "d.b", "rows_only_now": None, "rows_only_in_snapshot": None}]
    assert report["changes"] == 1 and "d.b rows differ (checksums)" in _state.describe_differences(report)


# mo_columns rows recorded from a real MatrixOne v4.1.4 before and after RESTORE DATABASE: the restore rewrote
# the default of the nullable column d (its protobuf gained the expression and the text 'null')
REAL_BEFORE = ["1|6964|0016000000000000000000080000004000000001|1|p|0||",
               "2|73|003D000000000000000000300000002800000000|1|n|0|0A0D0A06083D1001201412035A01781203277827|",
               "3|64|0020000000000000000000100000000E00000004|0|n|0|1801|money"]
REAL_AFTER = REAL_BEFORE[:2] + ["3|64|0020000000000000000000100000000E00000004|0|n|0|"
                                "0A0C0A060820200728021202080112046E756C6C1801|money"]


def test_column_definitions_survive_the_restore_rewrite():
    assert [_state.column_definition(r) for r in REAL_BEFORE] == [_state.column_definition(r) for r in REAL_AFTER]
    num, name, text = _state.column_definition(REAL_BEFORE[1])
    assert num == 2 and name == "s" and text.startswith("s 003D") and " not null" in text and "default='x'" in text
    assert "comment=money" in _state.column_definition(REAL_BEFORE[2])[2]


@pytest.mark.parametrize("hex_value, text", [("", ""), ("1801", "null"), ("1203277827", "'x'"),
                                             ("0A0C0A060820200728021202080112046E756C6C1801", "null"),
                                             ("1204302E35", "0.5"), ("ZZ", "ZZ"), ("0B", "0B")])
def test_default_text(hex_value, text):
    assert _state.default_text(hex_value) == text


def test_a_changed_column_is_a_redefinition():
    changed = REAL_BEFORE[1].replace("|1|n|", "|0|n|")  # NOT NULL dropped
    assert _state.column_definition(changed) != _state.column_definition(REAL_BEFORE[1])


def test_content_is_read_in_batches_and_counted_in_the_preview():
    calls = []

    def query(stmt):
        calls.append(stmt)
        pairs = list(zip(stmt.params[0::2], stmt.params[1::2]))
        return [{"db": db, "tbl": t, "only_now": 2 if t == "t7" else 0, "only_snap": 1 if t == "t7" else 0}
                for db, t in pairs]

    tables = [("d", "t%d" % i) for i in range(120)]
    content = _state.content_changes(query, SNAP, tables, batch=50)
    assert len(calls) == 3 and [len(c.params) // 2 for c in calls] == [50, 50, 20]
    assert content[("d", "t7")] == (2, 1) and content[("d", "t8")] == (0, 0)
    s = state(["d"], dict((k, "A") for k in tables), dict((k, 5) for k in tables))
    report = _state.compare(s, s, "database", content)
    assert report["content_changes"] == [{"table": "d.t7", "rows_only_now": 2, "rows_only_in_snapshot": 1}]
    assert report["changes"] == 1 and report["tables_unchanged"] == 119
    assert "row contents: d.t7 2 rows not in the snapshot, 1 snapshot rows missing" in \
        _state.describe_differences(report)


def test_content_scope_skips_redefined_missing_and_big_tables():
    now = state(["d"], {("d", "a"): "A", ("d", "b"): "B", ("d", "big"): "C"},
                {("d", "a"): 1, ("d", "b"): 1, ("d", "big"): 10})
    snap = state(["d"], {("d", "a"): "A", ("d", "b"): "B2", ("d", "big"): "C", ("d", "gone"): "G"},
                 {("d", "a"): 1, ("d", "b"): 1, ("d", "big"): 3, ("d", "gone"): 1})
    assert _state.content_scope(now, snap, 5) == ([("d", "a")], [("d", "big")])
    assert _state.content_scope(now, snap, 0) == ([("d", "a"), ("d", "big")], [])


def test_content_samples_only_for_changed_tables_and_as_plain_values():
    asked = []

    def query(stmt):
        asked.append(stmt.sql)
        return [{"id": 1, "at": datetime.date(2026, 1, 2), "amount": decimal.Decimal("1.50"), "raw": b"x"}]

    changes = {("d", "a"): (1, 0), ("d", "b"): (0, 0)}
    samples = _state.content_samples(query, SNAP, changes, 5)
    assert len(asked) == 1 and "LIMIT 5" in asked[0] and "FROM `d`.`a` EXCEPT SELECT * FROM `d`.`a` {SNAPSHOT" in asked[0]
    assert samples == {"now": {"d.a": [{"id": 1, "at": "2026-01-02", "amount": "1.50", "raw": "x"}]}, "snap": {}}
    assert _state.content_samples(query, SNAP, changes, 0) == {"now": {}, "snap": {}}


def test_a_table_with_a_key_is_sampled_by_key_both_ways():
    """Rows only now: the inserted and the updated ones; only at the snapshot: the deleted and the updated ones."""
    asked = []

    def query(stmt):
        asked.append(stmt.sql)
        if "LEFT JOIN" in stmt.sql:  # inserted (read now) or deleted (read at the snapshot)
            return [{"id": 9}] if stmt.sql.startswith("SELECT t.`id` FROM `d`.`a` t") else [{"id": 3}]
        if "<=>" in stmt.sql:
            return [{"id": 2}]
        side = "snap" if "{SNAPSHOT" in stmt.sql else "now"
        return [{"id": k, "v": "%s%d" % (side, k)} for k in stmt.params]
    samples = _state.content_samples(query, SNAP, {("d", "a"): (2, 2), ("d", "same"): (0, 0)}, 5,
                                     keys={("d", "a"): ["id"]}, columns={("d", "a"): ["id", "v"]})
    assert samples == {"now": {"d.a": [{"id": 9, "v": "now9"}, {"id": 2, "v": "now2"}]},
                       "snap": {"d.a": [{"id": 3, "v": "snap3"}, {"id": 2, "v": "snap2"}]}}
    assert not any("EXCEPT" in sql for sql in asked) and len(asked) == 5  # three kinds, then each side by key


def test_a_cluster_report_names_each_account():
    one = _state.compare(state(["d"], {("d", "t"): "A"}), state([], {}), "account")
    two = _state.compare(state([], {}), state(["e"], {("e", "u"): "B"}), "account")
    merged = _state.merged([_state.qualified(one, "acc1"), _state.qualified(two, "acc2")])
    assert merged["databases_removed"] == ["acc1.d"] and merged["tables_removed"] == ["acc1.d.t"]
    assert merged["databases_restored"] == ["acc2.e"] and merged["tables_restored"] == ["acc2.e.u"]
    assert merged["changes"] == 4


def test_views_are_compared_by_definition_and_sequences_are_said_to_be_lost():
    text = "create view d.v as select a from d.t"
    now = state(["d"], {("d", "t"): "A"}, views={("d", "later"): "create view d.later as select 1",
                                                 ("d", "v"): _state.view_definition(text)}, sequences=[("d", "s2")])
    # real v3.0.18 writes a restored view back with SQL SECURITY DEFINER: not another view
    restored = _state.view_definition("create SQL SECURITY DEFINER view d.v as  select a from d.t")
    assert restored == _state.view_definition(text)
    snap = state(["d"], {("d", "t"): "A"}, views={("d", "v"): restored, ("d", "gone"): "create view d.gone as select 2"},
                 sequences=[("d", "s1")])
    report = _state.compare(now, snap, "database")
    assert report["views_restored"] == ["d.gone"] and report["views_removed"] == ["d.later"]
    assert report["views_redefined"] == [] and report["changes"] == 2
    assert report["sequences_not_restored"] == ["d.s1"] and report["sequences_dropped"] == ["d.s2"]
    assert "views missing: d.gone" in _state.describe_differences(report)
    table_only = _state.compare(now, snap, "table")
    assert table_only["views_removed"] == [] and table_only["sequences_dropped"] == [] and table_only["changes"] == 0
    assert _state.diff_view(snap)["views"] == {"d.gone": "create view d.gone as select 2", "d.v": restored}


def test_rows_are_compared_in_one_pass_when_the_columns_are_known():
    stmt = _sql.content_differences(SNAP, [("d", "t"), ("mo_catalog", "mo_user")],
                                    columns={("d", "t"): ["id", "mo_side", "we`ird"]})
    first, second = stmt.sql.split(" UNION ALL SELECT %s AS db")
    # both sides tagged, grouped by every column; the tag never collides with a column's name
    assert "GROUP BY `id`, `mo_side`, `we``ird` HAVING min(`mo_side_`) = max(`mo_side_`)" in first
    assert "FROM `d`.`t` UNION ALL SELECT `id`, `mo_side`, `we``ird`, 's' AS `mo_side_` FROM `d`.`t` {SNAPSHOT = `sp`}" \
        in first
    assert "EXCEPT" not in first and second.count("EXCEPT") == 2  # a table whose columns are not known: EXCEPT
    answers = [{"db": "d", "tbl": "t", "only_now": None, "only_snap": None}]  # nothing differs: sums of no rows
    assert _state.content_changes(lambda _stmt: answers, SNAP, [("d", "t")], columns={}) == {("d", "t"): (0, 0)}


def run_on_sqlite(tables):
    """A query function over an in-memory SQLite holding database d with `tables` ({name: (columns, rows)}):
    the comparison's SQL is plain enough for it (the snapshot side is read as another table, by now_names)."""
    conn = sqlite3.connect(":memory:")
    conn.execute("ATTACH DATABASE ':memory:' AS d")
    for name, (columns, rows) in tables.items():
        conn.execute("CREATE TABLE d.%s (%s)" % (name, ", ".join(columns)))
        conn.executemany("INSERT INTO d.%s VALUES (%s)" % (name, ", ".join("?" * len(columns))), rows)

    def query(stmt):
        cur = conn.execute(stmt.sql.replace("%s", "?"), stmt.params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]
    return query


def test_one_pass_counts_distinct_rows_per_side_and_changes_per_key():
    # t, no key: then 1 kept, 2 updated, 3 deleted, a NULL row and a duplicated row; now 4 inserted, the duplicate
    # gone. k, keyed by id: the same without the duplicate, and row 6 deleted
    then = [(1, "a"), (2, "b"), (3, "c"), (5, None), (6, "d"), (6, "d")]
    now = [(1, "a"), (2, "B"), (4, "e"), (5, None), (6, "d")]
    query = run_on_sqlite({"t": (["id", "v"], then), "t_now": (["id", "v"], now),
                           "k": (["id", "v"], then[:5]), "k_now": (["id", "v"], now[:4])})
    names = {("d", "t"): ("d", "t_now"), ("d", "k"): ("d", "k_now")}
    columns = {("d", "t"): ["id", "v"], ("d", "k"): ["id", "v"]}
    by_key = {}
    content = _state.content_changes(query, _time.NOW, [("d", "t"), ("d", "k")], now_names=names, columns=columns,
                                     keys={("d", "k"): ["id"]}, key_counts=by_key)
    # distinct rows only now / only then (NULLs equal): a duplicate removed is no difference of content (the row
    # counts say it), as EXCEPT has it
    assert content == {("d", "t"): (2, 2), ("d", "k"): (2, 3)}
    assert by_key == {("d", "k"): (1, 2)}  # key 4 inserted, keys 3 and 6 deleted; key 2 updated


class ParallelQuery:
    """A login with two connections: each records the statements it ran."""

    def __init__(self, fail_on=None):
        self.ran = {0: [], 1: []}
        self.fail_on = fail_on

    def connection(self, index):
        def run(stmt):
            if stmt == self.fail_on:
                raise _state._sql._errors.SqlError(1105, "boom", _sql.Statement("SELECT 1"))  # pylint: disable=protected-access
            self.ran[index].append(stmt)
            return [stmt]
        return run

    def __call__(self, stmt):
        return self.connection(0)(stmt)

    def parallel(self):
        return [self.connection(0), self.connection(1)]


def test_batches_run_over_two_connections_of_the_login_and_come_back_in_order():
    query = ParallelQuery()
    assert _state.run_all(query, list(range(7))) == [[i] for i in range(7)]
    assert query.ran == {0: [0, 2, 4, 6], 1: [1, 3, 5]}
    few = ParallelQuery()
    assert _state.run_all(few, [0, 1]) == [[0], [1]] and few.ran == {0: [0, 1], 1: []}  # not worth a connection
    assert _state.run_all(lambda stmt: [stmt], [0, 1, 2]) == [[0], [1], [2]]  # a plain function: one by one
    with pytest.raises(_state._sql._errors.SqlError, match="boom"):  # pylint: disable=protected-access
        _state.run_all(ParallelQuery(fail_on=3), list(range(6)))
