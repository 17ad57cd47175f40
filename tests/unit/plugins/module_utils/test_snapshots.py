# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _scope, _snapshots, _time

UTC = _time.UTC
NOW = datetime.datetime(2026, 2, 1, 12, 0, 0, tzinfo=UTC)


def test_timestamps_keep_server_precision():
    assert _time.mo_timestamp_to_iso("2024-05-10 02:06:08.01635") == "2024-05-10T02:06:08.01635Z"
    dt = _time.parse_mo_timestamp("2025-11-28 11:11:54.766991999")
    assert dt == datetime.datetime(2025, 11, 28, 11, 11, 54, 766991, tzinfo=UTC)
    assert _time.parse_mo_timestamp("2025-11-28 11:11:54") .microsecond == 0
    assert _time.to_mo_timestamp(datetime.datetime(2026, 1, 1, 8, 0, tzinfo=UTC)) == "2026-01-01 08:00:00"


@pytest.mark.parametrize("value, seconds", [("30s", 30), ("5m", 300), ("12h", 43200), ("7d", 604800),
                                            ("2w", 1209600), (" 1 d ", 86400)])
def test_durations(value, seconds):
    assert _time.parse_duration(value, "older_than") == seconds


def test_point_in_time_forms():
    assert _time.parse_point_in_time("1d", "newer_than", NOW) == NOW - datetime.timedelta(days=1)
    assert _time.parse_point_in_time("2026-01-31T20:00:00+08:00", "x", NOW) == \
        datetime.datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    assert _time.parse_point_in_time("2026-01-31T12:00:00Z", "x", NOW).hour == 12


@pytest.mark.parametrize("value, fragment", [("yesterday", "neither a duration"),
                                             ("2026-01-31T12:00:00", "no time zone"), ("7y", "neither")])
def test_point_in_time_errors_name_the_parameter(value, fragment):
    with pytest.raises(_errors.InvalidInput) as err:
        _time.parse_point_in_time(value, "older_than", NOW)
    assert "older_than" in str(err.value) and fragment in str(err.value)


def row(name, ts, level="account", account="sys", db="", table=""):
    return {"snapshot_name": name, "timestamp": ts, "snapshot_level": level, "account_name": account,
            "database_name": db, "table_name": table}


def test_from_row_maps_empty_strings_to_none_and_computes_age():
    snap = _snapshots.from_row(row("c", "2026-02-01 11:59:00", "cluster", ""), NOW)
    assert snap == {"name": "c", "timestamp": "2026-02-01T11:59:00Z", "level": "cluster", "account": None,
                    "database": None, "table": None, "age_seconds": 60,
                    "timestamp_utc": "2026-02-01T11:59:00.000000Z", "timestamp_epoch": 1769947140.0}


@pytest.mark.parametrize("params, expected", [
    ({"level": "cluster"}, {"level": "cluster", "account": None, "database": None, "table": None}),
    ({"level": "account"}, {"level": "account", "account": "acc1", "database": None, "table": None}),
    ({"level": "account", "account": "acc2"}, {"level": "account", "account": "acc2", "database": None,
                                               "table": None}),
    ({"level": "database", "database": "d"}, {"level": "database", "account": "acc1", "database": "d",
                                              "table": None}),
    ({"level": "table", "database": "d", "table": "t"}, {"level": "table", "account": "acc1", "database": "d",
                                                         "table": "t"}),
])
def test_desired_definition_matches_show_snapshots(params, expected):
    assert _scope.desired_definition(params, "acc1") == expected


def test_differences_say_what_differs():
    existing = {"level": "account", "account": "sys", "database": None, "table": None}
    desired = {"level": "database", "account": "sys", "database": "d", "table": None}
    assert _scope.differences(existing, desired) == ["level: account -> database", "database: (none) -> d"]
    assert _scope.differences(existing, existing) == []


def snaps(*specs):
    return [_snapshots.from_row(row(n, ts)) for n, ts in specs]


ALL = snaps(("s4", "2026-02-01 10:00:00"), ("s3", "2026-01-30 10:00:00"), ("s2", "2026-01-20 10:00:00"),
            ("s1", "2026-01-10 10:00:00"))


def names(items):
    return [s["name"] for s in items]


def test_prune_keep_newest():
    assert names(_snapshots.select_prune(ALL, {"keep_newest": 2})[0]) == ["s2", "s1"]
    assert names(_snapshots.select_prune(ALL, {"keep_newest": 0})[0]) == ["s4", "s3", "s2", "s1"]
    assert names(_snapshots.select_prune(ALL, {"keep_newest": 10})[0]) == []


def test_prune_older_than_and_both():
    cutoff = NOW - datetime.timedelta(days=7)
    assert names(_snapshots.select_prune(ALL, {}, cutoff)[0]) == ["s2", "s1"]
    assert names(_snapshots.select_prune(ALL, {"keep_newest": 3}, cutoff)[0]) == ["s1"]


def test_prune_orders_by_time_not_input_order():
    assert names(_snapshots.select_prune(list(reversed(ALL)), {"keep_newest": 1})[0]) == ["s3", "s2", "s1"]


def test_pattern_helpers():
    assert _snapshots.literal_prefix("guard_*_2026") == "guard_"
    assert _snapshots.literal_prefix("*x") == ""
    assert _snapshots.matches_pattern("guard_shop_1", "guard_*")
    assert not _snapshots.matches_pattern("guardian", "guard_*")


def test_build_query_narrows_pattern_to_a_literal_prefix():
    stmt, pattern = _snapshots.build_query({"pattern": "pre_*_x", "level": "database", "newer_than": "1h"}, NOW)
    assert pattern == "pre_*_x"
    assert "SUBSTRING(snapshot_name, 1, 4) = %s" in stmt.sql
    assert stmt.params == ("database", "pre_", "2026-02-01 11:00:00")


def test_build_query_validates_names():
    with pytest.raises(_errors.InvalidInput, match="account"):
        _snapshots.build_query({"account": "a'b"}, NOW)


@pytest.mark.parametrize("params, level, login, fragment", [
    ({"database": "d"}, "cluster", "sys", "database is not used with level=cluster"),
    ({}, "database", "sys", "level=database needs database"),
    ({"database": "d"}, "table", "sys", "level=table needs table"),
    ({"database": "d", "account": "acc2"}, "database", "acc1", "a database snapshot is always of the login account"),
    ({}, "cluster", "acc1", "level=cluster needs login_account=sys"),
    ({"account": "acc2"}, "account", "acc1", "only login_account=sys may snapshot another account"),
    ({"account": "a'b"}, "account", "sys", "account="),
])
def test_target_definition_refusals(params, level, login, fragment):
    with pytest.raises(_errors.InvalidInput) as err:
        _scope.target_definition(params, level, login)
    assert fragment in str(err.value)


def test_target_definition_wording_for_pitr():
    with pytest.raises(_errors.InvalidInput, match="only login_account=sys may cover another account"):
        _scope.target_definition({"account": "b"}, "account", "a", "PITR", "cover")
    assert _scope.target_definition({"database": "d"}, "database", "acc1", "PITR", "cover") == {
        "level": "database", "account": "acc1", "database": "d", "table": None}


@pytest.mark.parametrize("code, text, lost", [
    (20101, "internal error: snapshot s1 already exists", True),
    (1062, "Duplicate entry 's1' for key 'sname'", True),  # two creators past the check at once, real 3.0.18
    (1062, "Duplicate entry '1' for key 'id'", False),
    (20101, "internal error: feature SNAPSHOT with scope account has reached the limit of 1", False),
])
def test_lost_creation_race(code, text, lost):
    assert _snapshots.lost_creation_race(code, text) is lost


def test_filters_match_the_lower_cased_names_matrixone_stores():
    stmt, pattern = _snapshots.build_query({"name": "AWX_S1", "prefix": "AWX_", "pattern": "AWX_*", "account": "ACC1"},
                                           NOW)
    assert stmt.params == ("awx_s1", "acc1", "awx_") and pattern == "awx_*"


def test_snapshot_times_come_in_parseable_forms():
    snap = _snapshots.from_row({"snapshot_name": "s", "timestamp": "2024-05-10 02:06:08.20531487",
                                "snapshot_level": "account", "account_name": "sys"})
    assert snap["timestamp"] == "2024-05-10T02:06:08.20531487Z"  # the server's precision, kept
    assert datetime.datetime.strptime(snap["timestamp_utc"], "%Y-%m-%dT%H:%M:%S.%fZ") == \
        datetime.datetime(2024, 5, 10, 2, 6, 8, 205314)
    assert abs(snap["timestamp_epoch"] - 1715306768.205314) < 1e-6
