# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Snapshot records, definitions, time filters, listing and prune selection (SQL text comes from _sql)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import fnmatch
import re

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _retention, _sql, _time


def from_row(row, now=None):
    """A SHOW SNAPSHOTS row (labels lower-cased) -> the record every module returns."""
    ts_text = row.get("timestamp")
    exact = _time.parse_mo_timestamp(ts_text)
    snap = {
        "name": row.get("snapshot_name"),
        "timestamp": _time.mo_timestamp_to_iso(ts_text),
        # the same time in forms every tool parses: microseconds (to_datetime's %f) and seconds since the epoch
        "timestamp_utc": exact.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "timestamp_epoch": calendar.timegm(exact.timetuple()) + exact.microsecond / 1e6,
        "level": row.get("snapshot_level"),
        "account": row.get("account_name") or None,
        "database": row.get("database_name") or None,
        "table": row.get("table_name") or None,
    }
    if now is not None:
        snap["age_seconds"] = int((now - exact).total_seconds())
    return snap


def lost_creation_race(code, text):
    """CREATE SNAPSHOT failed because another session created the name first: MatrixOne says 'already exists',
    or, when both passed its existence check (seen on real 3.0.18), 1062 on mo_snapshots' key."""
    return "already exists" in text or (code == 1062 and "for key 'sname'" in text)


def literal_prefix(pattern):
    """The part of a glob pattern before its first wildcard (used to narrow the SQL query)."""
    m = re.search(r"[*?\[]", pattern)
    return pattern if m is None else pattern[:m.start()]


def matches_pattern(name, pattern):
    return pattern is None or fnmatch.fnmatchcase(name, pattern)


def when(snap):
    """A snapshot record's time (aware UTC)."""
    return _time.parse_mo_timestamp(snap["timestamp"][:-1].replace("T", " "))


def select_prune(snapshots, rules, older_than=None, zone=_time.UTC):
    """(snapshots to drop newest first, {name: why kept}) under _retention's rules ({rule: N}) and older_than."""
    drop, kept = _retention.select([(s["name"], when(s)) for s in snapshots], rules, older_than, zone)
    by_name = dict((s["name"], s) for s in snapshots)
    return [by_name[name] for name in drop], kept


# name filters shared by mo_snapshot_info and mo_snapshot_prune
FILTER_OPTIONS = dict(
    prefix=dict(type="str"),
    pattern=dict(type="str"),
    level=dict(type="str", choices=list(_sql.LEVELS)),
    account=dict(type="str"),
    database=dict(type="str"),
    table=dict(type="str"),
)


def build_query(params, now):
    """Validate the filters and turn them into one SHOW SNAPSHOTS statement (+ a glob for Python).

    MatrixOne stores snapshot and account names lower-cased, so a filter on them matches in lower case
    (name=AWX_S1 finds the snapshot created as AWX_S1, listed as awx_s1).
    """
    params = dict(params)
    for key in ("name", "prefix", "pattern", "account"):
        if isinstance(params.get(key), str):
            params[key] = params[key].lower()
    _sql.validate_names(params, (("name", "snapshot"), ("account", "account"), ("database", "database"),
                                 ("table", "table")))
    prefix = params.get("prefix")
    if prefix is not None and prefix != "":
        _sql.validate_name(prefix, "snapshot", "prefix")
    pattern = params.get("pattern")
    if pattern:
        literal = literal_prefix(pattern)
        if literal and not prefix:
            _sql.validate_name(literal, "snapshot", "pattern")
            prefix = literal
    bounds = {}
    for key in ("newer_than", "older_than"):
        if params.get(key):
            bounds[key] = _time.to_mo_timestamp(_time.parse_point_in_time(params[key], key, now))
    exact = dict((k, params.get(k)) for k in ("name", "level", "account", "database", "table"))
    return _sql.show_snapshots(exact=exact, prefix=prefix or None, **bounds), pattern


def find(mo, name):
    """The snapshot of this name as the login account lists it, or None (one round trip)."""
    rows = mo.query(_sql.show_snapshots(exact={"name": name}), record=False)
    return from_row(rows[0]) if rows else None


def find_required(mo, name):
    """find(), failing with why a snapshot may not be listed when it is not."""
    snap = find(mo, name)
    if snap is None:
        raise _errors.MoError("snapshot %s not found among the snapshots of account %s (MatrixOne shows each account "
                              "only the snapshots it created)" % (name, mo.login_account))
    return snap


def drop_each(mo, snapshots, failure_key, what):
    """DROP SNAPSHOT IF EXISTS each of `snapshots` (in check mode only listed in queries). A failure returns under
    `failure_key` those dropped before it, and its message says `what` was being done and how far it got."""
    dropped = []
    mo.failure_result[failure_key] = dropped
    for snap in snapshots:
        mo.doing = "%s (%d dropped before the error)" % (what, len(dropped))
        if mo.change(_sql.drop_snapshot(snap["name"], if_exists=True)):
            dropped.append(snap)


def list_snapshots(mo, params, now):
    stmt, pattern = build_query(params, now)
    rows = mo.query(stmt, record=False)
    snaps = [from_row(r, now) for r in rows]
    return [s for s in snaps if matches_pattern(s["name"], pattern)]
