# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""mo_pitr's state machine, without a server: what it sends, what check mode predicts, what it refuses."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _module, _pitr_task, _time

NOW = datetime.datetime(2026, 12, 5, 12, 0, tzinfo=_time.UTC)


def row(name, level="account", account="sys", database="*", length=1, unit="d"):
    return {"pitr_name": name, "created_time": "2026-12-01 00:00:00", "modified_time": "2026-12-01 00:00:00",
            "pitr_level": level, "account_name": account, "database_name": database, "table_name": "*",
            "pitr_length": length, "pitr_unit": unit}


class Clock:
    shown_zone = _time.UTC
    now = NOW


class Server:
    def require(self, capability, what=None):
        assert capability == "pitr"


class FakeMo:
    def __init__(self, rows, check_mode=False, **params):
        self.params = dict(dict(name="p1", state="present", level=None, account=None, database=None, table=None,
                                range_value=1, range_unit="d", replace=False, server_timezone=None), **params)
        self.rows, self.check_mode = rows, check_mode
        self.sent, self.recorded, self.server, self.doing, self.login_account = [], [], Server(), "", "sys"

    def server_clock(self, given=None):
        return Clock()

    def query(self, statement, record=True, conn=None):
        if statement.sql.startswith("SHOW PITR"):
            return [r for r in self.rows if "WHERE" not in statement.sql or r["pitr_name"] in statement.params]
        self.sent.append(statement.display)
        return []

    def would_run(self, statement):
        self.recorded.append(statement.display)

    change = _module.MoModule.change  # the shell's own gate: recorded in check mode, else sent


def run(mo):
    return _pitr_task.ensure(mo, _pitr_task.validate(mo.params, mo.login_account))


def test_a_missing_pitr_is_created_and_check_mode_predicts_it_without_sending():
    mo = FakeMo([], check_mode=True)
    changed, result = run(mo)
    assert changed and mo.sent == [] and len(mo.recorded) == 1 and mo.recorded[0].startswith("CREATE PITR `p1` FOR ACCOUNT `sys`")
    assert result["pitr"]["created"] is None and result["pitr"]["range_value"] == 1
    real = FakeMo([])
    assert run(real)[0] and real.sent == mo.recorded


def test_the_same_pitr_is_kept_and_another_range_is_altered():
    kept = FakeMo([row("p1")])
    changed, result = run(kept)
    assert not changed and kept.sent == [] and result["pitr"]["name"] == "p1"
    longer = FakeMo([row("p1")], range_value=7)
    changed, result = run(longer)
    assert changed and longer.sent == ["ALTER PITR `p1` RANGE 7 'd'"]


def test_another_definition_is_replaced_only_when_asked():
    with pytest.raises(_errors.MoError, match="PITR p1 already covers something else"):
        run(FakeMo([row("p1", level="cluster", account="*")]))
    replaced = FakeMo([row("p1", level="cluster", account="*")], replace=True)
    assert run(replaced)[0] and [s.split()[0:2] for s in replaced.sent] == [["DROP", "PITR"], ["CREATE", "PITR"]]


def test_a_second_pitr_of_the_same_object_is_refused_before_sending():
    mo = FakeMo([row("other")])
    with pytest.raises(_errors.MoError, match=r"account sys already has a PITR \(other\)"):
        run(mo)
    assert mo.sent == []


def test_absent_drops_only_what_exists():
    gone = FakeMo([], state="absent")
    assert run(gone) == (False, {"diff": {"before": {}, "after": {}}}) and gone.sent == []
    present = FakeMo([row("p1")], state="absent")
    assert run(present)[0] and present.sent == ["DROP PITR IF EXISTS `p1`"]


def test_a_bad_range_is_refused_before_any_sql():
    with pytest.raises(_errors.InvalidInput, match="range_value must be 1 to 100, got 0"):
        _pitr_task.validate(FakeMo([], range_value=0).params, "sys")
