# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _drill, _errors, _rehearse, _server, _sql

COPY = "mo_drill_20261205120000_ab12"


def params(**kwargs):
    base = dict(snapshot="sp1", pitr=None, timestamp=None, timezone=None, server_timezone=None, level="database",
                account=None, database="shop", table=None, checks=[], scratch_prefix="mo_drill_",
                content_max_rows=1000000)
    base.update(kwargs)
    return base


class FakeMo:
    """The module shell as the drill uses it; every statement sent is recorded with its connection."""

    def __init__(self, p, rules=(), login_account="sys"):
        self.params = p
        self.connection = {"login_account": login_account}
        self.rules = list(rules)
        self.sent = []
        self.secrets = []
        self.login_account = login_account
        self.doing = ""
        self.closed = []
        self.logins = []

    def query(self, statement, record=True, conn=None):
        self.sent.append((conn or "main", statement.display))
        for text, answer in self.rules:
            if text in statement.sql:
                if isinstance(answer, Exception):
                    raise answer
                return answer
        if statement.sql == "SHOW DATABASES":
            return [{"database": d} for d in ("mo_catalog", "shop")]
        if "mo_catalog.mo_account WHERE account_name =" in statement.sql:
            return [{"account_name": COPY, "account_id": 9}]
        return []

    def add_secret(self, value):
        self.secrets.append(value)

    def connect_as(self, account, user, password):
        self.logins.append((account, user, password))
        return "%s#%s" % (account, user)

    def connect_with(self, params):
        self.logins.append(("same", params["login_account"], None))
        return "check-login"

    def close_login(self, conn):
        self.closed.append(conn)

    def texts(self, conn=None):
        return [text for c, text in self.sent if conn is None or c == conn]


class FakeJob:
    """mo_restore's job as the drill drives it; `fail_at` names the step that raises."""

    instances = []
    fail_at = None
    error = _errors.MoError("set by the test")

    def __init__(self, mo, when, params=None):
        self.mo = mo
        self.when = when
        self.params = dict(params)
        FakeJob.instances.append(self)

    def _step(self, name):
        if FakeJob.fail_at == name:
            raise FakeJob.error

    def prepare(self):
        self._step("prepare")

    def preview(self):
        self._step("preview")
        return {"snapshot": {"name": "sp1", "timestamp": "2026-12-05T04:00:00Z"}}

    def refuse_a_different_copy(self):
        pass

    def run(self):
        self._step("run")
        self.mo.query(_sql.clone("database", None, "shop", None, self.params["as_database"] or "x"))

    def verify(self, safety):
        self._step("verify")
        return {self.params["to_account"] or "sys": "checksums" if self.params["to_account"] else "content"}


@pytest.fixture(autouse=True)
def fixed(monkeypatch):
    monkeypatch.setattr(_rehearse, "scratch_name", lambda prefix, now=None, rng=None: prefix + "20261205120000_ab12")
    monkeypatch.setattr(_drill, "RestoreJob", FakeJob)
    FakeJob.instances, FakeJob.fail_at = [], None


def drill(p, **kwargs):
    mo = FakeMo(p, **kwargs)
    return mo, _drill.Drill(mo)


def test_a_database_drill_restores_beside_verifies_checks_and_drops_the_copy():
    checks = [{"name": "orders", "sql": "SELECT count(*) AS n FROM orders", "expect": [{"n": 3}]}]
    mo, one = drill(params(checks=checks), rules=[("count(*) AS n FROM orders", [{"n": 3}])])
    record, warnings = one.run()
    job = FakeJob.instances[0].params
    assert (job["as_database"], job["as_table"], job["verify"], job["safety_snapshot"], job["force"]) == \
        (COPY, None, True, False, False)
    assert record["verified"] and record["why"] == "" and warnings == [] and record["copy_name"] == COPY
    assert record["compared"] == "sys: content" and record["point_time"] == "2026-12-05T04:00:00Z"
    assert record["seconds"] is not None and record["removed"] and record["checks"][0]["passed"]
    assert mo.texts("check-login") == ["USE `%s`" % COPY, "SELECT count(*) AS n FROM orders"]
    assert mo.closed == ["check-login"]
    assert mo.texts()[-1] == "DROP DATABASE IF EXISTS `%s`" % COPY


def test_a_leftover_of_this_prefix_is_dropped_first_and_other_names_are_not():
    mo, one = drill(params(), rules=[("SHOW DATABASES", [{"database": d} for d in (
        "mo_drill_20261101000000_zz99", "mo_drill_keep", "shop")]), ("mo_catalog.mo_account WHERE SUBSTRING", [
            {"account_name": "mo_drill_20261101000000_a1b2"}, {"account_name": "mo_drill_prod"}])])
    record, _warnings = one.run()
    assert record["leftovers_removed"] == ["database mo_drill_20261101000000_zz99",
                                           "account mo_drill_20261101000000_a1b2"]
    assert "DROP DATABASE IF EXISTS `mo_drill_keep`" not in mo.texts()
    assert not [t for t in mo.texts() if "mo_drill_prod" in t and t.startswith("DROP")]


def test_a_point_that_cannot_be_restored_fails_its_drill_and_nothing_is_left_to_drop():
    FakeJob.fail_at, FakeJob.error = "prepare", _errors.RestoreRefused("snapshot sp1 not found among the snapshots")
    mo, one = drill(params())
    record, warnings = one.run()
    assert not record["verified"] and record["why"] == "snapshot sp1 not found among the snapshots"
    assert record["removed"] and record["seconds"] is None and warnings == []
    assert not [t for t in mo.texts() if t.startswith("DROP")]


@pytest.mark.parametrize("step", ["run", "verify"])
def test_a_restore_or_verification_that_fails_still_drops_the_copy(step):
    FakeJob.fail_at = step
    FakeJob.error = _errors.SqlError(20101, "internal error", _sql.Statement("x")) if step == "run" else \
        _errors.MoError("the restore from snapshot sp1 reported success but the target does not match it: x")
    mo, one = drill(params())
    record, _warnings = one.run()
    assert not record["verified"] and record["removed"]
    assert ("MatrixOne error 20101: internal error" in record["why"]) == (step == "run")
    assert mo.texts()[-1] == "DROP DATABASE IF EXISTS `%s`" % COPY


def test_a_failing_check_fails_the_drill_naming_it_and_the_copy_goes():
    checks = [{"name": "orders", "sql": "SELECT count(*) AS n FROM orders", "expect": [{"n": 3}]},
              {"name": "bad", "sql": "SELECT nope FROM orders"}]
    mo, one = drill(params(checks=checks), rules=[("count(*) AS n FROM orders", [{"n": 2}]),
                                                  ("SELECT nope", _errors.SqlError(1054, "column nope", _sql.Statement("x")))])
    record, _warnings = one.run()
    assert not record["verified"]
    assert record["why"] == ("2 check(s) failed on the copy: orders: expected [{'n': 3}], got [{'n': 2}]; "
                             "bad: MatrixOne error 1054: column nope")
    assert mo.texts()[-1] == "DROP DATABASE IF EXISTS `%s`" % COPY


def test_a_table_drill_copies_the_table_into_the_scratch_database():
    _mo, one = drill(params(level="table", table="orders"))
    one.run()
    job = FakeJob.instances[0].params
    assert (job["level"], job["database"], job["table"], job["as_database"], job["as_table"]) == \
        ("table", "shop", "orders", COPY, "orders")


def test_an_account_drill_restores_into_a_scratch_account_and_drops_it_emptied():
    checks = [{"sql": "SELECT 1 AS one"}]
    mo, one = drill(params(level="account", account="acc1", database="shop", checks=checks))
    record, _warnings = one.run()
    job = FakeJob.instances[0].params
    password = job["to_account_admin_password"]
    assert (job["level"], job["account"], job["database"], job["to_account"], job["to_account_admin_name"]) == \
        ("account", "acc1", None, COPY, "admin")
    assert password in mo.secrets and len(password) == 24
    # the restore's options never go into the module's own: Ansible prints those (invocation.module_args)
    assert mo.params == params(level="account", account="acc1", database="shop", checks=checks)
    assert record["verified"] and record["compared"] == "%s: checksums" % COPY and record["target"] == "acc1"
    admin = "%s#admin" % COPY
    assert mo.texts(admin)[:2] == ["USE `shop`", "SELECT 1 AS one"]  # the checks, with database as default
    assert mo.texts(admin)[-1] == "DROP DATABASE IF EXISTS `shop`"  # emptied through its admin
    assert mo.texts()[-1] == "DROP ACCOUNT IF EXISTS `%s`" % COPY
    assert all(password not in text for text in mo.texts())


def test_a_copy_that_cannot_be_dropped_is_a_warning_for_the_next_drill():
    mo, one = drill(params(), rules=[("DROP DATABASE IF EXISTS `%s`" % COPY,
                                      _errors.SqlError(20101, "busy", _sql.Statement("x")))])
    record, warnings = one.run()
    assert record["verified"] and not record["removed"]
    assert warnings == ["the drill's copy %s could not be dropped (busy); the next drill with scratch_prefix "
                        "mo_drill_ drops it" % COPY]


@pytest.mark.parametrize("given, message", [
    (dict(database=None), "level=database needs database"),
    (dict(level="table"), "level=table needs table"),
    (dict(table="t"), "table is used with level=table only"),
    (dict(account="acc1"), "account is used with level=account only"),
    (dict(level="account", snapshot=None, pitr="p", timestamp="1h"), "level=account with pitr"),
    (dict(scratch_prefix="Drill"), "scratch_prefix must be 1-30 lower-case letters"),
    (dict(checks=[{"sql": "SELECT 1", "expected": []}]), "checks[0] has unknown keys expected"),
    (dict(snapshot="bad name"), "snapshot"),
])
def test_bad_input_is_named_before_any_sql(given, message):
    with pytest.raises(_errors.InvalidInput, match=message.replace("[", r"\[").replace("]", r"\]")):
        _drill.validate(params(**given))


def test_a_pitr_time_is_parsed():
    when = _drill.validate(params(snapshot=None, pitr="p", timestamp="2026-12-05T10:00:00+08:00"))
    assert when.isoformat() == "2026-12-05T02:00:00+00:00"


def test_an_account_drill_needs_sys_and_every_drill_needs_clone():
    v4 = _server.ServerInfo("8.0.30-MatrixOne-v4.1.4", (4, 1, 4), "version()")
    _drill.refusal(v4, "acc1", "database")
    with pytest.raises(_errors.FeatureUnavailable, match="an account drill needs a sys login"):
        _drill.refusal(v4, "acc1", "account")
    with pytest.raises(_errors.FeatureUnavailable, match="3.0"):
        _drill.refusal(_server.ServerInfo("8.0.30-MatrixOne-v2.1.0", (2, 1, 0), "version()"), "sys", "database")
