# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import random

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _rehearse, _server, _sql, _time

SCRATCH = "mo_rehearsal_20261205120000_ab12"
REAL_SCRATCH_NAME = _rehearse.scratch_name  # the fixture below fixes the name for the other tests


def params(**kwargs):
    base = dict(sql=None, files=None, database="shop", account=None, databases=None, snapshot=None, checks=[],
                keep_account=False, scratch_prefix="mo_rehearsal_", sample_rows=5, content_max_rows=1000000)
    base.update(kwargs)
    return base


class FakeMo:
    """The module shell as the rehearsal uses it: statements answered by the first matching rule, every statement
    sent recorded with the connection it went to."""

    def __init__(self, rules=(), login_account="sys"):
        self.rules = list(rules)  # [(text in the SQL, rows or an exception)]
        self.sent = []  # (connection, display)
        self.secrets = []
        self.login_account = login_account
        self.last_rowcount = 0
        self.doing = ""
        self.closed = []

    def query(self, statement, record=True, conn=None):
        self.sent.append((conn or "sys", statement.display))
        for text, answer in self.rules:
            if text in statement.sql:
                if isinstance(answer, Exception):
                    raise answer
                self.last_rowcount = 1
                return answer
        self.last_rowcount = 0
        if "mo_catalog.mo_account WHERE account_name =" in statement.sql:
            return [{"account_name": "sys", "account_id": 0}]
        if "FROM mo_catalog.mo_database" in statement.sql:
            return [{"datname": "shop"}, {"datname": "crm"}]
        if statement.sql == "SHOW DATABASES":
            return [{"database": d} for d in ("information_schema", "mo_catalog", "shop", "crm")]
        if statement.sql.startswith("SHOW SNAPSHOTS"):
            return [{"snapshot_name": statement.params[0], "timestamp": "2026-12-05 12:00:00", "snapshot_level": "account",
                     "account_name": "sys", "database_name": "", "table_name": ""}] if statement.params else []
        return []

    def add_secret(self, value):
        self.secrets.append(value)

    def connect_as(self, account, user, password):
        self.logins = getattr(self, "logins", 0) + 1
        return "scratch:%s#%s" % (account, user) + ("" if self.logins == 1 else ":%d" % self.logins)

    def reads(self, conn=None):
        return lambda statement: self.query(statement, conn=conn)

    def close_login(self, conn):
        self.closed.append(conn)

    def texts(self, conn=None):
        return [text for c, text in self.sent if conn is None or c == conn]


def statements(*texts):
    return [(_sql.user_statement(t), "line %d of m.sql" % (i + 1)) for i, t in enumerate(texts)]


@pytest.fixture(autouse=True)
def fixed_scratch_name(monkeypatch):
    monkeypatch.setattr(_rehearse, "scratch_name", lambda prefix, now=None, rng=None: prefix + "20261205120000_ab12")
    monkeypatch.setattr(_rehearse._diff, "compare_points", lambda *args, **kwargs: {
        "databases_added": [], "databases_removed": [], "tables_added": ["shop.audit"], "tables_removed": [],
        "views_added": [], "views_removed": [], "tables_redefined": [], "rows": []})


def sqlerror(code, text):
    return _errors.SqlError(code, text, _sql.Statement("x"))


def test_a_failing_statement_stops_the_change_and_everything_is_dropped():
    mo = FakeMo([("INSERT INTO missing", sqlerror(1146, "no such table shop.missing"))])
    rehearsal = _rehearse.Rehearsal(mo, params(), statements("CREATE TABLE audit (a int)", "INSERT INTO missing VALUES (1)",
                                                             "DELETE FROM orders"))
    report = rehearsal.run()
    scratch = "scratch:%s#admin" % SCRATCH
    assert report["failed"] == {"index": 2, "statement": "INSERT INTO missing VALUES (1)", "where": "line 2 of m.sql",
                                "error_code": 1146, "error": "no such table shop.missing", "connection_lost": False}
    assert [s["statement"] for s in report["statements"]] == ["CREATE TABLE audit (a int)"]
    assert "DELETE FROM orders" not in mo.texts()
    assert mo.texts(scratch) == ["CREATE SNAPSHOT `rehearsal_start` FOR ACCOUNT `%s`" % SCRATCH, "USE `shop`",
                                 "CREATE TABLE audit (a int)", "INSERT INTO missing VALUES (1)",
                                 # emptied through its admin before DROP ACCOUNT (faster on v3.0.18)
                                 "DROP SNAPSHOT IF EXISTS `rehearsal_start`", "SHOW DATABASES",
                                 "DROP DATABASE IF EXISTS `shop`", "DROP DATABASE IF EXISTS `crm`"]
    assert mo.texts("sys")[-2:] == ["DROP ACCOUNT IF EXISTS `%s`" % SCRATCH, "DROP SNAPSHOT IF EXISTS `%s`" % SCRATCH]
    assert mo.closed == [scratch]
    assert not report["passed"] and not report["kept"] and report["summary"] == "tables added: shop.audit"
    message = rehearsal.failure_message()
    assert message.startswith("rehearsal failed at statement 2 of 3 (line 2 of m.sql): INSERT INTO missing VALUES (1): "
                              "MatrixOne error 1146: no such table shop.missing. Production was not changed")
    assert "; before it: tables added: shop.audit" in message


def test_the_databases_are_cloned_at_a_temporary_snapshot_and_the_password_never_shows():
    mo = FakeMo()
    report = _rehearse.Rehearsal(mo, params(), statements("SELECT 1")).run()
    password = mo.secrets[0]
    assert len(password) == 24
    assert not any(password in text for _c, text in mo.sent)
    assert [t for t in mo.texts("sys") if not t.startswith(("SELECT", "SHOW"))][:4] == [
        "CREATE SNAPSHOT `%s` FOR ACCOUNT `sys`" % SCRATCH,
        "CREATE ACCOUNT `%s` ADMIN_NAME 'admin' IDENTIFIED BY '********'" % SCRATCH,
        "CREATE DATABASE `crm` CLONE `crm` {SNAPSHOT = `%s`} TO ACCOUNT `%s`" % (SCRATCH, SCRATCH),
        "CREATE DATABASE `shop` CLONE `shop` {SNAPSHOT = `%s`} TO ACCOUNT `%s`" % (SCRATCH, SCRATCH)]
    assert report["passed"] and report["databases"] == ["crm", "shop"]
    assert report["source"] == {"account": "sys", "snapshot": SCRATCH, "temporary": True,
                                "timestamp": report["source"]["timestamp"]}
    assert set(report["seconds"]) == {"clone", "change", "checks", "compare", "clean_up", "total"}


def test_an_error_while_cloning_still_drops_the_account_and_the_temporary_snapshot():
    mo = FakeMo([("CLONE", sqlerror(20101, "internal error: clone failed"))])
    with pytest.raises(_errors.SqlError):
        _rehearse.Rehearsal(mo, params(databases=["shop"]), statements("SELECT 1")).run()
    assert mo.texts("sys")[-2:] == ["DROP ACCOUNT IF EXISTS `%s`" % SCRATCH, "DROP SNAPSHOT IF EXISTS `%s`" % SCRATCH]


def test_a_missing_database_is_named_and_nothing_is_created_but_the_temporary_snapshot_which_is_dropped():
    mo = FakeMo()
    with pytest.raises(_errors.InvalidInput, match="databases: nope not in account sys at snapshot %s \\(it has: crm, "
                                                   "shop\\)" % SCRATCH):
        _rehearse.Rehearsal(mo, params(databases=["shop", "nope"]), statements("SELECT 1")).run()
    assert not [t for t in mo.texts() if t.startswith("CREATE ACCOUNT")]
    assert mo.texts()[-1] == "DROP SNAPSHOT IF EXISTS `%s`" % SCRATCH


def test_a_kept_account_is_not_emptied():
    mo = FakeMo()
    _rehearse.Rehearsal(mo, params(keep_account=True), statements("SELECT 1")).run()
    assert not [t for t in mo.texts() if t.startswith("DROP DATABASE") or "rehearsal_start`" in t and "DROP" in t]


def test_keep_account_keeps_it_and_a_given_snapshot_is_not_dropped():
    mo = FakeMo([("SHOW SNAPSHOTS WHERE snapshot_name", [{
        "snapshot_name": "nightly", "timestamp": "2026-12-05 00:00:00", "snapshot_level": "cluster", "account_name": "",
        "database_name": "", "table_name": ""}])])
    report = _rehearse.Rehearsal(mo, params(keep_account=True, snapshot="nightly"), statements("SELECT 1")).run()
    assert report["kept"] and report["source"]["snapshot"] == "nightly" and not report["source"]["temporary"]
    assert not [t for t in mo.texts() if t.startswith("DROP") or t.startswith("CREATE SNAPSHOT `mo_")]


def test_only_names_a_rehearsal_gives_are_removed_as_leftovers():
    mo = FakeMo([("SUBSTRING(account_name", [{"account_name": "mo_rehearsal_20200101000000_zz99"},
                                             {"account_name": "mo_rehearsal_team"}])])
    report = _rehearse.Rehearsal(mo, params(), statements("SELECT 1")).run()
    assert report["leftovers_removed"] == ["account mo_rehearsal_20200101000000_zz99"]
    assert "DROP ACCOUNT IF EXISTS `mo_rehearsal_team`" not in mo.texts()


def test_checks_run_after_the_change_and_a_mismatch_fails_the_rehearsal():
    mo = FakeMo([("count(*)", [{"n": 4}])])
    rehearsal = _rehearse.Rehearsal(mo, params(checks=[{"name": "kept", "sql": "SELECT count(*) AS n FROM t",
                                                        "expect": [{"n": 5}]}, {"sql": "SELECT 1"}]),
                                    statements("DELETE FROM t WHERE id = 1"))
    report = rehearsal.run()
    checks_login = "scratch:%s#admin:2" % SCRATCH
    assert mo.texts(checks_login) == ["USE `shop`", "SELECT count(*) AS n FROM t", "SELECT 1"]
    assert mo.closed == ["scratch:%s#admin" % SCRATCH, checks_login]
    assert [c["passed"] for c in report["checks"]] == [False, True]
    assert not report["passed"]
    assert "1 check(s) failed: kept: expected [{'n': 5}], got [{'n': 4}]" in rehearsal.failure_message()


def test_a_drop_that_fails_is_a_warning_naming_what_is_left():
    mo = FakeMo([("DROP ACCOUNT", sqlerror(20101, "internal error: busy"))])
    report = _rehearse.Rehearsal(mo, params(), statements("SELECT 1")).run()
    assert report["warnings"] == ["the scratch account %s could not be dropped (internal error: busy); the next "
                                  "rehearsal with scratch_prefix mo_rehearsal_ drops it" % SCRATCH]


def test_bad_input_is_named_before_any_sql():
    with pytest.raises(_errors.InvalidInput, match="scratch_prefix must be"):
        _rehearse.validate(params(scratch_prefix="Bad-prefix"))
    with pytest.raises(_errors.InvalidInput, match=r"checks\[1\] needs sql"):
        _rehearse.validate(params(checks=[{"sql": "SELECT 1"}, {"name": "x"}]))
    with pytest.raises(_errors.InvalidInput, match=r"checks\[0\] has unknown keys expected"):
        _rehearse.validate(params(checks=[{"sql": "SELECT 1", "expected": []}]))
    with pytest.raises(_errors.InvalidInput, match="databases"):
        _rehearse.validate(params(databases=["bad`name"]))


def test_only_sys_on_a_server_with_clone_can_rehearse():
    v4 = _server.ServerInfo("8.0.30-MatrixOne-v4.1.4", (4, 1, 4), "version()")
    with pytest.raises(_errors.FeatureUnavailable, match="needs a sys login .* logged in to acc1"):
        _rehearse.refusal(v4, "acc1")
    with pytest.raises(_errors.FeatureUnavailable, match="a rehearsal .* needs MatrixOne 3.0.0"):
        _rehearse.refusal(_server.ServerInfo("8.0.30-MatrixOne-v2.2.0", (2, 2, 0), "version()"), "sys")
    _rehearse.refusal(v4, "sys")


def test_a_given_snapshot_must_cover_the_rehearsed_databases():
    snap = {"name": "s", "level": "database", "account": "sys", "database": "shop", "table": ""}
    _rehearse.source_snapshot(snap, "sys", ["shop"])
    with pytest.raises(_errors.InvalidInput, match="snapshot=s is a database snapshot of shop"):
        _rehearse.source_snapshot(snap, "sys", ["shop", "crm"])
    with pytest.raises(_errors.InvalidInput, match="account snapshot of acc1"):
        _rehearse.source_snapshot(dict(snap, level="account", account="sys"), "acc1", None)
    _rehearse.source_snapshot(dict(snap, level="cluster"), "acc1", None)


def test_scratch_names_and_passwords():
    password = _rehearse.generate_password(random.Random(1))
    assert any(c.isupper() for c in password) and any(c.islower() for c in password) and any(c.isdigit() for c in password)
    assert _rehearse.is_scratch_name("mo_rehearsal_20261205120000_ab12", "mo_rehearsal_")
    assert not _rehearse.is_scratch_name("mo_rehearsal_20261205120000_ab12x", "mo_rehearsal_")
    assert not _rehearse.is_scratch_name("mo_rehearsalx20261205120000_ab12", "mo_rehearsal_")
    name = REAL_SCRATCH_NAME("p_", datetime.datetime(2026, 12, 5, 12, 0, 0, tzinfo=_time.UTC), random.Random(3))
    assert _rehearse.is_scratch_name(name, "p_") and name.startswith("p_20261205120000_")
