# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One catalog of the points a target can be brought back to: snapshots and PITR windows that cover it, and the
physical backups under a location (mo_recovery_points). Pure: the module reads, this sorts and measures."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _time


def target_of(params, login_account):
    """The target {level, account, database, table} from the task: the narrowest level its options name."""
    level = params["level"] or ("table" if params["table"] else "database" if params["database"] else "account")
    if level == "table" and not (params["database"] and params["table"]):
        raise _errors.InvalidInput("level=table needs database and table")
    if level == "database" and not params["database"]:
        raise _errors.InvalidInput("level=database needs database")
    if level in ("cluster", "account") and (params["database"] or params["table"]):
        raise _errors.InvalidInput("database and table are not used with level=%s" % level)
    if level == "cluster" and params["account"]:
        raise _errors.InvalidInput("account is not used with level=cluster")
    return {"level": level, "account": None if level == "cluster" else (params["account"] or login_account),
            "database": params["database"] if level in ("database", "table") else None,
            "table": params["table"] if level == "table" else None}


def covers(source, target):
    """Whether a snapshot or PITR ({level, account, database, table}) holds the target: a cluster one holds
    everything, an account one its account, a database one its database and that database's tables."""
    level = source["level"]
    if level == "cluster":
        return True
    if target["level"] == "cluster" or source["account"] != target["account"]:
        return False
    if level == "account":
        return True
    if target["level"] == "account" or source["database"] != target["database"]:
        return False
    return level == "database" or (target["level"] == "table" and source["table"] == target["table"])


def catalog(target, snapshots, pitrs, backups, now):
    """{points (newest first), newest, oldest, rpo_seconds} of what covers the target. snapshots: mo_snapshot_info
    records; pitrs: mo_pitr_info records with their window; backups: complete backup summaries (cluster-wide)."""
    points = []
    for snap in snapshots:
        if covers(snap, target):
            when = snap["timestamp_utc"]  # six fraction digits: every Python parses it
            points.append({"kind": "snapshot", "name": snap["name"], "level": snap["level"], "time": when,
                           "oldest": when, "restore_with": {"snapshot": snap["name"]}})
    for pitr in pitrs:
        if covers(pitr, target):
            points.append({"kind": "pitr", "name": pitr["name"], "level": pitr["level"], "time": pitr["window"]["end"],
                           "oldest": pitr["window"]["start"], "restore_with": {"pitr": pitr["name"]}})
    for backup in backups:
        points.append({"kind": "backup", "name": backup["name"], "level": "cluster", "time": backup["time"],
                       "oldest": backup["time"], "restore_with": {"path": backup["location"]},
                       "depends_on": backup["depends_on"]})
    points.sort(key=lambda p: _time.parse_iso(p["time"]), reverse=True)
    if not points:
        return {"points": [], "newest": None, "oldest": None, "rpo_seconds": None}
    newest = points[0]["time"]
    oldest = min((p["oldest"] for p in points), key=_time.parse_iso)
    return {"points": points, "newest": newest, "oldest": oldest,
            "rpo_seconds": max(0, int((now - _time.parse_iso(newest)).total_seconds()))}
