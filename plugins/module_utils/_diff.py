# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What changed in a scope between two points in time (a snapshot or a time, and now or a second snapshot).

The reads are those of the restore preview (_state): one statement for the objects and definitions of both
sides, one for the primary keys, then row counts and row differences in batches: a table with a primary key has its
differing rows counted by key in the same pass, so that a changed row is told from a deleted and an inserted one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _snapshots, _sql, _state, _time

SAMPLE_TABLES = 20  # tables that get sample rows


def validate(params):
    """mo_snapshot_diff's input, named by its option, before any SQL."""
    _sql.validate_names(params, (("snapshot", "snapshot"), ("database", "database"), ("table", "table")))
    if params["table"] is not None and params["database"] is None:
        raise _errors.InvalidInput("table needs database")
    for key in ("sample_rows", "content_max_rows"):
        if params[key] < 0:
            raise _errors.InvalidInput("%s must be 0 or more, got %d" % (key, params[key]))
    if params["timestamp"] is not None:
        _time.parse_timestamp(params["timestamp"], None)


def scope_of(params, snap):
    """The compared scope: a database or table snapshot covers only its own database or table (snap None: a time,
    which covers the login account)."""
    snap = snap or {"level": None, "name": None}
    database, table = params["database"], params["table"]
    if snap["level"] in ("database", "table"):
        if database not in (None, snap["database"]):
            raise _errors.InvalidInput("snapshot %s is of database %s, not %s"
                                       % (snap["name"], snap["database"], database))
        database = snap["database"]
    if snap["level"] == "table":
        if table not in (None, snap["table"]):
            raise _errors.InvalidInput("snapshot %s is of table %s.%s, not %s"
                                       % (snap["name"], snap["database"], snap["table"], table))
        table = snap["table"]
    level = "table" if table else ("database" if database else "account")
    return dict(level=level, database=database, table=table)


def compare_with_now(mo, params):
    """mo_snapshot_diff end to end: (what `before` is, the change report from it to now). sys sees tenants'
    snapshots but reads its own data, so a tenant's snapshot is refused."""
    mo.doing = "comparing %s with now" % (params["snapshot"] or params["timestamp"])
    if params["snapshot"] is not None:
        snap = _snapshots.find_required(mo, params["snapshot"])
        if snap["level"] != "cluster" and snap["account"] != mo.login_account:
            raise _errors.MoError("snapshot=%s is a snapshot of account %s; log in to that account to compare it"
                                  % (snap["name"], snap["account"]))
        before = {"snapshot": snap["name"], "timestamp": snap["timestamp"]}
        point = _time.snapshot_time(snap)
    else:
        snap = None
        when = _time.parse_timestamp(params["timestamp"], None, now=mo.server_clock().now)
        before = {"timestamp": _time.iso_utc(when)}
        point = _time.Point(ts_ns=_time.timestamp_ns(before["timestamp"]))
    report = compare_points(mo.reads(), point, _time.NOW, scope_of(params, snap), params["content_max_rows"],
                            params["sample_rows"])
    return before, report


def compare_points(query, before, after, scope, content_max_rows, sample_rows, states=None):
    """The change report between points `before` and `after` (_time.Point) of one account's scope. states: a dict
    that receives the two sides as read ('before', 'after': _state.read's states), for a --diff view."""
    databases = [scope["database"]] if scope["level"] in ("database", "table") else None
    state = _state.read({"before": _state.Reader(query, before), "after": _state.Reader(query, after)},
                        databases, scope["table"] if scope["level"] == "table" else None)
    old, new = state["before"], state["after"]
    if states is not None:
        states.update(before=old, after=new)
    report = objects_report(old, new, scope)
    compared, too_big = _state.content_scope(new, old, content_max_rows)
    keys = _state.common_keys(old, new, compared)
    counts = {}
    content = _state.content_changes(query, before, compared, current=after, columns=old["columns"], keys=keys,
                                     key_counts=counts)
    changed = dict((k, v) for k, v in content.items() if v[0] or v[1])
    report["rows"] = [row_report(k, changed[k], keys.get(k), counts.get(k)) for k in sorted(changed)]
    if sample_rows > 0:
        sampled = [(k, entry, keys.get(k), old["columns"].get(k))
                   for k, entry in zip(sorted(changed), report["rows"])][:SAMPLE_TABLES]
        for (_k, entry, _key, _columns), found in zip(sampled, _state.samples(query, before, after, sampled, sample_rows)):
            entry["samples"] = found
    report["content_not_compared"] = [_state.table_name(k) for k in too_big]
    differing = set(report["tables_added"]) | set(report["tables_removed"]) | \
        set(r["table"] for key in ("tables_redefined", "row_counts", "rows") for r in report[key]) | \
        set(report["views_added"]) | set(report["views_removed"]) | set(r["view"] for r in report["views_redefined"])
    report["tables_unchanged"] = len([k for k in old["tables"] if k in new["tables"]
                                      and _state.table_name(k) not in differing])
    report["changes"] = len(report["databases_added"]) + len(report["databases_removed"]) + len(differing)
    report["identical"] = report["changes"] == 0 if not too_big else (False if report["changes"] else None)
    return report


def objects_report(old, new, scope):
    """Databases, tables and views added, removed or redefined, and row counts that differ."""
    both = [k for k in sorted(old["tables"]) if k in new["tables"]]
    whole = scope["level"] != "table"
    return {
        "databases_added": sorted(new["databases"] - old["databases"]) if whole else [],
        "databases_removed": sorted(old["databases"] - new["databases"]) if whole else [],
        "tables_added": sorted(_state.table_name(k) for k in new["tables"] if k not in old["tables"]),
        "tables_removed": sorted(_state.table_name(k) for k in old["tables"] if k not in new["tables"]),
        "tables_redefined": [{"table": _state.table_name(k), "before": _state.definition(old, k),
                              "after": _state.definition(new, k)} for k in _state.redefined(old, new)],
        "row_counts": [{"table": _state.table_name(k), "before": old["rows"].get(k), "after": new["rows"].get(k)}
                       for k in both if old["rows"].get(k) != new["rows"].get(k)],
        "views_added": sorted(_state.table_name(k) for k in new["views"] if k not in old["views"]) if whole else [],
        "views_removed": sorted(_state.table_name(k) for k in old["views"] if k not in new["views"]) if whole else [],
        "views_redefined": [{"view": _state.table_name(k), "before": old["views"][k], "after": new["views"][k]}
                            for k in sorted(old["views"]) if whole and k in new["views"]
                            and old["views"][k] != new["views"][k]],
    }


def row_report(key, content, primary_key, counts):
    """One table's changed rows. With a primary key: inserted, deleted and updated rows by key; without one the
    set difference only (rows only after, rows only before: an update shows on both sides)."""
    only_after, only_before = content
    entry = {"table": _state.table_name(key), "key": primary_key, "rows_only_after": only_after,
             "rows_only_before": only_before}
    if primary_key and counts is not None:
        inserted, deleted = counts
        entry.update(inserted=inserted, deleted=deleted, updated=only_after - inserted)
    return entry


def summary(report):
    """One line for messages and the role's report."""
    parts = []
    for key, label in (("databases_added", "databases added"), ("databases_removed", "databases removed"),
                       ("tables_added", "tables added"), ("tables_removed", "tables removed"),
                       ("views_added", "views added"), ("views_removed", "views removed")):
        if report.get(key):
            parts.append("%s: %s" % (label, ", ".join(report[key][:10])))
    if report.get("tables_redefined"):
        parts.append("tables redefined: " + ", ".join(r["table"] for r in report["tables_redefined"][:10]))
    for entry in report.get("rows", [])[:10]:
        if "inserted" in entry:
            parts.append("%s: %d inserted, %d deleted, %d updated" % (entry["table"], entry["inserted"],
                                                                      entry["deleted"], entry["updated"]))
        else:
            parts.append("%s: %d rows only after, %d only before" % (entry["table"], entry["rows_only_after"],
                                                                     entry["rows_only_before"]))
    return "; ".join(parts) or "no changes"
