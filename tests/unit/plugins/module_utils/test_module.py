# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The module shell: one failure path, check mode's gate, secrets kept out of what a task returns."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _module, _sql


class Exited(Exception):
    def __init__(self, kind, result):
        super(Exited, self).__init__(kind)
        self.kind = kind
        self.result = result


class FakeAnsibleModule:
    """AnsibleModule as the shell uses it: params, check mode, no_log values, exit and fail."""

    def __init__(self, argument_spec, supports_check_mode, **_constraints):
        self.params = dict((k, v.get("default")) for k, v in argument_spec.items())
        self.params.update(FakeAnsibleModule.given)
        self.check_mode = FakeAnsibleModule.check_mode
        self.no_log_values = set()
        self._diff = True

    def exit_json(self, **result):
        raise Exited("exit", result)

    def fail_json(self, **result):
        raise Exited("fail", result)

    def warn(self, _text):
        pass


@pytest.fixture
def shell(monkeypatch):
    monkeypatch.setattr(_module, "AnsibleModule", FakeAnsibleModule)

    def make(check_mode=False, **given):
        FakeAnsibleModule.check_mode, FakeAnsibleModule.given = check_mode, dict(login_password="pw-given", **given)
        return _module.MoModule({}, connects=True)
    return make


def statement(text):
    return _sql.Statement(text)


def test_an_error_of_the_collection_fails_once_with_what_was_being_done_and_the_fields_gathered(shell):
    mo = shell()
    mo.doing = "restoring"
    mo.failure_result["preview"] = {"changes": 1}

    def body():
        raise _errors.SqlError(20101, "internal error: boom", statement("RESTORE ..."))
    with pytest.raises(Exited) as exited:
        mo.run(body)
    assert exited.value.kind == "fail"
    result = exited.value.result
    assert result["msg"] == "restoring failed: MatrixOne error 20101: internal error: boom"
    assert result["error_code"] == 20101 and result["preview"] == {"changes": 1} and result["queries"] == []


def test_a_lost_connection_says_the_outcome_is_unknown(shell):
    mo = shell()
    with pytest.raises(Exited) as exited:
        mo.fail_from(_errors.ConnectionLost(2013, "timed out", statement("RESTORE x")), "restoring")
    assert "did not answer within read_timeout=3600s while running RESTORE x; the outcome is unknown" in \
        exited.value.result["msg"]
    with pytest.raises(Exited) as exited:
        mo.fail_from(_errors.ConnectionLost(2006, "gone away", statement("RESTORE x")), "restoring")
    assert "the connection was lost while the server ran RESTORE x (gone away); the outcome is unknown" in \
        exited.value.result["msg"]


def test_generated_secrets_are_masked_in_messages_and_handed_to_ansible(shell):
    mo = shell()
    mo.add_secret("Gen3rated-pw")
    assert "Gen3rated-pw" in mo.module.no_log_values
    with pytest.raises(Exited) as exited:
        mo.fail("cannot log in as scratch#admin with Gen3rated-pw")
    assert exited.value.result["msg"] == "cannot log in as scratch#admin with %s" % _sql.MASK


def test_check_mode_records_what_a_real_run_sends_and_sends_nothing(shell):
    mo = shell(check_mode=True)
    mo.query = lambda *args, **kwargs: pytest.fail("check mode sent a statement")
    assert mo.change(statement("DROP SNAPSHOT s")) is False
    with pytest.raises(Exited) as exited:
        mo.check_mode_exit([statement("CREATE SNAPSHOT s FOR ACCOUNT sys")], preview={"n": 1})
    result = exited.value.result
    assert result["changed"] is True and result["preview"] == {"n": 1}
    assert result["queries"] == ["DROP SNAPSHOT s", "CREATE SNAPSHOT s FOR ACCOUNT sys"]
    with pytest.raises(Exited) as exited:
        shell(check_mode=True).check_mode_exit([])
    assert exited.value.result["changed"] is False


def test_a_real_run_passes_the_gate_and_sends(shell):
    mo = shell()
    sent = []
    mo.query = lambda stmt, **kwargs: sent.append(stmt.display)
    assert mo.check_mode_exit([statement("CREATE SNAPSHOT s FOR ACCOUNT sys")]) is None
    assert mo.change(statement("DROP SNAPSHOT s")) is True and sent == ["DROP SNAPSHOT s"]


def test_bad_connection_options_fail_before_any_connection(shell):
    with pytest.raises(Exited) as exited:
        shell(read_timeout=0)
    assert exited.value.result["msg"] == "read_timeout=0 is out of range: give at least 1 second"


class RecordingConnection:
    """A connection whose cursor formats the text as PyMySQL's Cursor.mogrify does, and keeps what it would send."""

    def __init__(self):
        self.sent = []

    def cursor(self):
        conn = self

        class Cursor:
            description, rowcount = None, 0

            def execute(self, sql, args=None):
                conn.sent.append(sql % tuple(repr(a) for a in args) if args is not None else sql)

            def close(self):
                pass

        return Cursor()


def test_a_percent_sign_reaches_the_server_once(shell):
    """Real v4.1.4 got `SELECT 7 %% 3` from mo_sql (1064 near "% 3") before the shell formatted every statement."""
    mo = shell()
    mo.conn = RecordingConnection()
    mo.query(_sql.user_statement("SELECT 7 % 3"))
    mo.query(_sql.content_sample(None, "d", "t%x", "now", 5))
    mo.query(_sql.rows_by_key("d", "100%", ["id"], None, [(1,)]))
    assert mo.conn.sent == ["SELECT 7 % 3",
                            "SELECT DISTINCT * FROM (SELECT * FROM `d`.`t%x` EXCEPT SELECT * FROM `d`.`t%x`) e LIMIT 5",
                            "SELECT * FROM `d`.`100%` WHERE `id` IN (1)"]
    assert mo.queries[1:] == mo.conn.sent[1:]  # what the task shows is what was sent
