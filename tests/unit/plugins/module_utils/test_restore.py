# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _restore, _sql, _time, _time


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
            "views": {("c", "v"): "create view d.v as select 1"}, "sequences": set()}
    assert _restore.clone_names(scope, copy["tables"]) == {("d", "t"): ("c", "t")}
    source_keyed = _restore.as_source(copy, scope)
    assert source_keyed == {"databases": {"d"}, "tables": {("d", "t"): "A"}, "columns": {("d", "t"): ["a"]},
                            "rows": {("d", "t"): 3}, "views": {("d", "v"): "create view d.v as select 1"},
                            "sequences": set()}
    report = _restore.copy_names({"databases_restored": ["d"], "tables_restored": ["d.t"],
                                  "row_changes": [{"table": "d.t", "now": 1, "snapshot": 3}]}, scope)
    assert report == {"databases_restored": ["c"], "tables_restored": ["c.t"],
                      "row_changes": [{"table": "c.t", "now": 1, "snapshot": 3}]}
    stmt = _sql.content_differences(_time.Point(snapshot="s"), [("d", "t")], now_names={("d", "t"): ("c", "t")})
    assert "SELECT * FROM `c`.`t` EXCEPT SELECT * FROM `d`.`t` {SNAPSHOT = `s`}" in stmt.sql
    assert _sql.clone("table", _time.Point(snapshot="s"), "d", "t", "c", "t2", "acc2").sql == \
        "CREATE TABLE `c`.`t2` CLONE `d`.`t` {SNAPSHOT = `s`} TO ACCOUNT `acc2`"
