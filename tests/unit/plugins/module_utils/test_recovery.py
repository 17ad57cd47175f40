# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _recovery, _time

NOW = datetime.datetime(2026, 12, 5, 12, 0, 0, tzinfo=_time.UTC)


def params(**kw):
    return dict(dict(level=None, account=None, database=None, table=None), **kw)


def snap(name, level, hour, account="sys", database=None, table=None):
    when = "2026-12-05T%02d:00:00.000000Z" % hour
    return {"name": name, "level": level, "account": account, "database": database, "table": table,
            "timestamp": when, "timestamp_utc": when}


def pitr(name, level, start_hour, account="sys", database=None, table=None):
    return {"name": name, "level": level, "account": account, "database": database, "table": table,
            "window": {"start": "2026-12-05T%02d:00:00Z" % start_hour, "end": _time.iso_utc(NOW)}}


def test_the_target_is_the_narrowest_level_named():
    assert _recovery.target_of(params(database="shop", table="orders"), "sys") == {
        "level": "table", "account": "sys", "database": "shop", "table": "orders"}
    assert _recovery.target_of(params(database="shop"), "acc1")["level"] == "database"
    assert _recovery.target_of(params(), "acc1") == {"level": "account", "account": "acc1", "database": None,
                                                     "table": None}
    assert _recovery.target_of(params(level="cluster"), "sys")["account"] is None
    with pytest.raises(_errors.InvalidInput, match="level=table needs database and table"):
        _recovery.target_of(params(level="table", database="shop"), "sys")
    with pytest.raises(_errors.InvalidInput, match="database and table are not used with level=account"):
        _recovery.target_of(params(level="account", database="shop"), "sys")


@pytest.mark.parametrize("source, target, expected", [
    (snap("c", "cluster", 1, account=None), "orders", True),
    (snap("a", "account", 1), "orders", True),
    (snap("a2", "account", 1, account="acc1"), "orders", False),
    (snap("d", "database", 1, database="shop"), "orders", True),
    (snap("d2", "database", 1, database="crm"), "orders", False),
    (snap("t", "table", 1, database="shop", table="orders"), "orders", True),
    (snap("t2", "table", 1, database="shop", table="items"), "orders", False),
    (snap("t", "table", 1, database="shop", table="orders"), "shop", False),
    (snap("d", "database", 1, database="shop"), "sys", False),
    (snap("a", "account", 1), "cluster", False),
    (snap("c", "cluster", 1, account=None), "cluster", True),
])
def test_what_covers_a_target(source, target, expected):
    targets = {"orders": {"level": "table", "account": "sys", "database": "shop", "table": "orders"},
               "shop": {"level": "database", "account": "sys", "database": "shop", "table": None},
               "sys": {"level": "account", "account": "sys", "database": None, "table": None},
               "cluster": {"level": "cluster", "account": None, "database": None, "table": None}}
    assert _recovery.covers(source, targets[target]) is expected


def test_the_catalog_of_a_database_lists_snapshots_pitr_and_backups_newest_first():
    target = {"level": "database", "account": "sys", "database": "shop", "table": None}
    found = _recovery.catalog(
        target,
        [snap("n_08", "database", 8, database="shop"), snap("crm_09", "database", 9, database="crm"),
         snap("acc_10", "account", 10)],
        [pitr("p_shop", "database", 2, database="shop"), pitr("p_crm", "database", 1, database="crm")],
        [{"name": "full-1", "location": "/b/full-1", "time": "2026-12-04T23:00:00.000000Z", "depends_on": []}],
        NOW)
    assert [(p["kind"], p["name"]) for p in found["points"]] == [
        ("pitr", "p_shop"), ("snapshot", "acc_10"), ("snapshot", "n_08"), ("backup", "full-1")]
    assert found["newest"] == "2026-12-05T12:00:00Z" and found["rpo_seconds"] == 0
    assert found["oldest"] == "2026-12-04T23:00:00.000000Z"
    assert found["points"][0]["restore_with"] == {"pitr": "p_shop"} and found["points"][0]["oldest"].startswith(
        "2026-12-05T02")
    assert found["points"][3]["restore_with"] == {"path": "/b/full-1"}


def test_without_a_pitr_the_rpo_is_the_age_of_the_newest_snapshot_and_nothing_is_none():
    target = {"level": "account", "account": "sys", "database": None, "table": None}
    found = _recovery.catalog(target, [snap("acc_10", "account", 10)], [], [], NOW)
    assert found["rpo_seconds"] == 7200 and found["newest"] == "2026-12-05T10:00:00.000000Z"
    assert _recovery.catalog(target, [], [], [], NOW) == {"points": [], "newest": None, "oldest": None,
                                                          "rpo_seconds": None}
