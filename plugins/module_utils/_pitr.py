# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PITR records, ranges and windows, and timestamps in the server's time _time.zone (pure; SQL text is in _sql)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _time

UNIT_SECONDS = {"h": 3600, "d": 86400, "mo": 30 * 86400, "y": 365 * 86400}


def from_row(row, server_zone, now=None):
    """A SHOW PITR row (labels lower-cased) -> the record mo_pitr and mo_pitr_info return."""
    def name(value):
        return None if value in (None, "", "*") else value
    created = _time.parse_server_time(row["created_time"], server_zone)
    modified = _time.parse_server_time(row["modified_time"], server_zone)
    record = {
        "name": row["pitr_name"],
        "level": row["pitr_level"],
        "account": name(row["account_name"]),
        "database": name(row["database_name"]),
        "table": name(row["table_name"]),
        "range_value": int(row["pitr_length"]),
        "range_unit": row["pitr_unit"],
        "created": _time.iso_utc(created),
        "modified": _time.iso_utc(modified),
    }
    if now is not None:
        start = max(modified, now - datetime.timedelta(seconds=record["range_value"] * UNIT_SECONDS[record["range_unit"]]))
        record["window"] = {"start": _time.iso_utc(start), "end": _time.iso_utc(now)}
    return record


def check_in_window(when, record, now):
    """Refuse a restore point outside the PITR's window before anything is sent."""
    modified = _time.parse_iso(record["modified"])
    earliest = now - datetime.timedelta(seconds=record["range_value"] * UNIT_SECONDS[record["range_unit"]])
    iso = _time.iso_utc(when)
    if when > now:
        raise _errors.InvalidInput("timestamp %s is in the future (now %s)" % (iso, _time.iso_utc(now)))
    if when < modified:
        raise _errors.InvalidInput("timestamp %s is before PITR %s was created or last changed (%s); it cannot restore "
                                   "to that time" % (iso, record["name"], record["modified"]))
    if when < earliest:
        raise _errors.InvalidInput("timestamp %s is outside PITR %s's range of %d%s (earliest %s)"
                                   % (iso, record["name"], record["range_value"], record["range_unit"],
                                      _time.iso_utc(earliest)))


def validate_range(value, unit):
    if value is None or not 1 <= int(value) <= 100:
        raise _errors.InvalidInput("range_value must be 1 to 100, got %r" % (value,))
    if unit not in UNIT_SECONDS:
        raise _errors.InvalidInput("range_unit must be one of h, d, mo, y; got %r" % (unit,))
