# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _restore_job, _sql, _state, _time


class FakeMo:
    def __init__(self, params, answer):
        self.params = params
        self.login_account = "sys"
        self.doing = ""
        self.failure_result = {}
        self.answer = answer
        self.sent = []

    def query(self, statement, record=True, conn=None):
        self.sent.append(statement.display)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def job(answer, admin="admin"):
    params = {"pitr": None, "snapshot": "sp_acc1", "to_account_admin_name": admin}
    one = _restore_job.RestoreJob(FakeMo(params, answer))
    one.scope = {"level": "account", "account": "acc1", "to_account": "acc2"}
    return one


@pytest.mark.parametrize("scope, snap_level, expected", [
    ({"level": "account", "to_account": "acc2"}, "account", True),
    ({"level": "account", "to_account": "acc2", "copy": True}, "account", False),  # sys: clones, no users
    ({"level": "account", "to_account": "acc2"}, "cluster", False),  # a cluster snapshot read as sys is sys's
    ({"level": "account", "to_account": None}, "account", False),
    ({"level": "database", "to_account": None}, "account", False),
])
def test_which_restores_bring_the_source_accounts_users(scope, snap_level, expected):
    assert _restore_job.scope_brings_users(scope, {"level": snap_level}) is expected


def test_an_admin_name_the_restore_would_remove_is_refused_before_anything():
    one = job([{"user_name": "admin2"}, {"user_name": "reader"}])
    with pytest.raises(_errors.RestoreRefused) as caught:
        one.refuse_an_admin_the_restore_removes()
    assert str(caught.value) == (
        "to_account_admin_name=admin: restoring account acc1 into acc2 brings the users acc1 had at snapshot sp_acc1 "
        "(admin2, reader), and the admin password is set on one of them; give the name of acc1's admin")
    assert one.mo.sent == ["SELECT user_name FROM mo_catalog.mo_user {SNAPSHOT = `sp_acc1`}"]


@pytest.mark.parametrize("answer", [[{"user_name": "admin"}, {"user_name": "reader"}], [],
                                    _errors.SqlError(1049, "Unknown database", _sql.Statement("x"))])
def test_the_source_admin_or_users_that_cannot_be_read_pass(answer):
    job(answer).refuse_an_admin_the_restore_removes()


class PooledMo(FakeMo):
    """A login with two connections: each statement is answered on the connection it names."""

    def __init__(self, fail_on=None):
        super(PooledMo, self).__init__({"pitr": None, "snapshot": "s"}, [])
        self.queries, self.on, self.fail_on = [], {}, fail_on

    def query(self, statement, record=True, conn=None):
        if record:
            self.queries.append(statement.display)
        self.on.setdefault(conn, []).append(statement.display)
        if statement.display == self.fail_on:
            raise _errors.SqlError(20101, "boom", statement)
        return []

    def reads(self):
        class Reads:
            conn = "main"

            def parallel(self):
                return [self, type("Extra", (), {"conn": "extra"})()]
        return Reads()


def tables(n):
    return [_sql.Statement("RESTORE TABLE d.t%d {SNAPSHOT = 's'}" % i) for i in range(n)]


def test_tables_restored_one_by_one_are_sent_over_both_connections_and_listed_in_order():
    mo = PooledMo()
    one = _restore_job.RestoreJob(mo)
    one.send_at_once(tables(5))
    assert mo.queries == [s.display for s in tables(5)]  # as check mode lists them
    assert len(mo.on["main"]) == 3 and len(mo.on["extra"]) == 2
    single = PooledMo()
    _restore_job.RestoreJob(single).send_at_once(tables(1))
    assert list(single.on) == [None] and single.queries == [tables(1)[0].display]  # one: no second login


def test_a_failed_table_stops_its_connection_and_only_what_was_sent_is_listed():
    mo = PooledMo(fail_on=tables(5)[2].display)
    with pytest.raises(_errors.SqlError, match="boom"):
        _restore_job.RestoreJob(mo).send_at_once(tables(5))
    assert tables(5)[4].display not in mo.queries  # after the failure, on the same connection: not sent
    assert mo.queries == [s.display for s in tables(5) if s.display in mo.on["main"] + mo.on["extra"]]


def test_the_verification_derives_the_rows_of_keyed_tables_and_counts_only_the_rest():
    """After the restore the target is listed without counts: a table with a primary key on both sides holds no
    duplicate row, so its rows follow from the comparison; a table without one is counted (a duplicated row shows)."""
    sent = []

    def query(stmt):
        sent.append(stmt.sql)
        if "only_now" in stmt.sql:
            return [{"db": "d", "tbl": "k", "only_now": 1, "only_snap": 1},
                    {"db": "d", "tbl": "u", "only_now": 0, "only_snap": 0}]
        return [{"side": "n", "db": "d", "tbl": "u", "n": 3}]
    one = _restore_job.RestoreJob(FakeMo({"pitr": None, "snapshot": "s", "content_max_rows": 100}, []))
    one.scope = {"level": "database", "database": "d"}
    view = _restore_job.View("sys", _state.Reader(query, _time.NOW), _state.Reader(query, _time.Point(snapshot="s")))
    names = [("d", "k"), ("d", "u")]
    view.snap_state = dict(_state.empty(), tables=dict((n, "id INT") for n in names), rows={("d", "k"): 5, ("d", "u"): 2},
                           columns=dict((n, ["id"]) for n in names), keys={("d", "k"): ["id"]})
    view.now_state = dict(_state.empty(), tables=dict(view.snap_state["tables"]), keys={("d", "k"): ["id"]},
                          columns=dict(view.snap_state["columns"]))
    one.compare_rows(view)
    assert len(sent) == 2 and "count(*) AS n FROM `d`.`u`" in sent[1] and "`k`" not in sent[1]
    assert view.now_state["rows"] == {("d", "k"): 5, ("d", "u"): 3}
    report = one.report([view])
    assert report["row_changes"] == [{"table": "d.u", "now": 3, "snapshot": 2}]  # the duplicate EXCEPT cannot see
    assert [c["table"] for c in report["content_changes"]] == ["d.k"]


def test_the_login_reads_its_own_snapshot_at_its_exact_time_and_restores_it_by_name():
    one = _restore_job.RestoreJob(PooledMo())
    one.p = {"pitr": None, "snapshot": "sp1"}
    one.scope = {"level": "database", "database": "d", "source": "sys", "target": "sys"}
    one.snap = {"name": "sp1", "timestamp": "2026-12-05T23:02:29.781288204Z", "level": "database"}
    reader = one.snapshot_reader()
    # {MO_TS = t} reads what {SNAPSHOT = sp1} reads, without MatrixOne looking the name up for every table
    assert _sql.at(reader.point) == " {MO_TS = 1796511749781288204}"
    assert _sql.at(one.restore_point()) == " {SNAPSHOT = `sp1`}"
