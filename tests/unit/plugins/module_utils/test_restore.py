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
                     "source": "sys", "target": "sys", "copy": False}
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
    copy = {"databases": {"c"}, "tables": {("c", "t"): "A"}, "columns": {("c", "t"): ["a"]}, "rows": {("c", "t"): 3},
            "views": {("c", "v"): "create view d.v as select 1"}, "sequences": set(), "keys": {("c", "t"): ["id"]}}
    assert _restore.clone_names(scope, copy["tables"]) == {("d", "t"): ("c", "t")}
    source_keyed = _restore.as_source(copy, scope)
    assert source_keyed == {"databases": {"d"}, "tables": {("d", "t"): "A"}, "columns": {("d", "t"): ["a"]},
                            "rows": {("d", "t"): 3}, "views": {("d", "v"): "create view d.v as select 1"},
                            "sequences": set(), "indexes": None, "foreign_keys": None, "keys": {("d", "t"): ["id"]}}
    report = _restore.copy_names({"databases_restored": ["d"], "tables_restored": ["d.t"],
                                  "row_changes": [{"table": "d.t", "now": 1, "snapshot": 3}]}, scope)
    assert report == {"databases_restored": ["c"], "tables_restored": ["c.t"],
                      "row_changes": [{"table": "c.t", "now": 1, "snapshot": 3}]}
    stmt = _sql.content_differences(_time.Point(snapshot="s"), [("d", "t")], now_names={("d", "t"): ("c", "t")})
    assert "SELECT * FROM `c`.`t` EXCEPT SELECT * FROM `d`.`t` {SNAPSHOT = `s`}" in stmt.sql
    assert _sql.clone("table", _time.Point(snapshot="s"), "d", "t", "c", "t2", "acc2").sql == \
        "CREATE TABLE `c`.`t2` CLONE `d`.`t` {SNAPSHOT = `s`} TO ACCOUNT `acc2`"


# -- restoring only what differs (method) ---------------------------------------------------------------------
def st(dbs, tables, rows=None, views=None, indexes=None, foreign_keys=()):
    return {"databases": set(dbs), "tables": tables, "columns": {}, "rows": rows or dict((k, 1) for k in tables),
            "views": views or {}, "sequences": set(), "indexes": indexes or {}, "foreign_keys": set(foreign_keys)}


NOW = st(["d"], {("d", "same"): "A", ("d", "rows"): "A", ("d", "count"): "A", ("d", "index"): "A",
                 ("d", "big"): "A", ("d", "new"): "A"},
         rows={("d", "same"): 1, ("d", "rows"): 1, ("d", "count"): 2, ("d", "index"): 1, ("d", "big"): 1,
               ("d", "new"): 1},
         indexes={("d", "index"): "k MULTIPLE (k)"})
SNAP_STATE = st(["d"], {("d", "same"): "A", ("d", "rows"): "A", ("d", "count"): "A", ("d", "index"): "A",
                        ("d", "big"): "A", ("d", "gone"): "A"})
# rows of "rows" differ; "big" was not compared by content (over content_max_rows); "count" differs by count
CONTENT = {("d", "same"): (0, 0), ("d", "rows"): (1, 1), ("d", "index"): (0, 0)}


def test_delta_restores_each_table_not_proven_equal_and_drops_the_new_ones():
    plan = _restore.delta_plan("auto", None, "database", NOW, SNAP_STATE, CONTENT)
    assert plan["method"] == "delta" and plan["restore_databases"] == [] and plan["drop_databases"] == []
    assert plan["restore_tables"] == [("d", "big"), ("d", "count"), ("d", "gone"), ("d", "index"), ("d", "rows")]
    assert plan["drop_tables"] == [("d", "new")]
    brace = _restore.delta_statements(plan, _restore.options({"snapshot": "sp"}), {"account": "sys"}, FakeServer(True), None)
    assert [s.display for s in brace] == [
        "RESTORE TABLE `d`.`big` {SNAPSHOT = `sp`}", "RESTORE TABLE `d`.`count` {SNAPSHOT = `sp`}",
        "RESTORE TABLE `d`.`gone` {SNAPSHOT = `sp`}", "RESTORE TABLE `d`.`index` {SNAPSHOT = `sp`}",
        "RESTORE TABLE `d`.`rows` {SNAPSHOT = `sp`}", "DROP TABLE IF EXISTS `d`.`new`"]
    legacy = _restore.delta_statements(plan, _restore.options({"snapshot": "sp"}), {"account": "acc1"}, FakeServer(False), None)
    assert legacy[0].display == "RESTORE ACCOUNT `acc1` DATABASE `d` TABLE `big` FROM SNAPSHOT `sp`"
    pitr = _restore.delta_statements(plan, _restore.options({"pitr": "p"}), {"account": "acc1"}, FakeServer(True), "2026-01-01 08:00:00")
    assert pitr[0].display == "RESTORE DATABASE `d` TABLE `big` FROM PITR `p` '2026-01-01 08:00:00'"


def test_indexes_count_only_where_both_sides_read_them():
    other_login = dict(SNAP_STATE, indexes=None)  # another account's login cannot see the snapshot's indexes
    plan = _restore.delta_plan("auto", None, "database", NOW, other_login, CONTENT)
    assert ("d", "index") not in plan["restore_tables"]


@pytest.mark.parametrize("change, reason", [
    (dict(views={("d", "v"): "create view v as select 1"}), "its views differ"),
    (dict(foreign_keys=[("d", "rows")]), "foreign key"),
])
def test_a_database_is_restored_whole_where_a_table_restore_would_not_equal_it(change, reason):
    now = dict(NOW, **dict((k, set(v) if k == "foreign_keys" else v) for k, v in change.items()))
    plan = _restore.delta_plan("auto", None, "database", now, SNAP_STATE, CONTENT)
    assert plan["method"] == "full" and reason in plan["reason"]
    with pytest.raises(_errors.RestoreRefused, match="method=delta: database d"):
        _restore.delta_plan("delta", None, "database", now, SNAP_STATE, CONTENT)
    account = _restore.delta_plan("auto", None, "account", now, SNAP_STATE, CONTENT, system_differences=[])
    assert account["method"] == "delta" and account["restore_databases"] == ["d"] and account["restore_tables"] == []
    assert reason in account["reason"]


def test_an_account_delta_restores_and_drops_whole_databases_and_needs_equal_users_and_grants():
    now = dict(NOW, databases={"d", "later"})
    snap_state = dict(SNAP_STATE, databases={"d", "dropped"})
    plan = _restore.delta_plan("auto", None, "account", now, snap_state, CONTENT, system_differences=[])
    assert plan["restore_databases"] == ["dropped"] and plan["drop_databases"] == ["later"]
    statements = _restore.delta_statements(plan, _restore.options({"snapshot": "sp"}), {"account": "acc1"}, FakeServer(True), None)
    assert statements[0].display == "RESTORE DATABASE `dropped` {SNAPSHOT = `sp`}"
    assert statements[-1].display == "DROP DATABASE IF EXISTS `later`"
    plan = _restore.delta_plan("auto", None, "account", now, snap_state, CONTENT, system_differences=["mo_user"])
    assert plan["method"] == "full" and "mo_catalog.mo_user" in plan["reason"]
    plan = _restore.delta_plan("auto", None, "account", now, snap_state, CONTENT, system_differences=None)
    assert plan["method"] == "full" and "could not be compared" in plan["reason"]
    with pytest.raises(_errors.RestoreRefused, match="method=delta: an account restore also brings back"):
        _restore.delta_plan("delta", None, "account", now, snap_state, CONTENT, system_differences=["mo_role"])
    assert _restore.delta_plan("full", None, "account", now, snap_state, CONTENT, [])["method"] == "full"


def scope_of(level, login="acc1", **kw):
    base = {"level": level, "account": login, "database": "d" if level == "database" else None, "table": None,
            "to_account": None, "source": login, "target": login, "copy": False}
    base.update(kw)
    return base


@pytest.mark.parametrize("scope, login, source_level, force, compared_by, fragment", [
    (scope_of("table"), "acc1", "account", False, "content", "one table"),
    (scope_of("cluster"), "sys", "cluster", False, "content", "cluster restore is done whole"),
    (scope_of("account", login="sys", target="acc2", source="acc1"), "sys", "account", False, "content",
     "login's own account in place"),
    (scope_of("database", clone={"database": "c", "table": None}), "acc1", "account", False, "content",
     "beside live data"),
    (scope_of("account", login="sys"), "sys", "cluster", False, "content", "from a cluster-level source"),
    (scope_of("database"), "acc1", "account", True, "content", "force"),
    (scope_of("database"), "acc1", "account", False, "checksums", "compared by checksums"),
    (scope_of("database"), "acc1", "account", False, None, "could not be read"),
    (scope_of("account", login="sys"), "sys", "account", False, "content", "sys's own mo_catalog"),
])
def test_delta_is_refused_where_it_cannot_equal_the_whole_restore(scope, login, source_level, force, compared_by,
                                                                  fragment):
    refusal = _restore.delta_refusal(scope, login, source_level, force, compared_by)
    assert fragment in refusal
    assert _restore.delta_plan("auto", refusal, scope["level"], None, None, {})["method"] == "full"
    if scope["level"] != "table":
        with pytest.raises(_errors.RestoreRefused, match="method=delta"):
            _restore.delta_plan("delta", refusal, scope["level"], None, None, {})
    assert _restore.delta_refusal(scope_of("database"), "acc1", "database", False, "content") is None


class FakeServer:
    def __init__(self, brace):
        self.brace = brace

    def has(self, name):
        return self.brace if name == "brace_restore" else True


def stamped(level, when, name, **kw):
    return dict(snap(level, name=name, **kw), timestamp="2026-12-0%dT00:00:00Z" % when)


def test_snapshot_prefix_picks_the_newest_that_can_do_the_restore_and_says_what_it_skipped():
    nightly = [stamped("database", 1, "n_1", database="shop"), stamped("database", 3, "n_3", database="crm"),
               stamped("table", 4, "n_4", database="shop", table="orders"), stamped("account", 2, "n_2")]
    picked, skipped = _restore.pick_newest(nightly, params(level="database", database="shop", snapshot_prefix="n_"),
                                           "sys")
    assert picked["name"] == "n_2"
    assert skipped == [{"name": "n_4", "why": "snapshot n_4 is table level; a database cannot be restored from it"},
                       {"name": "n_3", "why": "snapshot n_3 is of database crm, not shop"}]
    picked, skipped = _restore.pick_newest(nightly, params(level="table", database="shop", table="orders",
                                                           snapshot_prefix="n_"), "sys")
    assert picked["name"] == "n_4" and skipped == []
    with pytest.raises(_errors.RestoreRefused, match=r"snapshot_prefix=n_: none of the 4 snapshots of account sys "
                                                     r"whose name starts with it can restore this \(n_4: "):
        _restore.pick_newest(nightly, params(level="cluster", snapshot_prefix="n_"), "sys")
    with pytest.raises(_errors.RestoreRefused, match="none of the 0 snapshots"):
        _restore.pick_newest([], params(level="cluster", snapshot_prefix="n_"), "sys")
