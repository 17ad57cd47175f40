# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ordinary MySQL that migrations and our modules use: DDL, DML, transactions, metadata."""

from conftest import error_of


def test_ddl_and_dml_with_true_affected_rows(sql):
    sql("create database if not exists dml")
    sql("use dml")
    sql("create table t (id int primary key auto_increment, name varchar(20) not null default 'x', "
        "qty int, key ix_name (name))")
    with sql.conn.cursor() as cur:
        assert cur.execute("insert into t (name, qty) values ('a', 1), ('b', 2), ('c', 3)") == 3
        assert cur.execute("update t set qty = qty + 10 where qty >= 2") == 2
        assert cur.execute("delete from t where name = 'a'") == 1
        assert cur.execute("insert into t (id, name, qty) values (2, 'b', 0) on duplicate key update qty = "
                           "values(qty)") >= 1
        cur.execute("replace into t (id, name, qty) values (3, 'c', 33)")
    assert sql("select id, name, qty from t order by id") == ((2, "b", 0), (3, "c", 33))
    assert error_of(sql, "insert into t (id, name) values (2, 'dup')")[0] == 1062


def test_alter_table_keeps_data(sql):
    sql("create database if not exists alt")
    sql("create table alt.t (a int, b varchar(5))")
    sql("insert into alt.t values (1, 'x'), (2, 'y')")
    sql("alter table alt.t add column c int default 7 after a")
    sql("alter table alt.t modify column b varchar(50)")
    sql("alter table alt.t drop column a")
    assert sql("select b, c from alt.t order by b") == (("x", 7), ("y", 7))
    assert "`b` varchar(50)" in sql("show create table alt.t")[0][1]
    assert error_of(sql, "alter table alt.t drop column nope")[0] == 1091


def test_transactions_commit_and_rollback(sql):
    sql("create database if not exists txn")
    sql("create table txn.t (a int)")
    sql("begin")
    sql("insert into txn.t values (1)")
    sql("rollback")
    sql("start transaction")
    sql("insert into txn.t values (2)")
    sql("commit")
    assert sql("select a from txn.t") == ((2,),)


def test_snapshot_statement_inside_transaction_is_refused(sql):
    sql("begin")
    try:
        assert error_of(sql, "create snapshot in_txn for account sys") == (
            20101, "internal error: unclassified statement appears in uncommitted transaction")
    finally:
        sql("rollback")
    sql("set autocommit = 0")
    try:
        sql("select 1")
        assert error_of(sql, "create snapshot in_txn for account sys")[0] == 20101
    finally:
        sql("set autocommit = 1")


def test_metadata(sql):
    sql("create database if not exists meta")
    sql("create table meta.t1 (a int primary key, b text)")
    sql("insert into meta.t1 values (1, 'x'), (2, 'y')")
    assert ("meta",) in sql("show databases")
    assert sql("show tables from meta") == (("t1",),)
    assert sql("select table_name, table_rows from information_schema.tables where table_schema = 'meta'") == \
        (("t1", 2),)
    assert sql("select column_name, column_key from information_schema.columns where table_schema = 'meta' "
               "order by ordinal_position") == (("a", "PRI"), ("b", ""))
    tables = sql("select relname, reldatabase, relkind from mo_catalog.mo_tables")
    assert ("t1", "meta", "r") in [r[:3] for r in tables]
    assert error_of(sql, "select * from meta.nope") == (1064, 'SQL parser error: table "nope" does not exist')


def test_a_missing_table_is_1064_to_a_read_and_1146_to_a_write(sql):
    """As real v4.1.4 answers (measured with USE pz): a migration's failing statement reports MatrixOne's own code."""
    sql("create database if not exists pz")
    sql("use pz")
    assert error_of(sql, "select * from nope") == (1064, 'SQL parser error: table "nope" does not exist')
    for stmt in ("insert into nope values (1)", "update nope set a = 1", "delete from nope",
                 "insert into pz.nope select 1", "alter table nope add column b int", "drop table nope",
                 "truncate table nope", "drop index i on nope"):
        assert error_of(sql, stmt) == (1146, "no such table pz.nope"), stmt
