# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _pitr, _sql, _time

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 1, 31, 12, 0, 0, tzinfo=UTC)


def test_zones():
    assert _time.zone("UTC", "x") is UTC and _time.zone(None, "x") is UTC
    assert _time.zone("+08:00", "x").utcoffset(None) == datetime.timedelta(hours=8)
    assert _time.zone("-0530", "x").utcoffset(None) == -datetime.timedelta(hours=5, minutes=30)
    assert _time.zone("Asia/Shanghai", "x").utcoffset(datetime.datetime(2026, 1, 1)) == datetime.timedelta(hours=8)
    with pytest.raises(_errors.InvalidInput, match="server_timezone='Mars/Olympus' is not a known time zone"):
        _time.zone("Mars/Olympus", "server_timezone")


@pytest.mark.parametrize("value, tz, expected", [
    ("2026-01-31T20:00:00+08:00", None, datetime.datetime(2026, 1, 31, 12, tzinfo=UTC)),
    ("2026-01-31T12:00:00Z", None, datetime.datetime(2026, 1, 31, 12, tzinfo=UTC)),
    ("2026-01-31 20:00:00", "Asia/Shanghai", datetime.datetime(2026, 1, 31, 12, tzinfo=UTC)),
    ("2026-01-31 12:00:00.25", "UTC", datetime.datetime(2026, 1, 31, 12, 0, 0, 250000, tzinfo=UTC)),
])
def test_parse_timestamp(value, tz, expected):
    assert _time.parse_timestamp(value, tz) == expected


def test_parse_timestamp_errors():
    with pytest.raises(_errors.InvalidInput, match="has no time zone"):
        _time.parse_timestamp("2026-01-31 12:00:00", None)
    with pytest.raises(_errors.InvalidInput, match="is neither an ISO-8601 time"):
        _time.parse_timestamp("yesterday", "UTC")


def test_server_text_is_local_to_the_server():
    dt = datetime.datetime(2026, 1, 31, 12, 0, 0, 500000, tzinfo=UTC)
    assert _time.server_text(dt, _time.zone("Asia/Shanghai", "x")) == "2026-01-31 20:00:00.5"
    assert _time.server_text(dt.replace(microsecond=0), UTC) == "2026-01-31 12:00:00"


def row(level="account", account="sys", database="*", table="*", length=1, unit="d",
        created="2026-01-31 19:00:00", modified="2026-01-31 19:30:00"):
    return {"pitr_name": "p", "created_time": created, "modified_time": modified, "pitr_level": level,
            "account_name": account, "database_name": database, "table_name": table, "pitr_length": length,
            "pitr_unit": unit}


def test_from_row_converts_server_times_and_computes_the_window():
    record = _pitr.from_row(row(), _time.zone("+08:00", "x"), NOW)
    assert record["created"] == "2026-01-31T11:00:00Z" and record["modified"] == "2026-01-31T11:30:00Z"
    assert record["database"] is None and record["table"] is None
    assert record["window"] == {"start": "2026-01-31T11:30:00Z", "end": "2026-01-31T12:00:00Z"}
    old = _pitr.from_row(row(length=1, unit="h", modified="2026-01-01 00:00:00"), UTC, NOW)
    assert old["window"]["start"] == "2026-01-31T11:00:00Z"


def test_window_checks():
    record = _pitr.from_row(row(length=1, unit="h", modified="2026-01-31 11:30:00"), UTC, NOW)
    _pitr.check_in_window(NOW - datetime.timedelta(minutes=10), record, NOW)
    with pytest.raises(_errors.InvalidInput, match="is in the future"):
        _pitr.check_in_window(NOW + datetime.timedelta(seconds=1), record, NOW)
    with pytest.raises(_errors.InvalidInput, match="before PITR p was created or last changed"):
        _pitr.check_in_window(NOW - datetime.timedelta(minutes=40), record, NOW)
    record = _pitr.from_row(row(length=1, unit="h", modified="2026-01-30 00:00:00"), UTC, NOW)
    with pytest.raises(_errors.InvalidInput, match="outside PITR p's range of 1h"):
        _pitr.check_in_window(NOW - datetime.timedelta(hours=2), record, NOW)


@pytest.mark.parametrize("value, unit, ok", [(1, "h", True), (100, "y", True), (0, "d", False), (101, "d", False),
                                             (5, "w", False), (None, "d", False)])
def test_range_validation(value, unit, ok):
    if ok:
        _pitr.validate_range(value, unit)
    else:
        with pytest.raises(_errors.InvalidInput):
            _pitr.validate_range(value, unit)


@pytest.mark.parametrize("args, expected", [
    (("p", "cluster", 1, "h"), "CREATE PITR `p` FOR CLUSTER RANGE 1 'h'"),
    (("p", "account", 7, "d", "acc1"), "CREATE PITR `p` FOR ACCOUNT `acc1` RANGE 7 'd'"),
    (("p", "database", 2, "mo", None, "db"), "CREATE PITR `p` FOR DATABASE `db` RANGE 2 'mo'"),
    (("p", "table", 1, "y", None, "db", "t"), "CREATE PITR `p` FOR DATABASE `db` TABLE `t` RANGE 1 'y'"),
])
def test_pitr_statements(args, expected):
    assert _sql.create_pitr(*args).sql == expected
    assert _sql.alter_pitr("p", 3, "d").sql == "ALTER PITR `p` RANGE 3 'd'"
    assert _sql.drop_pitr("p", if_exists=True).sql == "DROP PITR IF EXISTS `p`"
    assert _sql.show_pitr("p").params == ("p",)


@pytest.mark.parametrize("args, expected", [
    (("cluster", "p", "2026-01-31 20:00:00"), "RESTORE CLUSTER FROM PITR `p` '2026-01-31 20:00:00'"),
    (("account", "p", "2026-01-31 20:00:00", "acc1"), "RESTORE ACCOUNT `acc1` FROM PITR `p` '2026-01-31 20:00:00'"),
    (("database", "p", "2026-01-31 20:00:00", "sys", "db"), "RESTORE DATABASE `db` FROM PITR `p` '2026-01-31 20:00:00'"),
    (("table", "p", "2026-01-31 20:00:00", "sys", "db", "t"),
     "RESTORE DATABASE `db` TABLE `t` FROM PITR `p` '2026-01-31 20:00:00'"),
])
def test_restore_pitr_statements(args, expected):
    assert _sql.restore_pitr(*args).sql == expected


def test_parse_timestamp_takes_a_duration_before_now():
    now = datetime.datetime(2026, 1, 31, 12, 0, tzinfo=datetime.timezone.utc)
    expected = datetime.datetime(2026, 1, 31, 11, 45, tzinfo=datetime.timezone.utc)
    assert _time.parse_timestamp("15m", None, now=now) == expected
    assert _time.parse_timestamp(" 2h ", "Asia/Shanghai", now=now).hour == 10


# NOW(), UTC_TIMESTAMP() and @@time_zone as real MatrixOne v4.1.4 answered them, started with TZ=Asia/Shanghai
SHANGHAI_ROW = {"time_zone": "SYSTEM", "now_local": datetime.datetime(2026, 11, 29, 5, 29, 1, 682271),
                "now_utc": datetime.datetime(2026, 11, 28, 21, 29, 2)}


def test_clock_reads_the_servers_zone_and_time():
    clock = _time.clock(SHANGHAI_ROW)
    assert clock.now == datetime.datetime(2026, 11, 28, 21, 29, 1, 682271, tzinfo=_time.UTC)
    assert clock.shown_zone.utcoffset(None) == datetime.timedelta(hours=8)
    assert clock.restore_zone() is clock.shown_zone
    assert _time.server_text(clock.now, clock.restore_zone()) == "2026-11-29 05:29:01.682271"
    # the test server answers with text
    text = _time.clock({"time_zone": "SYSTEM", "now_local": "2026-11-28 21:29:01.5", "now_utc": "2026-11-28 21:29:01"})
    assert text.shown_zone is _time.UTC


def test_a_given_zone_must_match_the_servers_clock():
    assert _time.clock(SHANGHAI_ROW, "Asia/Shanghai").restore_zone().key == "Asia/Shanghai"
    assert _time.clock(SHANGHAI_ROW, "+08:00").restore_zone().utcoffset(None) == datetime.timedelta(hours=8)
    with pytest.raises(_errors.InvalidInput, match=r"server_timezone=UTC is UTC\+00:00 now, but the server's clock is "
                       r"UTC\+08:00"):
        _time.clock(SHANGHAI_ROW, "UTC")


def test_a_session_zone_other_than_system_hides_the_restore_zone():
    row = dict(SHANGHAI_ROW, time_zone="+01:00", now_local=datetime.datetime(2026, 11, 28, 22, 29, 1, 682271))
    clock = _time.clock(row)  # SHOW PITR prints in the session's zone, a restore time is read in the process zone
    assert clock.shown_zone.utcoffset(None) == datetime.timedelta(hours=1)
    with pytest.raises(_errors.InvalidInput, match="cannot be detected: set server_timezone"):
        clock.restore_zone()
    given = _time.clock(row, "Asia/Shanghai")
    assert given.shown_zone.utcoffset(None) == datetime.timedelta(hours=1)
    assert given.restore_zone().key == "Asia/Shanghai"
