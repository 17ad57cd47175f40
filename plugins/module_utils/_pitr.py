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


def parse_timestamp(value, timezone, param="timestamp", now=None):
    """An ISO-8601 time with a zone, a naive one read in `timezone`, or a duration before now ('15m', '2h', as
    newer_than takes) -> aware UTC datetime."""
    if _snapshots.is_duration(value):
        return (now or datetime.datetime.now(UTC)) - datetime.timedelta(seconds=_snapshots.parse_duration(value, param))
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.datetime.fromisoformat(text.replace(" ", "T", 1) if len(text) > 10 else text)
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
        "created": created.isoformat().replace("+00:00", "Z"),
        "modified": modified.isoformat().replace("+00:00", "Z"),
    }
    if now is not None:
        start = max(modified, now - datetime.timedelta(seconds=record["range_value"] * UNIT_SECONDS[record["range_unit"]]))
        record["window"] = {"start": start.isoformat().replace("+00:00", "Z"),
                            "end": now.isoformat().replace("+00:00", "Z")}
    return record


def check_in_window(when, record, now):
    """Refuse a restore point outside the PITR's window before anything is sent."""
    modified = datetime.datetime.fromisoformat(record["modified"].replace("Z", "+00:00"))
    earliest = now - datetime.timedelta(seconds=record["range_value"] * UNIT_SECONDS[record["range_unit"]])
    iso = when.isoformat().replace("+00:00", "Z")
    if when > now:
        raise _sql.InvalidInput("timestamp %s is in the future (now %s)" % (iso, now.isoformat().replace("+00:00", "Z")))
    if when < modified:
        raise _sql.InvalidInput("timestamp %s is before PITR %s was created or last changed (%s); it cannot restore "
                                "to that time" % (iso, record["name"], record["modified"]))
    if when < earliest:
        raise _sql.InvalidInput("timestamp %s is outside PITR %s's range of %d%s (earliest %s)"
                                % (iso, record["name"], record["range_value"], record["range_unit"],
                                   earliest.isoformat().replace("+00:00", "Z")))


def definition(record):
    return dict((k, record.get(k)) for k in ("level", "account", "database", "table"))


def validate_range(value, unit):
    if value is None or not 1 <= int(value) <= 100:
        raise _sql.InvalidInput("range_value must be 1 to 100, got %r" % (value,))
    if unit not in UNIT_SECONDS:
        raise _sql.InvalidInput("range_unit must be one of h, d, mo, y; got %r" % (unit,))
