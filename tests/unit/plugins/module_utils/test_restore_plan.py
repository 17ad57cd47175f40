# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restore plan (_restore.plan, restore_statements): what each kind of restore sends, in order, per grammar, and
what it refuses; and the rules that need the preview (a target the snapshot lacks, a copy into a non-empty account)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _restore, _server, _state, _time

NOW = datetime.datetime(2026, 1, 31, 12, 0, 0, tzinfo=datetime.timezone.utc)
V4, V3, V304, V21 = (_server.ServerInfo("v", v, "version()") for v in ((4, 1, 4), (3, 0, 18), (3, 0, 3), (2, 1, 0)))


def snap(level, account="sys", database=None, table=None):
    return {"name": "sp", "level": level, "account": account, "database": database, "table": table}


def plan(params, snapshot, server=V4, login="sys", **facts):
    params = dict({"snapshot": "sp", "verify": True}, **params)
    if params.get("as_database") or params.get("as_table"):
        scope = _restore.resolve_clone(params, snapshot, login)
    else:
        scope = _restore.resolve_scope(params, snapshot, login)
    facts = dict(dict(source_name="sp", point=_time.Point(snapshot="sp"), server_time=None, target_exists=True,
                      copy_database_exists=True, now=NOW, databases_to_copy=[]), **facts)
    result = _restore.plan(_restore.options(params), scope, login, server, facts)
    result["restore"] = _restore.restore_statements(_restore.options(params), scope, server, facts)
    return result


def texts(result):
    return [s.display for s in result["prepare"]] + \
        ([result["safety_statement"].display] if result["safety"] else []) + [s.display for s in result["restore"]]


@pytest.mark.parametrize("params, snapshot, server, expected", [
    ({}, snap("cluster", None), V4, ["RESTORE CLUSTER {SNAPSHOT = `sp`}"]),
    ({}, snap("cluster", None), V3, ["RESTORE CLUSTER FROM SNAPSHOT `sp`"]),
    ({}, snap("account"), V4, ["RESTORE ACCOUNT `sys` {SNAPSHOT = `sp`}"]),
    ({"level": "database", "database": "d"}, snap("account"), V4, ["RESTORE DATABASE `d` {SNAPSHOT = `sp`}"]),
    ({"level": "database", "database": "d"}, snap("account"), V3,
     ["RESTORE ACCOUNT `sys` DATABASE `d` FROM SNAPSHOT `sp`"]),
    ({}, snap("table", database="d", table="t"), V4, ["RESTORE TABLE `d`.`t` {SNAPSHOT = `sp`}"]),
    ({}, snap("table", database="d", table="t"), V3,
     ["RESTORE ACCOUNT `sys` DATABASE `d` TABLE `t` FROM SNAPSHOT `sp`"]),
])
def test_each_level_in_each_grammar(params, snapshot, server, expected):
    result = plan(params, snapshot, server)
    assert texts(result) == expected and result["safety"] is None and not result["target_login"]


def test_a_safety_snapshot_comes_before_the_restore_and_covers_the_scope_the_server_keeps():
    result = plan({"level": "database", "database": "d", "safety_snapshot": True}, snap("account"))
    assert texts(result) == ["CREATE SNAPSHOT `sp_pre_restore_20260131120000` FOR DATABASE `d`",
                             "RESTORE DATABASE `d` {SNAPSHOT = `sp`}"]
    old = plan({"level": "database", "database": "d", "safety_snapshot": True, "safety_snapshot_name": "mine"},
               snap("account"), V304)
    assert old["safety"] == {"name": "mine", "level": "account", "account": "sys", "database": None, "table": None}
    cluster = plan({"safety_snapshot": True}, snap("cluster", None))
    assert texts(cluster)[0] == "CREATE SNAPSHOT `sp_pre_restore_20260131120000` FOR CLUSTER"


def test_into_another_account():
    tenant = snap("account", "acc1")
    created = plan({"to_account": "acc2", "to_account_admin_name": "admin", "to_account_admin_password": "pw"},
                   tenant, target_exists=False, safety_snapshot=True)
    assert texts(created) == ["CREATE ACCOUNT `acc2` ADMIN_NAME 'admin' IDENTIFIED BY '********'",
                              "RESTORE ACCOUNT `acc1` {SNAPSHOT = `sp`} TO ACCOUNT `acc2`",
                              # the restore brought acc1's users: acc2's admin gets the password the task names again
                              "ALTER ACCOUNT `acc2` ADMIN_NAME 'admin' IDENTIFIED BY '********'"]
    assert created["login_after_prepare"] and not created["target_login"]
    existing = plan({"to_account": "acc2", "to_account_admin_name": "admin", "to_account_admin_password": "pw",
                     "safety_snapshot": True}, tenant)
    assert existing["target_login"] and existing["safety"]["account"] == "acc2"
    with pytest.raises(_errors.RestoreRefused, match="to_account acc2 does not exist; give to_account_admin_name"):
        plan({"to_account": "acc2"}, tenant, target_exists=False)
    with pytest.raises(_errors.RestoreRefused, match="verify=true needs to read account acc2"):
        plan({"to_account": "acc2"}, tenant)
    assert not plan({"to_account": "acc2", "verify": False}, tenant)["target_login"]
    with pytest.raises(_errors.RestoreRefused, match="only used when restoring into another account"):
        plan({"to_account_admin_name": "admin", "to_account_admin_password": "pw"}, snap("account"))


def test_a_dropped_account_and_a_cluster_need_the_versions_that_restore_them():
    with pytest.raises(_errors.FeatureUnavailable, match=r"restoring a dropped account \(acc1\) needs MatrixOne 2.1.0"):
        plan({"verify": False}, snap("account", "acc1"), _server.ServerInfo("v", (2, 0, 0), "version()"),
             target_exists=False)
    with pytest.raises(_errors.FeatureUnavailable, match="RESTORE CLUSTER needs MatrixOne 2.0.0"):
        plan({}, snap("cluster", None), _server.ServerInfo("v", (1, 2, 4), "version()"))


def test_a_pitr_restore_sends_the_servers_time():
    result = plan({"snapshot": None, "pitr": "p", "level": "database", "database": "d"}, snap("account"),
                  server_time="2026-01-31 20:00:00")
    assert texts(result) == ["RESTORE DATABASE `d` FROM PITR `p` '2026-01-31 20:00:00'"]


def test_beside_live_data():
    result = plan({"level": "table", "database": "d", "table": "t", "as_database": "n"}, snap("account"),
                  copy_database_exists=False)
    assert texts(result) == ["CREATE DATABASE `n`", "CREATE TABLE `n`.`t` CLONE `d`.`t` {SNAPSHOT = `sp`}"]
    into = plan({"level": "database", "database": "d", "as_database": "d", "to_account": "acc2",
                 "to_account_admin_name": "admin", "to_account_admin_password": "pw"}, snap("account"))
    assert texts(into) == ["CREATE DATABASE `d` CLONE `d` {SNAPSHOT = `sp`} TO ACCOUNT `acc2`"] and into["target_login"]
    with pytest.raises(_errors.FeatureUnavailable, match="needs MatrixOne 3.0.0"):
        plan({"level": "database", "database": "d", "as_database": "n"}, snap("account"), V21)


def test_sys_into_another_account_is_copied_database_by_database():
    result = plan({"to_account": "acc2", "to_account_admin_name": "admin", "to_account_admin_password": "pw"},
                  snap("account"), target_exists=False, databases_to_copy=["a", "b"])
    assert texts(result) == ["CREATE ACCOUNT `acc2` ADMIN_NAME 'admin' IDENTIFIED BY '********'",
                             "CREATE DATABASE `a` CLONE `a` {SNAPSHOT = `sp`} TO ACCOUNT `acc2`",
                             "CREATE DATABASE `b` CLONE `b` {SNAPSHOT = `sp`} TO ACCOUNT `acc2`"]
    assert result["login_after_prepare"]
    cluster = plan({"level": "account", "account": "sys", "to_account": "acc2", "to_account_admin_name": "admin",
                    "to_account_admin_password": "pw"}, snap("cluster", None), V3, databases_to_copy=["a"])
    assert texts(cluster) == ["CREATE DATABASE `a` CLONE `a` {SNAPSHOT = `sp`} TO ACCOUNT `acc2`"]
    with pytest.raises(_errors.FeatureUnavailable, match=r"restoring sys into another account \(CREATE DATABASE"):
        plan({"to_account": "acc2", "to_account_admin_name": "admin", "to_account_admin_password": "pw"},
             snap("account"), V21)


def state(dbs, tables):
    return {"databases": set(dbs), "tables": dict((k, "def") for k in tables), "columns": {}, "rows": {}, "views": {},
            "sequences": set()}


@pytest.mark.parametrize("params, now, message", [
    ({"level": "table", "database": "d", "table": "nope"}, state(["d"], [("d", "t")]),
     "table=nope: there is no table d.nope now or at snapshot sp"),
    ({"level": "table", "database": "d", "table": "new"}, state(["d"], [("d", "t"), ("d", "new")]),
     "table=new: table d.new did not exist at snapshot sp"),
    ({"level": "table", "database": "x", "table": "t"}, state(["d"], []), "database=x: there is no database x now"),
    ({"level": "database", "database": "nodb"}, state(["d"], []), "database=nodb: there is no database nodb now or"),
    ({"level": "database", "database": "later"}, state(["d", "later"], []),
     "database=later: database later did not exist at snapshot sp"),
])
def test_a_target_the_snapshot_lacks_is_refused_naming_the_parameter(params, now, message):
    scope = _restore.resolve_scope(dict({"account": None, "to_account": None, "table": None}, **params),
                                   snap("account"), "sys")
    with pytest.raises(_errors.RestoreRefused, match=message):
        _restore.refuse_missing_target(scope, state(["d"], [("d", "t")]), now, "snapshot sp")
    held = state([scope["database"]], [(scope["database"], scope["table"])])
    _restore.refuse_missing_target(scope, held, now, "snapshot sp")  # held at the point: nothing to refuse


def test_a_copy_beside_live_data_of_what_the_snapshot_lacks_is_refused():
    scope = _restore.resolve_clone({"level": "database", "database": "nodb", "as_database": "c"}, snap("account"),
                                   "sys")
    with pytest.raises(_errors.RestoreRefused, match="database=nodb: there is no database nodb at snapshot sp"):
        _restore.refuse_missing_target(scope, state(["d"], []), state(["nodb"], []), "snapshot sp")


def test_a_copy_into_another_account_takes_only_what_is_missing_and_never_overwrites():
    scope = _restore.resolve_scope({"to_account": "acc2", "account": None, "database": None, "table": None},
                                   snap("account"), "sys")
    assert scope["copy"] and scope["target"] == "acc2" and scope["source"] == "sys"
    snapshot = state(["a", "b"], [("a", "t"), ("b", "u")])
    assert _restore.databases_to_copy(scope, _state.compare(state([], []), snapshot, "account"), "snapshot sp") == \
        ["a", "b"]
    half = state(["a"], [("a", "t")])  # an interrupted copy: a is there and equal
    assert _restore.databases_to_copy(scope, _state.compare(half, snapshot, "account"), "snapshot sp") == ["b"]
    with pytest.raises(_errors.RestoreRefused, match="holds databases that snapshot sp does not \\(other\\)"):
        _restore.databases_to_copy(scope, _state.compare(state(["a", "other"], [("a", "t")]), snapshot, "account"),
                                   "snapshot sp")
    differs = state(["a"], [("a", "t"), ("a", "extra")])
    with pytest.raises(_errors.RestoreRefused, match="already holds a, which differ from snapshot sp"):
        _restore.databases_to_copy(scope, _state.compare(differs, snapshot, "account"), "snapshot sp")


def test_a_restore_point_before_an_upgrade_is_told():
    rows = [{"side": "now", "version": "3.0.3", "create_at": "2026-12-05 08:48:09"},
            {"side": "now", "version": "4.0.1", "create_at": "2026-12-05 08:54:53"},
            {"side": "snap", "version": "3.0.3", "create_at": "2026-12-05 08:48:09"}]
    assert _restore.versions(rows, "4.1.4") == {"server": "4.1.4", "catalog_now": "4.0.1", "catalog_at_point": "3.0.3",
                                                "across_upgrade": True}
    same = [r for r in rows if r["version"] == "3.0.3"]
    assert not _restore.versions(same, "3.0.18")["across_upgrade"]
    assert _restore.versions([], "4.1.4") is None
