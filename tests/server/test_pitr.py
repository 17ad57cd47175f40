# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PITR statements and restores to a time, per version, with MatrixOne's error texts."""

import datetime
import time
from zoneinfo import ZoneInfo

import pytest

from conftest import Server, error_of


@pytest.fixture(params=["3.0.18", "4.2.0"])
def shanghai(request):
    srv = Server(request.param, ["--timezone", "Asia/Shanghai"])
    yield srv
    srv.stop()


def q(conn, statement):
    with conn.cursor() as cur:
        cur.execute(statement)
        return cur.fetchall()


def test_pitr_grammar_needs_2_0():
    srv = Server("1.2.4")
    try:
        assert error_of(q, srv.connect(), "create pitr p for account range 1 'h'")[0] == 1064
    finally:
        srv.stop()


def test_pitr_errors(shanghai):
    conn = shanghai.connect()
    q(conn, "create database db01")
    q(conn, "create pitr pitr01 for account range 1 'h'")
    assert error_of(q, conn, "create pitr pitr01 for account range 1 'h'")[1] == "internal error: pitr pitr01 already exists"
    assert error_of(q, conn, "create pitr pitr02 for account range 1 'd'")[1] == \
        "internal error: account `sys` already has a pitr"
    assert error_of(q, conn, "create pitr pitr09 for database db01 range 2000 'h'")[1] == \
        "internal error: invalid pitr value 2000"
    assert error_of(q, conn, "create pitr pitr09 for database db01 range 1 'yy'")[1] == \
        "internal error: invalid pitr unit yy"
    assert error_of(q, conn, "create pitr pitr11 for database db02 range 1 'h'")[1] == \
        "internal error: database db02 does not exist"
    assert error_of(q, conn, "alter pitr pitr100 range 1 'd'")[1] == "internal error: pitr pitr100 does not exist"
    q(conn, "alter pitr if exists pitr100 range 1 'd'")
    q(conn, "create account pa admin_name 'admin' identified by '111'")
    tenant = shanghai.connect(user="pa#admin")
    assert error_of(q, tenant, "create pitr pitr17 for cluster range 1 'h'")[1] == \
        "internal error: only sys tenant can create cluster level pitr"


def test_show_pitr_uses_the_server_zone(shanghai):
    conn = shanghai.connect()
    q(conn, "create pitr sp for account range 2 'd'")
    rows = q(conn, "show pitr")
    local_now = datetime.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    created = datetime.datetime.strptime(rows[0][1], "%Y-%m-%d %H:%M:%S")
    assert abs((created - local_now).total_seconds()) < 60
    assert rows[0][3:] == ("account", "sys", "*", "*", 2, "d")
    with conn.cursor() as cur:
        cur.execute("show pitr where pitr_name = 'sp'")
        # as real 3.0.18 (lower) and 4.1.4 (upper) answer PyMySQL
        assert [d[0] for d in cur.description][0] == ("pitr_name" if shanghai.version < "4" else "PITR_NAME")


def test_restore_to_a_time_returns_that_times_data(shanghai):
    conn = shanghai.connect()
    q(conn, "create database d")
    q(conn, "create table d.t (a int)")
    q(conn, "insert into d.t values (1), (2)")
    q(conn, "create pitr tp for account range 1 'h'")
    time.sleep(1.1)
    point = datetime.datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")
    time.sleep(1.1)
    q(conn, "insert into d.t values (3)")
    q(conn, "drop table d.t")
    q(conn, "restore database d from pitr tp '%s'" % point)
    assert q(conn, "select count(*) from d.t") == ((2,),)
    assert "is bigger than now timestamp" in error_of(q, conn, "restore from pitr tp '2999-01-01 00:00:00'")[1]
    assert "is less than the pitr valid time" in error_of(q, conn, "restore from pitr tp '2001-01-01 00:00:00'")[1]
    assert error_of(q, conn, "restore from pitr nope '%s'" % point)[1] == "internal error: pitr nope does not exist"
