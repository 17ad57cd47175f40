# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""RESTORE per version, MatrixOne's restore semantics, and the four mo_br examples as plain SQL."""

import pytest

from conftest import Server, error_of

VALUES = ", ".join("(%d)" % i for i in range(1, 101))


@pytest.fixture(params=["3.0.18", "4.2.0"])
def fresh(request):
    srv = Server(request.param)
    yield srv
    srv.stop()


def restore_sql(version, level, snapshot, account="sys", database=None, table=None, to_account=None):
    """The restore text a MatrixOne of this version accepts."""
    if version.startswith("4"):
        target = {"cluster": "CLUSTER", "account": "ACCOUNT %s" % account,
                  "database": "DATABASE %s" % database, "table": "TABLE %s.%s" % (database, table)}[level]
        text = "RESTORE %s {SNAPSHOT = '%s'}" % (target, snapshot)
    else:
        target = {"cluster": "CLUSTER", "account": "ACCOUNT %s" % account,
                  "database": "ACCOUNT %s DATABASE %s" % (account, database),
                  "table": "ACCOUNT %s DATABASE %s TABLE %s" % (account, database, table)}[level]
        text = "RESTORE %s FROM SNAPSHOT %s" % (target, snapshot)
    return text + (" TO ACCOUNT %s" % to_account if to_account else "")


def q(conn, statement):
    with conn.cursor() as cur:
        cur.execute(statement)
        return cur.fetchall()


def count(conn, table):
    return q(conn, "select count(*) from %s" % table)[0][0]


def test_other_grammar_is_a_parse_error(fresh):
    conn = fresh.connect()
    q(conn, "create snapshot g1 for account sys")
    other = "RESTORE ACCOUNT sys FROM SNAPSHOT g1" if fresh.version.startswith("4") else \
        "RESTORE ACCOUNT sys {SNAPSHOT = 'g1'}"
    code, text = error_of(q, conn, other)
    assert code == 1064 and "syntax error" in text
    q(conn, restore_sql(fresh.version, "account", "g1"))
    assert error_of(q, conn, restore_sql(fresh.version, "account", "nope")) == (
        20101, "internal error: find 0 snapshot records by name(nope), expect only 1")


def test_example_1_table_level(fresh):
    """mo_br example 1: 100 rows, snapshot sp_01, delete a <= 50 (50 left), table restore -> 100."""
    conn = fresh.connect(user="dump")
    q(conn, "create database if not exists snapshot_read")
    q(conn, "create table snapshot_read.test_snapshot_read (a int)")
    q(conn, "insert into snapshot_read.test_snapshot_read (a) values " + VALUES)
    assert count(conn, "snapshot_read.test_snapshot_read") == 100
    q(conn, "create snapshot sp_01 for account sys")
    q(conn, "delete from snapshot_read.test_snapshot_read where a <= 50")
    assert count(conn, "snapshot_read.test_snapshot_read") == 50
    q(conn, restore_sql(fresh.version, "table", "sp_01", database="snapshot_read", table="test_snapshot_read"))
    assert count(conn, "snapshot_read.test_snapshot_read") == 100


def test_example_2_database_level(fresh):
    """mo_br example 2: 200/100 rows, delete -> 100/49, database restore -> 200/100."""
    conn = fresh.connect(user="dump")
    q(conn, "create database if not exists snapshot_read")
    q(conn, "use snapshot_read")
    q(conn, "create table test_snapshot_read (a int)")
    q(conn, "insert into test_snapshot_read (a) values " + VALUES)
    q(conn, "insert into test_snapshot_read (a) values " + VALUES)
    q(conn, "create table test_snapshot_read_1 (a int)")
    q(conn, "insert into test_snapshot_read_1 (a) values " + VALUES)
    q(conn, "create snapshot sp_02 for account sys")
    q(conn, "delete from test_snapshot_read where a <= 50")
    q(conn, "delete from test_snapshot_read_1 where a >= 50")
    assert (count(conn, "test_snapshot_read"), count(conn, "test_snapshot_read_1")) == (100, 49)
    q(conn, restore_sql(fresh.version, "database", "sp_02", database="snapshot_read"))
    assert (count(conn, "test_snapshot_read"), count(conn, "test_snapshot_read_1")) == (200, 100)


def test_example_3_account_level_and_new_account(fresh):
    """mo_br example 3: drop snapshot_read, account restore brings it back; also into a new account acc2."""
    conn = fresh.connect(user="dump")
    q(conn, "create database if not exists snapshot_read")
    q(conn, "create snapshot sp_03 for account sys")
    q(conn, "drop database snapshot_read")
    assert ("snapshot_read",) not in q(conn, "show databases")
    q(conn, restore_sql(fresh.version, "account", "sp_03"))
    assert ("snapshot_read",) in q(conn, "show databases")
    q(conn, "create account acc2 admin_name 'admin' identified by '111'")
    # as on real 3.0.18 and 4.1.4: TO ACCOUNT is ignored for a sys source, sys is restored in place again
    q(conn, "create database later")
    q(conn, restore_sql(fresh.version, "account", "sp_03", to_account="acc2"))
    assert ("later",) not in q(conn, "show databases")
    acc2 = fresh.connect(user="acc2#admin")
    tenant_system = ["information_schema", "mo_catalog", "mysql", "system", "system_metrics"]
    assert [r[0] for r in q(acc2, "show databases")] == tenant_system
    # a tenant restored into another account arrives there
    q(conn, "create account acc1 admin_name 'admin' identified by '111'")
    q(fresh.connect(user="acc1#admin"), "create database shop")
    q(conn, "create snapshot sp_acc1 for account acc1")
    q(conn, restore_sql(fresh.version, "account", "sp_acc1", to_account="acc2", account="acc1"))
    assert ("shop",) in q(acc2, "show databases")


def test_example_4_cluster_level(fresh):
    """mo_br example 4: db1 in acc1 and acc2, cluster snapshot, drop db1 in both, cluster restore."""
    root = fresh.connect()
    for acc in ("acc1", "acc2"):
        q(root, "create account %s admin_name 'admin' identified by '111'" % acc)
        q(fresh.connect(user="%s#admin" % acc), "create database db1")
    q(root, "create snapshot cluster_sp1 for cluster")
    assert q(root, "show snapshots")[0][2:] == ("cluster", "", "", "")
    for acc in ("acc1", "acc2"):
        q(fresh.connect(user="%s#admin" % acc), "drop database db1")
    q(root, restore_sql(fresh.version, "cluster", "cluster_sp1"))
    for acc in ("acc1", "acc2"):
        assert ("db1",) in q(fresh.connect(user="%s#admin" % acc), "show databases")


def test_restore_semantics(fresh):
    """Later objects vanish, dropped ones return, users revert, snapshots survive the restore."""
    root = fresh.connect()
    q(root, "create account sem admin_name 'admin' identified by '111'")
    sem = fresh.connect(user="sem#admin")
    q(sem, "create database keep")
    q(sem, "create table keep.t (a int)")
    q(sem, "insert into keep.t values (1)")
    q(root, "create snapshot sem_sp for account sem")
    q(sem, "create database later")
    q(sem, "drop table keep.t")
    q(sem, "create user late_user identified by '111'")
    q(root, restore_sql(fresh.version, "account", "sem_sp", account="sem"))
    assert ("later",) not in q(sem, "show databases")
    assert count(sem, "keep.t") == 1
    with pytest.raises(Exception):
        fresh.connect(user="sem#late_user")
    assert [r[0] for r in q(root, "show snapshots")] == ["sem_sp"]


def test_cluster_restore_drops_later_accounts_and_recreates_dropped(fresh):
    root = fresh.connect()
    q(root, "create account old admin_name 'admin' identified by 'pw'")
    q(fresh.connect(user="old#admin", password="pw"), "create database olddb")
    q(root, "create snapshot cl for cluster")
    q(root, "drop account old")
    q(root, "create account newer admin_name 'admin' identified by 'pw'")
    q(root, restore_sql(fresh.version, "cluster", "cl"))
    names = [r[0] for r in q(root, "show accounts")]
    assert "old" in names and "newer" not in names
    assert ("olddb",) in q(fresh.connect(user="old#admin", password="pw"), "show databases")


def test_restore_rules(fresh):
    root = fresh.connect()
    q(root, "create database rr")
    q(root, "create table rr.t (a int)")
    q(root, "create snapshot rr_db for database rr")
    q(root, "create snapshot rr_cl for cluster")
    q(root, "create account rra admin_name 'admin' identified by '111'")
    v = fresh.version
    assert error_of(q, root, restore_sql(v, "account", "rr_db"))[1] == \
        "internal error: can't restore account from db or table level snapshot"
    assert error_of(q, root, restore_sql(v, "database", "rr_cl", database="rr"))[1] == \
        "internal error: can't restore db from cluster level snapshot"
    q(root, "create database rr2")
    assert error_of(q, root, restore_sql(v, "database", "rr_db", database="rr2"))[1] == \
        "internal error: databaseName(rr2) does not match snapshot.databaseName(rr)"
    assert error_of(q, root, restore_sql(v, "account", "rr_cl", account="sys", to_account="nope"))[1] == \
        "internal error: no such account, account name: nope"
    tenant = fresh.connect(user="rra#admin")
    q(tenant, "create snapshot own for account")
    assert error_of(q, tenant, restore_sql(v, "cluster", "own"))[1] == \
        "internal error: non-sys account can't restore cluster level snapshot"
    assert error_of(q, tenant, restore_sql(v, "account", "own", account="rra", to_account="sys"))[1] == \
        "internal error: non-sys account can't restore snapshot to another account"
