# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _module, _snapshot_task, _snapshots, _sql

DESIRED = {"level": "account", "account": "sys", "database": None, "table": None}
EXISTING = dict(DESIRED, name="nightly_1", timestamp="2026-12-05 01:00:00", timestamp_utc="2026-12-05T01:00:00Z")


class FakeMo:
    def __init__(self, check_mode=False, create_error=None, **params):
        self.params = dict(dict(name="nightly_1", state="present", replace=False, max_age=None, retain=None,
                                retain_prefix=None), **params)
        self.check_mode = check_mode
        self.create_error = create_error
        self.sent, self.recorded = [], []
        self.doing = ""
        self.login_account = "sys"

    def query(self, statement, record=True, conn=None):
        self.sent.append(statement.display)
        if statement.sql.startswith("CREATE SNAPSHOT") and self.create_error:
            raise self.create_error
        return []

    def would_run(self, statement):
        self.recorded.append(statement.display)

    change = _module.MoModule.change  # the shell's own gate: recorded in check mode, else sent


@pytest.fixture(autouse=True)
def listed(monkeypatch):
    """What SHOW SNAPSHOTS answers after a statement: the snapshot once it was created."""
    monkeypatch.setattr(_snapshots, "find", lambda mo, name: EXISTING if any(
        s.startswith("CREATE SNAPSHOT") for s in mo.sent) else None)


def test_an_existing_snapshot_of_the_same_definition_is_kept():
    changed, result = _snapshot_task.present(FakeMo(), "nightly_1", DESIRED, EXISTING)
    assert not changed and result["snapshot"] == EXISTING and result["retained_dropped"] == []


def test_another_definition_is_refused_unless_replace():
    other = dict(EXISTING, level="cluster", account=None)
    with pytest.raises(_errors.MoError, match="already exists with another definition .level: cluster -> account"):
        _snapshot_task.present(FakeMo(), "nightly_1", DESIRED, other)
    mo = FakeMo(replace=True)
    changed, result = _snapshot_task.present(mo, "nightly_1", DESIRED, other)
    assert changed and mo.sent[:2] == ["DROP SNAPSHOT `nightly_1`", "CREATE SNAPSHOT `nightly_1` FOR ACCOUNT `sys`"]


def test_check_mode_predicts_the_statements_and_sends_none_that_write():
    mo = FakeMo(check_mode=True)
    changed, result = _snapshot_task.present(mo, "nightly_1", DESIRED, None)
    assert changed and result["snapshot"]["name"] == "nightly_1" and result["snapshot"]["timestamp"] is None
    assert mo.recorded == ["CREATE SNAPSHOT `nightly_1` FOR ACCOUNT `sys`"]
    assert not [s for s in mo.sent if not s.startswith("SELECT")]


def test_a_lost_creation_race_with_the_same_definition_is_no_change(monkeypatch):
    monkeypatch.setattr(_snapshots, "lost_creation_race", lambda code, text: True)
    monkeypatch.setattr(_snapshots, "find", lambda mo, name: EXISTING)
    mo = FakeMo(create_error=_errors.SqlError(20101, "snapshot nightly_1 already exists", _sql.Statement("x")))
    created, changed = _snapshot_task.create(mo, "nightly_1", DESIRED)
    assert created == EXISTING and not changed


def test_the_quota_is_named_with_what_to_do():
    mo = FakeMo(create_error=_errors.SqlError(
        20101, "internal error: feature SNAPSHOT with scope account has reached the limit of 50", _sql.Statement("x")))
    with pytest.raises(_errors.MoError, match="snapshot quota: .* Drop old snapshots first"):
        _snapshot_task.create(mo, "nightly_1", DESIRED)


def test_absent_drops_only_the_snapshot_the_task_describes():
    mo = FakeMo(state="absent")
    assert _snapshot_task.absent(mo, "nightly_1", DESIRED, None) == (False, {"diff": {"before": {}, "after": {}}})
    with pytest.raises(_errors.MoError, match="not dropping it"):
        _snapshot_task.absent(mo, "nightly_1", dict(DESIRED, level="cluster", account=None), EXISTING)
    changed, _result = _snapshot_task.absent(mo, "nightly_1", DESIRED, EXISTING)
    assert changed and mo.sent == ["DROP SNAPSHOT IF EXISTS `nightly_1`"]
