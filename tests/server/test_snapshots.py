# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Snapshot statements: grammar per version, SHOW SNAPSHOTS shape, MatrixOne's error texts, quota."""

import re

import pytest

from conftest import Server, error_of

TS = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})?$")


def test_show_snapshots_shape_and_labels_under_where(sql):
    """Under WHERE real 3.0.18 answers PyMySQL with lower-case labels, real 4.1.4 with upper-case ones."""
    sql("create snapshot shape_01 for account sys")
    with sql.conn.cursor() as cur:
        cur.execute("show snapshots")
        assert [d[0] for d in cur.description] == ["SNAPSHOT_NAME", "TIMESTAMP", "SNAPSHOT_LEVEL", "ACCOUNT_NAME",
                                                   "DATABASE_NAME", "TABLE_NAME"]
        cur.execute("show snapshots where snapshot_name = 'shape_01'")
        labels = ["SNAPSHOT_NAME", "TIMESTAMP", "SNAPSHOT_LEVEL", "ACCOUNT_NAME", "DATABASE_NAME", "TABLE_NAME"]
        assert [d[0] for d in cur.description] == [c.lower() if sql.version < "4" else c for c in labels]
        row = cur.fetchone()
    assert row[0] == "shape_01" and TS.match(row[1]) and row[2:] == ("account", "sys", "", "")
    sql("drop snapshot shape_01")


def test_snapshots_newest_first_and_filters(sql):
    for name in ("ord_1", "ord_2", "ord_3"):
        sql("create snapshot %s for account sys" % name)
    names = [r[0] for r in sql("show snapshots where substring(snapshot_name, 1, 4) = 'ord_'")]
    assert names == ["ord_3", "ord_2", "ord_1"]
    assert [r[0] for r in sql("show snapshots where snapshot_level = 'cluster' and snapshot_name = 'ord_1'")] == []


def test_error_texts(server, sql):
    sql("create snapshot err_01 for account sys")
    assert error_of(sql, "create snapshot err_01 for account sys") == (
        20101, "internal error: snapshot err_01 already exists")
    sql("create snapshot if not exists err_01 for account sys")  # silently OK, as on MatrixOne
    assert error_of(sql, "drop snapshot nope_01") == (20101, "internal error: snapshot nope_01 does not exist")
    sql("drop snapshot if exists nope_01")
    assert error_of(sql, "create snapshot e2 for account nosuch") == (
        20101, "internal error: account nosuch does not exist")
    assert error_of(sql, "create snapshot e3 for database nosuch") == (
        20101, "internal error: database nosuch does not exist")
    sql("create database if not exists errdb")
    assert error_of(sql, "create snapshot e4 for table errdb nosuch") == (
        20101, "internal error: table errdb.nosuch does not exist")
    assert error_of(sql, "create snapshot e5 for database mo_catalog") == (
        20101, "internal error: can not create snapshot for system database mo_catalog")
    assert error_of(sql, "create snapshot `bad name` for account sys") == (20101, "internal error: invalid input")


def test_tenant_rules(server, sql):
    sql("create account if not exists ten1 admin_name 'admin' identified by '111'")
    sql("create account if not exists ten2 admin_name 'admin' identified by '111'")
    conn = server.connect(user="ten1#admin")
    with conn.cursor() as cur:
        assert error_of(cur.execute, "create snapshot t_c for cluster") == (
            20101, "internal error: only sys tenant can create cluster level snapshot")
        assert error_of(cur.execute, "create snapshot t_o for account ten2") == (
            20101, "internal error: only sys tenant can create tenant level snapshot for other tenant")
        cur.execute("create snapshot t_own for account")
        cur.execute("show snapshots")
        assert [r[0] for r in cur.fetchall()] == ["t_own"]  # a tenant sees only its own snapshots
        cur.execute("create user plain identified by '111'")
    plain = server.connect(user="ten1#plain")
    with plain.cursor() as cur:
        assert error_of(cur.execute, "create snapshot t_p for account") == (
            20101, "internal error: do not have privilege to execute the statement")


def test_db_and_table_snapshots_need_2_1():
    srv = Server("1.2.4")
    try:
        conn = srv.connect()
        with conn.cursor() as cur:
            cur.execute("create database d")
            code, text = error_of(cur.execute, "create snapshot s for database d")
            assert code == 1064 and text.endswith('near " database d";')
            assert error_of(cur.execute, "create snapshot s for account")[0] == 1064
            cur.execute("create snapshot s for account sys")
    finally:
        srv.stop()


def test_quota_on_4x_only(server):
    srv = Server(server.version, ["--tenant-snapshot-quota", "2"])
    try:
        root = srv.connect()
        with root.cursor() as cur:
            cur.execute("create account q1 admin_name 'admin' identified by '111'")
        tenant = srv.connect(user="q1#admin")
        with tenant.cursor() as cur:
            cur.execute("create snapshot q_1 for account")
            cur.execute("create snapshot q_2 for account")
            if server.version.startswith("4"):
                assert error_of(cur.execute, "create snapshot q_3 for account") == (
                    20101, "internal error: feature SNAPSHOT with scope account has reached the limit of 2")
                # the quota is checked before existence, so IF NOT EXISTS fails too
                assert error_of(cur.execute, "create snapshot if not exists q_1 for account")[0] == 20101
            else:
                cur.execute("create snapshot q_3 for account")
        with root.cursor() as cur:
            cur.execute("select mo_feature_limit_upsert(1, 'snapshot', 'account', 0)")
        with tenant.cursor() as cur:
            if server.version.startswith("4"):
                assert error_of(cur.execute, "create snapshot q_4 for account")[1] == (
                    "internal error: feature SNAPSHOT with scope account has disabled for account q1")
    finally:
        srv.stop()


def test_snapshot_reads(sql):
    sql("create database if not exists rd")
    sql("create table rd.t (a int)")
    sql("insert into rd.t values (1), (2)")
    sql("create snapshot rd_sp for account sys")
    sql("insert into rd.t values (3)")
    assert sql("select count(*) from rd.t {snapshot = 'rd_sp'}") == ((2,),)
    assert sql("select count(*) from rd.t{SNAPSHOT = `rd_sp`}") == ((2,),)
    assert sql("select count(*) from rd.t") == ((3,),)
    sql("drop table rd.t")
    assert ("t",) in sql("show tables from rd {snapshot = 'rd_sp'}")
    assert error_of(sql, "select count(*) from rd.t {snapshot = 'nosuch'}") == (
        20101, "internal error: find 0 snapshot records by name(nosuch), expect only 1")


def test_snapshots_survive_restart_with_data_dir(tmp_path):
    srv = Server("3.0.18", ["--data-dir", str(tmp_path)])
    try:
        with srv.connect().cursor() as cur:
            cur.execute("create database keep")
            cur.execute("create table keep.t (a int)")
            cur.execute("insert into keep.t values (1)")
            cur.execute("create snapshot keep_sp for account sys")
    finally:
        srv.stop()
    srv = Server("3.0.18", ["--data-dir", str(tmp_path)])
    try:
        with srv.connect().cursor() as cur:
            cur.execute("select count(*) from keep.t {snapshot = 'keep_sp'}")
            assert cur.fetchone() == (1,)
    finally:
        srv.stop()


@pytest.mark.parametrize("version", ["3.0.18", "4.2.0"])
def test_mo_snapshots_table(version):
    srv = Server(version)
    try:
        with srv.connect().cursor() as cur:
            cur.execute("create snapshot cat_1 for cluster")
            cur.execute("select sname, level, account_name from mo_catalog.mo_snapshots")
            assert cur.fetchall() == (("cat_1", "cluster", ""),)
    finally:
        srv.stop()
