# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _restore, _sql, _time


def snap(level, account="sys", database=None, table=None, name="sp"):
    return {"name": name, "level": level, "account": account, "database": database, "table": table,
            "timestamp": "2026-01-01T00:00:00.5Z"}


def params(**kw):
    base = dict(level=None, account=None, database=None, table=None, to_account=None)
    base.update(kw)
    return base


def test_default_scope_is_the_snapshot_level():
    scope = _restore.resolve_scope(params(), snap("account"), "sys")
    assert scope == {"level": "account", "account": "sys", "database": None, "table": None, "to_account": None,
                     "source": "sys", "target": "sys"}
    assert _restore.resolve_scope(params(), snap("cluster", account=None), "sys")["level"] == "cluster"
    scope = _restore.resolve_scope(params(), snap("table", database="d", table="t"), "sys")
    assert (scope["database"], scope["table"]) == ("d", "t")


def test_narrower_scopes_from_an_account_snapshot():
    scope = _restore.resolve_scope(params(level="table", database="d", table="t"), snap("account"), "sys")
    assert scope["level"] == "table" and scope["target"] == "sys"
    scope = _restore.resolve_scope(params(level="database", database="d"), snap("account"), "sys")
    assert scope["database"] == "d"


def test_into_another_account():
    scope = _restore.resolve_scope(params(to_account="acc2"), snap("account", account="acc1"), "sys")
    assert scope["to_account"] == "acc2" and scope["target"] == "acc2" and scope["source"] == "acc1"
    # to_account equal to the account is an in-place restore
    assert _restore.resolve_scope(params(to_account="sys"), snap("account"), "sys")["to_account"] is None


@pytest.mark.parametrize("kw, snapshot, login, fragment", [
    (dict(level="cluster"), snap("account"), "sys", "needs a cluster level one"),
    (dict(level="cluster"), snap("cluster", account=None), "acc1", "needs login_account=sys"),
    (dict(level="cluster", account="x"), snap("cluster", account=None), "sys", "account is not used"),
    (dict(level="account"), snap("database", database="d"), "sys", "an account cannot be restored from it"),
    (dict(level="account", account="acc9"), snap("account", account="acc1"), "sys", "snapshot sp is of account acc1, not acc9"),
    (dict(level="account", account="acc2"), snap("cluster", account=None), "acc1", "only login_account=sys"),
    (dict(to_account="acc2"), snap("account", account="acc1"), "acc1", "needs login_account=sys"),
    (dict(to_account="sys"), snap("account", account="acc1"), "sys", "into the sys account"),
    # real v3.0.18 and v4.1.4 restore sys in place and leave the other account untouched
    (dict(to_account="acc2"), snap("account"), "sys", "cannot restore account sys into another account"),
    (dict(level="account", to_account="acc2"), snap("cluster", account=None), "sys", "ignores TO ACCOUNT for sys"),
    (dict(level="database", database="d"), snap("cluster", account=None), "sys", "from cluster level snapshot sp"),
    (dict(level="database"), snap("table", database="d", table="t"), "sys", "table level; a database cannot be restored"),
    (dict(level="database", database="d"), snap("account", account="acc1"), "sys", "only inside the login account"),
    (dict(level="database"), snap("account"), "sys", "needs database"),
    (dict(level="database", database="x"), snap("database", database="d"), "sys", "is of database d, not x"),
    (dict(level="table", database="d", table="x"), snap("table", database="d", table="t"), "sys", "not d.x"),
    (dict(level="table", database="d"), snap("account"), "sys", "level=table needs table"),
    (dict(level="database", database="d", table="t"), snap("account"), "sys", "table is not used"),
    (dict(level="table", database="d", table="t", to_account="a"), snap("account"), "sys", "to_account is not used"),
])
def test_refusals_are_found_before_sql(kw, snapshot, login, fragment):
    with pytest.raises(_errors.RestoreRefused) as err:
        _restore.resolve_scope(params(**kw), snapshot, login)
    assert fragment in str(err.value)


def test_timestamp_ns_is_exact():
    assert _time.timestamp_ns("1970-01-01T00:00:01.000000002Z") == 1000000002
    assert _time.timestamp_ns("2026-01-01T00:00:00Z") == 1767225600 * 10 ** 9
    assert _time.timestamp_ns("2024-05-10T02:06:08.01635Z") % 10 ** 9 == 16350000


def state(dbs, tables, rows):
    return {"databases": set(dbs), "tables": tables, "rows": rows}


def test_compare_reports_every_kind_of_change():
    now = state(["d", "later"], {("d", "t"): "A", ("d", "u"): "B", ("d", "new"): "N"},
                {("d", "t"): 50, ("d", "u"): 1, ("d", "new"): 0})
    snap_state = state(["d", "gone"], {("d", "t"): "A", ("d", "u"): "B2", ("d", "old"): "O"},
                       {("d", "t"): 100, ("d", "u"): 1, ("d", "old"): 3})
    preview = _restore.compare(now, snap_state, {"level": "account"})
    assert preview["databases_restored"] == ["gone"] and preview["databases_removed"] == ["later"]
    assert preview["tables_restored"] == ["d.old"] and preview["tables_removed"] == ["d.new"]
    assert preview["tables_redefined"] == ["d.u"]
    assert preview["row_changes"] == [{"table": "d.t", "now": 50, "snapshot": 100}]
    assert preview["tables_unchanged"] == 0
    assert preview["changes"] == 6
    assert "row counts: d.t 50 (snapshot 100)" in _restore.describe_differences(preview)


def test_compare_identical_and_table_scope():
    s = state(["d"], {("d", "t"): "A"}, {("d", "t"): 1})
    assert _restore.compare(s, s, {"level": "table"})["changes"] == 0
    assert _restore.describe_differences(_restore.compare(s, s, {"level": "account"})) == "no differences"


class FakeQuery:
    """Answers scope_objects / row_counts statements from canned state; counts round trips."""

    def __init__(self, sides):
        self.sides = sides
        self.calls = 0

    def __call__(self, stmt):
        self.calls += 1
        rows = []
        if "mo_catalog.mo_database" in stmt.sql:
            for side in ("now", "snap"):
                if ("'%s'" % side) in stmt.display:
                    for db in self.sides[side]["databases"]:
                        rows.append({"side": side, "kind": "database", "db": db, "tbl": "", "def": ""})
                    for (db, t), d in self.sides[side]["tables"].items():
                        rows.append({"side": side, "kind": "table", "db": db, "tbl": t, "def": d})
        else:
            triples = zip(stmt.params[0::3], stmt.params[1::3], stmt.params[2::3])
            for side, db, t in triples:
                rows.append({"side": side, "db": db, "tbl": t, "n": self.sides[side]["rows"][(db, t)]})
        return rows


def test_read_state_lists_once_and_counts_in_batches():
    tables = dict((("d", "t%d" % i), "def") for i in range(500))
    rows = dict((k, 1) for k in tables)
    fake = FakeQuery({"now": state(["d"], tables, rows), "snap": state(["d"], tables, rows)})
    sides = {"now": _restore.Side(fake, ""), "snap": _restore.Side(fake, " {SNAPSHOT = `sp`}")}
    result = _restore.read_state(sides, {"level": "account", "database": None, "table": None})
    assert fake.calls == 1 + 2 * (500 // _restore.COUNT_BATCH)  # one listing, then batches per side
    assert len(result["snap"]["rows"]) == 500 and len(result["now"]["rows"]) == 500


def test_safety_snapshot_name_fits_64_characters():
    from datetime import datetime
    name = _restore.safety_snapshot_name("x" * 64, datetime(2026, 1, 31, 12, 0, 0))
    assert len(name) == 64 and name.endswith("_pre_restore_20260131120000")
    _sql.validate_name(name, "snapshot", "safety_snapshot_name")


@pytest.mark.parametrize("brace, args, expected", [
    (False, ("cluster", "s"), "RESTORE CLUSTER FROM SNAPSHOT `s`"),
    (True, ("cluster", "s"), "RESTORE CLUSTER {SNAPSHOT = `s`}"),
    (False, ("account", "s", "a"), "RESTORE ACCOUNT `a` FROM SNAPSHOT `s`"),
    (True, ("account", "s", "a", None, None, "b"), "RESTORE ACCOUNT `a` {SNAPSHOT = `s`} TO ACCOUNT `b`"),
    (False, ("account", "s", "a", None, None, "b"), "RESTORE ACCOUNT `a` FROM SNAPSHOT `s` TO ACCOUNT `b`"),
    (False, ("database", "s", "a", "d"), "RESTORE ACCOUNT `a` DATABASE `d` FROM SNAPSHOT `s`"),
    (True, ("database", "s", "a", "d"), "RESTORE DATABASE `d` {SNAPSHOT = `s`}"),
    (False, ("table", "s", "a", "d", "t"), "RESTORE ACCOUNT `a` DATABASE `d` TABLE `t` FROM SNAPSHOT `s`"),
    (True, ("table", "s", "a", "d", "t"), "RESTORE TABLE `d`.`t` {SNAPSHOT = `s`}"),
])
def test_restore_statement_per_grammar(brace, args, expected):
    assert _sql.restore(brace, *args).sql == expected


def test_batched_reads_quote_server_names_and_bind_labels():
    stmt = _sql.row_counts({"now": ("", [("d`x", "t")])})
    assert "FROM `d``x`.`t`" in stmt.sql and stmt.params == ("now", "d`x", "t")
    assert _sql.row_counts({"now": ("", [])}) is None
    objects = _sql.scope_objects({"now": "", "snap": " {SNAPSHOT = `s`}"}, ["d"])
    assert objects.sql.count("UNION ALL") == 5 and objects.params.count("d") == 6
    assert objects.sql.count("account_id = current_account_id()") == 6
    tenant = _sql.scope_objects({"now": "", "snap": " {SNAPSHOT = `s`}"}, ["d"], {"snap": 7})
    assert tenant.sql.count("account_id = 7") == 3 and tenant.sql.count("current_account_id()") == 3


# mo_columns rows recorded from a real MatrixOne v4.1.4 before and after RESTORE DATABASE: the restore rewrote
# the default of the nullable column d (its protobuf gained the expression and the text 'null')
REAL_BEFORE = ["1|6964|0016000000000000000000080000004000000001|1|p|0||",
               "2|73|003D000000000000000000300000002800000000|1|n|0|0A0D0A06083D1001201412035A01781203277827|",
               "3|64|0020000000000000000000100000000E00000004|0|n|0|1801|money"]
REAL_AFTER = REAL_BEFORE[:2] + ["3|64|0020000000000000000000100000000E00000004|0|n|0|"
                                "0A0C0A060820200728021202080112046E756C6C1801|money"]


def test_column_definitions_survive_the_restore_rewrite():
    assert [_sql.column_definition(r) for r in REAL_BEFORE] == [_sql.column_definition(r) for r in REAL_AFTER]
    num, text = _sql.column_definition(REAL_BEFORE[1])
    assert num == 2 and text.startswith("s 003D") and " not null" in text and "default='x'" in text
    assert "comment=money" in _sql.column_definition(REAL_BEFORE[2])[1]


@pytest.mark.parametrize("hex_value, text", [("", ""), ("1801", "null"), ("1203277827", "'x'"),
                                             ("0A0C0A060820200728021202080112046E756C6C1801", "null"),
                                             ("1204302E35", "0.5"), ("ZZ", "ZZ"), ("0B", "0B")])
def test_default_text(hex_value, text):
    assert _sql.default_text(hex_value) == text


def test_a_changed_column_is_a_redefinition():
    changed = REAL_BEFORE[1].replace("|1|n|", "|0|n|")  # NOT NULL dropped
    assert _sql.column_definition(changed) != _sql.column_definition(REAL_BEFORE[1])
    assert _sql.at_snapshot(mo_ts=5) == " {MO_TS = 5}"


def test_content_is_read_in_batches_and_counted_in_the_preview():
    calls = []

    def query(stmt):
        calls.append(stmt)
        pairs = list(zip(stmt.params[0::2], stmt.params[1::2]))
        return [{"db": db, "tbl": t, "only_now": 2 if t == "t7" else 0, "only_snap": 1 if t == "t7" else 0}
                for db, t in pairs]

    tables = [("d", "t%d" % i) for i in range(120)]
    content = _restore.content_changes(query, " {SNAPSHOT = `s`}", tables, batch=50)
    assert len(calls) == 3 and [len(c.params) // 2 for c in calls] == [50, 50, 20]
    assert content[("d", "t7")] == (2, 1) and content[("d", "t8")] == (0, 0)
    s = state(["d"], dict((k, "A") for k in tables), dict((k, 5) for k in tables))
    preview = _restore.compare(s, s, {"level": "database"}, content)
    assert preview["content_changes"] == [{"table": "d.t7", "rows_only_now": 2, "rows_only_in_snapshot": 1}]
    assert preview["changes"] == 1 and preview["tables_unchanged"] == 119
    assert "row contents: d.t7 2 rows not in the snapshot, 1 snapshot rows missing" in \
        _restore.describe_differences(preview)


def test_content_scope_skips_redefined_missing_and_big_tables():
    now = state(["d"], {("d", "a"): "A", ("d", "b"): "B", ("d", "big"): "C"},
                {("d", "a"): 1, ("d", "b"): 1, ("d", "big"): 10})
    snap = state(["d"], {("d", "a"): "A", ("d", "b"): "B2", ("d", "big"): "C", ("d", "gone"): "G"},
                 {("d", "a"): 1, ("d", "b"): 1, ("d", "big"): 3, ("d", "gone"): 1})
    assert _restore.content_scope(now, snap, 5) == ([("d", "a")], [("d", "big")])
    assert _restore.content_scope(now, snap, 0) == ([("d", "a"), ("d", "big")], [])


def test_content_samples_only_for_changed_tables_and_as_plain_values():
    import datetime
    import decimal
    asked = []

    def query(stmt):
        asked.append(stmt.sql)
        return [{"id": 1, "at": datetime.date(2026, 1, 2), "amount": decimal.Decimal("1.50"), "raw": b"x"}]

    changes = {("d", "a"): (1, 0), ("d", "b"): (0, 0)}
    samples = _restore.content_samples(query, " {SNAPSHOT = `s`}", changes, 5)
    assert len(asked) == 1 and "LIMIT 5" in asked[0] and "FROM `d`.`a` EXCEPT SELECT * FROM `d`.`a` {SNAPSHOT" in asked[0]
    assert samples == {"now": {"d.a": [{"id": 1, "at": "2026-01-02", "amount": "1.50", "raw": "x"}]}, "snap": {}}
    assert _restore.content_samples(query, "", changes, 0) == {"now": {}, "snap": {}}


SNAP_ACCOUNT = {"name": "sp", "level": "account", "account": "sys", "database": None, "table": None}


def test_a_restore_beside_live_data_names_its_copy():
    scope = _restore.resolve_clone({"level": "database", "database": "shop", "as_database": "shop_then"},
                                   SNAP_ACCOUNT, "sys")
    assert scope["clone"] == {"database": "shop_then", "table": None} and scope["target"] == "sys"
    table = _restore.resolve_clone({"level": "table", "database": "shop", "table": "orders", "as_table": "orders_then"},
                                   SNAP_ACCOUNT, "sys")
    assert table["clone"] == {"database": "shop", "table": "orders_then"}
    into = _restore.resolve_clone({"level": "database", "database": "shop", "as_database": "shop", "to_account": "acc2"},
                                  SNAP_ACCOUNT, "sys")
    assert into["to_account"] == "acc2" and into["target"] == "acc2"


@pytest.mark.parametrize("params, login, message", [
    ({"level": "account", "as_database": "x"}, "sys", "level=account cannot be"),
    ({"level": "database", "database": "shop", "as_database": "shop"}, "sys", "name the live database shop itself"),
    ({"level": "table", "database": "shop", "table": "t", "as_database": "shop"}, "sys", "live table shop.t itself"),
    ({"level": "database", "database": "shop", "as_table": "t"}, "sys", "as_table is used with a table level"),
    ({"level": "database", "database": "shop", "as_database": "x", "to_account": "b"}, "acc1", "needs login_account=sys"),
])
def test_a_restore_beside_live_data_is_refused_where_it_cannot_be(params, login, message):
    snap = dict(SNAP_ACCOUNT, account=login)
    with pytest.raises(_errors.RestoreRefused, match=message):
        _restore.resolve_clone(params, snap, login)


def test_the_copy_is_compared_under_the_sources_names_and_reported_under_its_own():
    scope = _restore.resolve_clone({"level": "database", "database": "d", "as_database": "c"}, SNAP_ACCOUNT, "sys")
    copy = state(["c"], {("c", "t"): "A"}, {("c", "t"): 3})
    assert _restore.clone_names(scope, copy["tables"]) == {("d", "t"): ("c", "t")}
    source_keyed = _restore.as_source(copy, scope)
    assert source_keyed == state(["d"], {("d", "t"): "A"}, {("d", "t"): 3})
    report = _restore.copy_names({"databases_restored": ["d"], "tables_restored": ["d.t"],
                                  "row_changes": [{"table": "d.t", "now": 1, "snapshot": 3}]}, scope)
    assert report == {"databases_restored": ["c"], "tables_restored": ["c.t"],
                      "row_changes": [{"table": "c.t", "now": 1, "snapshot": 3}]}
    stmt = _sql.content_differences(" {SNAPSHOT = `s`}", [("d", "t")], now_names={("d", "t"): ("c", "t")})
    assert "SELECT * FROM `c`.`t` EXCEPT SELECT * FROM `d`.`t` {SNAPSHOT = `s`}" in stmt.sql
    assert _sql.clone("table", " {SNAPSHOT = `s`}", "d", "t", "c", "t2", "acc2").sql == \
        "CREATE TABLE `c`.`t2` CLONE `d`.`t` {SNAPSHOT = `s`} TO ACCOUNT `acc2`"
