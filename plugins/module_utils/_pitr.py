# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PITR records, ranges and windows, and timestamps in the server's time zone (pure; SQL text is in _sql)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.matrixone.backup.plugins.module_utils import _snapshots, _sql

UTC = datetime.timezone.utc
UNIT_SECONDS = {"h": 3600, "d": 86400, "mo": 30 * 86400, "y": 365 * 86400}


def zone(name, param):
    """A time zone by IANA name (or UTC / +08:00 offsets); InvalidInput naming param when unknown."""
    if name in (None, "", "UTC", "utc", "Z"):
        return UTC
    m = re.match(r"^([+-])(\d\d):?(\d\d)$", name)
    if m:
        sign = 1 if m.group(1) == "+" else -1
        return datetime.timezone(sign * datetime.timedelta(hours=int(m.group(2)), minutes=int(m.group(3))))
    try:
        from zoneinfo import ZoneInfo  # pylint: disable=import-outside-toplevel
        return ZoneInfo(name)
    except ImportError:
        raise _sql.InvalidInput("%s=%s needs Python 3.9+ zoneinfo; give an offset such as +08:00" % (param, name))
    except Exception:  # zoneinfo raises ZoneInfoNotFoundError (a KeyError) or ValueError
        raise _sql.InvalidInput("%s=%r is not a known time zone (use an IANA name such as Asia/Shanghai, or an "
                                "offset such as +08:00; IANA names need the tzdata package)" % (param, name))


class Clock:
    """The server's current time (aware UTC) and its zones for PITR times, read with _sql.server_clock().

    MatrixOne prints SHOW PITR times in the session's time zone and reads a PITR restore time in the zone of its
    processes; the two are the same when the session's time_zone is SYSTEM (the default)."""

    def __init__(self, now, shown_zone, restore_zone):
        self.now = now
        self.shown_zone = shown_zone
        self._restore_zone = restore_zone

    def restore_zone(self):
        if self._restore_zone is None:
            raise _sql.InvalidInput("this server's session time_zone is not SYSTEM, so the zone in which it reads a "
                                    "PITR restore time (its processes' zone) cannot be detected: set server_timezone")
        return self._restore_zone


def _server_datetime(value):
    if isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.fromisoformat(str(value).strip().replace(" ", "T", 1))


def offset_text(delta):
    minutes = int(delta.total_seconds() // 60)
    return "UTC%s%02d:%02d" % ("-" if minutes < 0 else "+", abs(minutes) // 60, abs(minutes) % 60)


def clock(row, given=None, param="server_timezone"):
    """The Clock from a server_clock() row. A given server_timezone must show the offset the server's clock shows."""
    local, utc = _server_datetime(row["now_local"]), _server_datetime(row["now_utc"])
    offset = datetime.timedelta(seconds=round((local - utc).total_seconds() / 900.0) * 900)
    now = (local - offset).replace(tzinfo=UTC)
    session_zone = datetime.timezone(offset) if offset else UTC
    system = str(row["time_zone"] or "").upper() == "SYSTEM"
    if given in (None, ""):
        return Clock(now, session_zone, session_zone if system else None)
    chosen = zone(given, param)
    if system and now.astimezone(chosen).utcoffset() != offset:
        given_offset = offset_text(now.astimezone(chosen).utcoffset())
        raise _sql.InvalidInput("%s=%s is %s now, but the server's clock is %s (NOW() - UTC_TIMESTAMP()); leave %s "
                                "unset to use the server's zone"
                                % (param, given, given_offset, offset_text(offset), param))
    return Clock(now, chosen if system else session_zone, chosen)


def parse_timestamp(value, timezone, param="timestamp", now=None):
    """An ISO-8601 time with a zone, a naive one read in `timezone`, or a duration before now ('15m', '2h', as
    newer_than takes) -> aware UTC datetime."""
    if _snapshots.is_duration(value):
        return (now or datetime.datetime.now(UTC)) - datetime.timedelta(seconds=_snapshots.parse_duration(value, param))
    try:
        dt = _snapshots.parse_iso(value)
    except ValueError:
        raise _sql.InvalidInput("%s=%r is neither an ISO-8601 time such as 2026-01-31T12:00:00+08:00 nor a duration "
                                "before now such as 15m" % (param, value))
    if dt.tzinfo is None:
        if timezone is None:
            raise _sql.InvalidInput("%s=%r has no time zone: add one (Z, +08:00) or set timezone" % (param, value))
        dt = dt.replace(tzinfo=zone(timezone, "timezone"))
    return dt.astimezone(UTC)


def server_text(dt, server_zone):
    """What MatrixOne expects: 'YYYY-MM-DD HH:MM:SS[.ffffff]' in the server's own zone."""
    local = dt.astimezone(server_zone)
    text = local.strftime("%Y-%m-%d %H:%M:%S")
    if local.microsecond:
        text += (".%06d" % local.microsecond).rstrip("0")
    return text


def parse_server_time(text, server_zone):
    """SHOW PITR times ('YYYY-MM-DD HH:MM:SS' in the server's zone) -> aware UTC datetime."""
    if isinstance(text, datetime.datetime):
        dt = text
    else:
        dt = datetime.datetime.strptime(str(text)[:19], "%Y-%m-%d %H:%M:%S")
    return dt.replace(tzinfo=server_zone).astimezone(UTC)


def from_row(row, server_zone, now=None):
    """A SHOW PITR row (labels lower-cased) -> the record mo_pitr and mo_pitr_info return."""
    def name(value):
        return None if value in (None, "", "*") else value
    created = parse_server_time(row["created_time"], server_zone)
    modified = parse_server_time(row["modified_time"], server_zone)
    record = {
        "name": row["pitr_name"],
        "level": row["pitr_level"],
        "account": name(row["account_name"]),
        "database": name(row["database_name"]),
        "table": name(row["table_name"]),
        "range_value": int(row["pitr_length"]),
        "range_unit": row["pitr_unit"],
        "created": _snapshots.iso_utc(created),
        "modified": _snapshots.iso_utc(modified),
    }
    if now is not None:
        start = max(modified, now - datetime.timedelta(seconds=record["range_value"] * UNIT_SECONDS[record["range_unit"]]))
        record["window"] = {"start": _snapshots.iso_utc(start), "end": _snapshots.iso_utc(now)}
    return record


def check_in_window(when, record, now):
    """Refuse a restore point outside the PITR's window before anything is sent."""
    modified = _snapshots.parse_iso(record["modified"])
    earliest = now - datetime.timedelta(seconds=record["range_value"] * UNIT_SECONDS[record["range_unit"]])
    iso = _snapshots.iso_utc(when)
    if when > now:
        raise _sql.InvalidInput("timestamp %s is in the future (now %s)" % (iso, _snapshots.iso_utc(now)))
    if when < modified:
        raise _sql.InvalidInput("timestamp %s is before PITR %s was created or last changed (%s); it cannot restore "
                                "to that time" % (iso, record["name"], record["modified"]))
    if when < earliest:
        raise _sql.InvalidInput("timestamp %s is outside PITR %s's range of %d%s (earliest %s)"
                                % (iso, record["name"], record["range_value"], record["range_unit"],
                                   _snapshots.iso_utc(earliest)))


def validate_range(value, unit):
    if value is None or not 1 <= int(value) <= 100:
        raise _sql.InvalidInput("range_value must be 1 to 100, got %r" % (value,))
    if unit not in UNIT_SECONDS:
        raise _sql.InvalidInput("range_unit must be one of h, d, mo, y; got %r" % (unit,))
