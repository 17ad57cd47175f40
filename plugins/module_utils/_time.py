# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Time: MatrixOne's timestamp texts, ISO-8601, durations, time zones, the server's clock, and a Point (the moment
a scope is read at: now, a snapshot or a timestamp). Only _sql turns a Point into SQL text."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import datetime
import re

from ansible_collections.matrixone.backup.plugins.module_utils import _errors


UTC = datetime.timezone.utc
_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d|w)\s*$")


_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_mo_timestamp(text):
    """MatrixOne's 'YYYY-MM-DD HH:MM:SS[.fraction]' (UTC, 0-9 digits) -> aware datetime (microseconds)."""
    text = str(text)
    base, _sep, frac = text.partition(".")
    dt = datetime.datetime.strptime(base, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    if frac:
        dt = dt.replace(microsecond=int((frac + "000000")[:6]))
    return dt


def mo_timestamp_to_iso(text):
    """Keep every digit MatrixOne gave: '2024-05-10 02:06:08.01635' -> '2024-05-10T02:06:08.01635Z'."""
    return str(text).replace(" ", "T", 1) + "Z"


def to_mo_timestamp(dt):
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f").rstrip("0").rstrip(".")


def parse_duration(value, param):
    m = _DURATION.match(str(value))
    if not m:
        raise _errors.InvalidInput("%s=%r is not a duration: use a number and a unit s, m, h, d or w (e.g. 7d)"
                                   % (param, value))
    return int(m.group(1)) * _UNIT_SECONDS[m.group(2)]


def is_duration(value):
    return bool(_DURATION.match(str(value)))


def iso_utc(dt):
    """An aware datetime as ISO-8601 UTC with a Z ('2026-01-31T12:00:00.5Z'), as every module returns times."""
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_iso(text):
    """ISO-8601 text ('Z' or an offset, or none) -> datetime (ValueError when it is not ISO-8601)."""
    text = str(text).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return datetime.datetime.fromisoformat(text.replace(" ", "T", 1) if len(text) > 10 else text)


def parse_point_in_time(value, param, now):
    """A duration ('7d' = seven days before now) or an ISO-8601 time with a zone -> aware UTC datetime."""
    if _DURATION.match(str(value)):
        return now - datetime.timedelta(seconds=parse_duration(value, param))
    try:
        dt = parse_iso(value)
    except ValueError:
        raise _errors.InvalidInput("%s=%r is neither a duration (7d) nor an ISO-8601 time "
                                   "(2026-01-31T12:00:00Z)" % (param, value))
    if dt.tzinfo is None:
        raise _errors.InvalidInput("%s=%r has no time zone: add Z or an offset such as +08:00" % (param, value))
    return dt.astimezone(UTC)


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
        raise _errors.InvalidInput("%s=%s needs Python 3.9+ zoneinfo; give an offset such as +08:00" % (param, name))
    except Exception:  # zoneinfo raises ZoneInfoNotFoundError (a KeyError) or ValueError
        raise _errors.InvalidInput("%s=%r is not a known time zone (use an IANA name such as Asia/Shanghai, or an "
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
            raise _errors.InvalidInput("this server's session time_zone is not SYSTEM, so the zone in which it reads a "
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
        raise _errors.InvalidInput("%s=%s is %s now, but the server's clock is %s (NOW() - UTC_TIMESTAMP()); leave %s "
                                   "unset to use the server's zone"
                                   % (param, given, given_offset, offset_text(offset), param))
    return Clock(now, chosen if system else session_zone, chosen)


def parse_timestamp(value, timezone, param="timestamp", now=None):
    """An ISO-8601 time with a zone, a naive one read in `timezone`, or a duration before now ('15m', '2h', as
    newer_than takes) -> aware UTC datetime."""
    if is_duration(value):
        return (now or datetime.datetime.now(UTC)) - datetime.timedelta(seconds=parse_duration(value, param))
    try:
        dt = parse_iso(value)
    except ValueError:
        raise _errors.InvalidInput("%s=%r is neither an ISO-8601 time such as 2026-01-31T12:00:00+08:00 nor a duration "
                                   "before now such as 15m" % (param, value))
    if dt.tzinfo is None:
        if timezone is None:
            raise _errors.InvalidInput("%s=%r has no time zone: add one (Z, +08:00) or set timezone" % (param, value))
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


def timestamp_ns(iso):
    """'2024-05-10T02:06:08.01635Z' -> nanoseconds since the epoch, exactly (for {MO_TS = n} reads)."""
    base, _sep, frac = iso.rstrip("Z").partition(".")
    dt = datetime.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S")
    return calendar.timegm(dt.timetuple()) * 1000000000 + int((frac + "000000000")[:9])


def snapshot_time(snap):
    """The point an account reads its own snapshot at (snap: a _snapshots row): the snapshot's exact time.
    {MO_TS = t} reads what {SNAPSHOT = s} reads there (the snapshot keeps it), but MatrixOne looks a snapshot's name
    up for each table read: over 1,000 tables on real v3.0.18 a restore's preview and verification took about
    0.5 s less. Statements that restore or clone still name the snapshot."""
    return Point(ts_ns=timestamp_ns(snap["timestamp"]))


class Point:
    """A moment a scope is read at: now (neither given), a snapshot by name (readable by the account that holds it)
    or a time in nanoseconds since the epoch (readable by any account whose data a snapshot or PITR keeps then).
    Only _sql.at() turns it into SQL text."""

    def __init__(self, snapshot=None, ts_ns=None):
        self.snapshot = snapshot
        self.ts_ns = None if ts_ns is None else int(ts_ns)

    @property
    def is_now(self):
        return self.snapshot is None and self.ts_ns is None

    def __eq__(self, other):
        return isinstance(other, Point) and (self.snapshot, self.ts_ns) == (other.snapshot, other.ts_ns)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((self.snapshot, self.ts_ns))

    def __repr__(self):
        return "Point(now)" if self.is_now else "Point(%s)" % (self.snapshot or self.ts_ns)


NOW = Point()
