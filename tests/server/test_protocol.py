# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Logins, accounts, versions, errors and round-trip counting through PyMySQL."""

import random
import string

import pymysql
import pytest

from conftest import Server, error_of


def test_version_string_per_version(server, sql):
    assert sql("select version()") == (("8.0.30-MatrixOne-v%s" % server.version,),)
    assert sql("select @@version_comment limit 1") == (("MatrixOne",),)


def test_dev_build_has_an_empty_version_suffix():
    srv = Server("dev")
    try:
        with srv.connect().cursor() as cur:
            cur.execute("select version()")
            assert cur.fetchone()[0] == "8.0.30-MatrixOne-v"
    finally:
        srv.stop()


def test_login_forms_and_wrong_password(server, sql):
    sql("create account if not exists logacc admin_name 'admin' identified by 'pw1'")
    for user in ("logacc#admin", "logacc:admin", "logacc:admin:accountadmin", "logacc#admin#accountadmin"):
        server.connect(user=user, password="pw1").close()
    server.connect(user="sys#root").close()
    server.connect(user="dump").close()
    # the codes and texts real 3.0.18 and 4.1.4 answer
    for user, password, answer in (
            ("logacc#admin", "wrong", (1045, "Access denied for user logacc#admin. internal error: check password failed")),
            ("nosuch#admin", "pw1", (20101, "internal error: there is no tenant nosuch")),
            ("logacc#nobody", "pw1", (20101, "internal error: there is no user nobody"))):
        with pytest.raises(pymysql.err.OperationalError) as err:
            server.connect(user=user, password=password)
        assert err.value.args == answer


def test_accounts_are_isolated(server, sql):
    sql("create account if not exists iso1 admin_name 'admin' identified by '111'")
    sql("create account if not exists iso2 admin_name 'admin' identified by '111'")
    a = server.connect(user="iso1#admin")
    b = server.connect(user="iso2#admin")
    with a.cursor() as cur:
        cur.execute("create database only_in_iso1")
    with b.cursor() as cur:
        cur.execute("show databases")
        assert ("only_in_iso1",) not in cur.fetchall()
        assert error_of(cur.execute, "create account x admin_name 'a' identified by 'b'") == (
            20101, "internal error: do not have privilege to execute the statement")


def test_account_errors(sql):
    sql("create account dupacc admin_name 'admin' identified by '111'")
    assert error_of(sql, "create account dupacc admin_name 'admin' identified by '111'") == (
        20101, "internal error: the tenant dupacc exists")
    sql("drop account dupacc")
    assert error_of(sql, "drop account dupacc") == (20101, "internal error: there is no account dupacc")


def test_questions_counter_counts_statements(server):
    conn = server.connect()
    with conn.cursor() as cur:
        cur.execute("show global status like 'Questions'")
        before = int(cur.fetchone()[1])
        for _attempt in range(5):
            cur.execute("select 1")
        cur.execute("show global status like 'Questions'")
        assert int(cur.fetchone()[1]) == before + 6


def test_syntax_errors_use_matrixone_wording(sql):
    code, text = error_of(sql, "selec 1")
    assert code == 1064
    assert text.startswith("SQL parser error: You have an error in your SQL syntax; check the manual that "
                           "corresponds to your MatrixOne server version for the right syntax to use.")


def test_fuzz_never_crashes_or_drops_the_connection(server):
    """500 random statements (seeded): each gets an answer, and the connection keeps working."""
    rng = random.Random(20261128)
    words = ["select", "create", "snapshot", "restore", "for", "account", "table", "database", "{", "}", "=",
             "'", "`", '"', ";", "(", ")", "from", "drop", "show", "snapshots", "where", "insert", "into", "values",
             "\\", "--", "/*", "*/", "cluster", "to", "pitr", "1", "sp", "x.y"]
    conn = server.connect()
    with conn.cursor() as cur:
        for _attempt in range(500):
            parts = [rng.choice(words) if rng.random() < 0.7 else
                     "".join(rng.choice(string.printable) for _char in range(rng.randint(1, 8)))
                     for _word in range(rng.randint(1, 10))]
            try:
                cur.execute(" ".join(parts).replace("%", "%%"))
            except pymysql.err.MySQLError as exc:
                assert exc.args[0] != 2013, "connection lost on %r" % parts
            cur.execute("select 1")
            assert cur.fetchone() == (1,)
