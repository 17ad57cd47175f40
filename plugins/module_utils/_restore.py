# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Restore scope rules, preview and verification.

Reading a scope costs a fixed number of round trips whatever the number of tables: one statement
lists databases and tables (with their definitions) now and at the snapshot, one counts the rows of
every table on both sides, and, when asked to prove equality, one compares contents.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import datetime

from ansible_collections.matrixone.backup.plugins.module_utils import _sql


class RestoreRefused(ValueError):
    """MatrixOne would refuse this restore (or it cannot be done safely); found before any SQL runs."""


def resolve_scope(params, snap, login_account, kind="snapshot"):
    """Turn the task and the snapshot into the scope MatrixOne will restore, applying its rules up front.

    Returns dict(level, account, database, table, to_account, source, target): source is the account whose
    data the snapshot holds, target the account that is overwritten.
    """
    level = params.get("level") or snap["level"]
    s_level, name = snap["level"], "%s %s" % (kind, snap["name"])
    given = dict((k, params.get(k)) for k in ("account", "database", "table", "to_account"))

    def unused(*keys):
        for key in keys:
            if given[key] is not None:
                raise RestoreRefused("%s is not used with a %s level restore" % (key, level))

    if level == "cluster":
        unused("account", "database", "table", "to_account")
        if s_level != "cluster":
            raise RestoreRefused("%s is %s level; a cluster restore needs a cluster level one"
                                 % (name, s_level))
        if login_account != "sys":
            raise RestoreRefused("a cluster restore needs login_account=sys")
        return dict(level=level, account=None, database=None, table=None, to_account=None, source=None,
                    target=None)

    if level == "account":
        unused("database", "table")
        if s_level in ("database", "table"):
            raise RestoreRefused("%s is %s level; an account cannot be restored from it "
                                 "(restore level=%s instead)" % (name, s_level, s_level))
        account = given["account"] or (snap["account"] if s_level == "account" else login_account)
        if s_level == "account" and account != snap["account"]:
            raise RestoreRefused("%s is of account %s, not %s" % (name, snap["account"], account))
        if login_account != "sys" and account != login_account:
            raise RestoreRefused("only login_account=sys may restore another account (%s)" % account)
        to_account = given["to_account"] if given["to_account"] != account else None
        if to_account and login_account != "sys":
            raise RestoreRefused("restoring into another account (to_account) needs login_account=sys")
        if to_account == "sys":
            raise RestoreRefused("MatrixOne refuses to restore account %s into the sys account" % account)
        if to_account and account == "sys":
            # getFromAccountIdAndToAccountId (3.0.x, 4.x) maps a sys source to the sys target whatever TO ACCOUNT
            # says: the statement would overwrite sys with the snapshot and leave the other account as it was
            raise RestoreRefused("MatrixOne cannot restore account sys into another account (to_account=%s): it "
                                 "ignores TO ACCOUNT for sys and restores sys in place instead. Restore a tenant "
                                 "account into to_account, or restore sys's databases in place" % to_account)
        return dict(level=level, account=account, database=None, table=None, to_account=to_account,
                    source=account, target=to_account or account)

    # database and table: only within the login account, from a snapshot of the login account
    unused("to_account")
    if s_level == "cluster":
        raise RestoreRefused("MatrixOne cannot restore a single %s from cluster level %s; restore the "
                             "account instead (level=account)" % (level, name))
    if level == "database" and s_level == "table":
        raise RestoreRefused("%s is table level; a database cannot be restored from it" % name)
    account = given["account"] or login_account
    if account != login_account or snap["account"] != login_account:
        raise RestoreRefused("MatrixOne restores a single %s only inside the login account, from that account's "
                             "own %s; log in to account %s (login_account=%s) and use a %s it took"
                             % (level, kind, snap["account"] or account, snap["account"] or account, kind))
    database = given["database"] or snap["database"]
    if database is None:
        raise RestoreRefused("level=%s needs database (%s covers the whole account)" % (level, name))
    if s_level in ("database", "table") and database != snap["database"]:
        raise RestoreRefused("%s is of database %s, not %s" % (name, snap["database"], database))
    table = None
    if level == "table":
        table = given["table"] or snap["table"]
        if table is None:
            raise RestoreRefused("level=table needs table")
        if s_level == "table" and table != snap["table"]:
            raise RestoreRefused("%s is of table %s.%s, not %s.%s"
                                 % (name, snap["database"], snap["table"], database, table))
    elif given["table"] is not None:
        raise RestoreRefused("table is not used with a database level restore")
    return dict(level=level, account=account, database=database, table=table, to_account=None,
                source=account, target=account)


def timestamp_ns(iso):
    """'2024-05-10T02:06:08.01635Z' -> nanoseconds since the epoch, exactly (for {MO_TS = n} reads)."""
    base, _sep, frac = iso.rstrip("Z").partition(".")
    dt = datetime.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S")
    return calendar.timegm(dt.timetuple()) * 1000000000 + int((frac + "000000000")[:9])


class Side:
    """Where one side of the comparison is read: a query function, the read suffix and, when it reads another
    account than the login account (sys at a tenant's snapshot), that account's id."""

    def __init__(self, query, suffix, account_id=None):
        self.query = query
        self.suffix = suffix
        self.account_id = account_id


def _scope_databases(scope):
    return [scope["database"]] if scope["level"] in ("database", "table") else None


def _in_scope(scope, db, table):
    if scope["level"] == "table":
        return db == scope["database"] and table == scope["table"]
    return True


def read_state(sides, scope):
    """{side name: {'databases': set, 'tables': {(db, t): definition}, 'rows': {(db, t): n}}}.

    Sides sharing a query function are read together: two round trips for both sides.
    """
    state = dict((name, {"databases": set(), "tables": {}, "rows": {}}) for name in sides)
    groups = []
    for name, side in sides.items():
        for group in groups:
            if group[0] == side.query:  # bound methods: equal, not identical
                group[1][name] = side.suffix
                break
        else:
            groups.append((side.query, {name: side.suffix}))
    accounts = dict((name, side.account_id) for name, side in sides.items())
    for query, suffixes in groups:
        columns = dict((name, {}) for name in suffixes)
        for row in query(_sql.scope_objects(suffixes, _scope_databases(scope), accounts)):
            target = state[row["side"]]
            if row["kind"] == "database":
                target["databases"].add(row["db"])
            elif not _in_scope(scope, row["db"], row["tbl"]):
                continue
            elif row["kind"] == "table":
                target["tables"][(row["db"], row["tbl"])] = ""
            else:
                columns[row["side"]].setdefault((row["db"], row["tbl"]), []).append(_sql.column_definition(row["def"]))
        for name, by_table in columns.items():
            for key in state[name]["tables"]:
                state[name]["tables"][key] = "; ".join(text for _num, text in sorted(by_table.get(key, [])))
        stmt = _sql.row_counts(dict((name, (suffix, sorted(state[name]["tables"])))
                                    for name, suffix in suffixes.items()))
        if stmt is not None:
            for row in query(stmt):
                state[row["side"]]["rows"][(row["db"], row["tbl"])] = int(row["n"])
    return state


def _name(key):
    return "%s.%s" % key


def compare(now, snap, scope):
    """What the restore changes: the preview (also the verification report when `now` is after the restore)."""
    tables_now, tables_snap = now["tables"], snap["tables"]
    preview = {
        "tables_restored": sorted(_name(k) for k in tables_snap if k not in tables_now),
        "tables_removed": sorted(_name(k) for k in tables_now if k not in tables_snap),
        "tables_redefined": sorted(_name(k) for k in tables_snap if k in tables_now
                                   and tables_now[k] != tables_snap[k]),
        "row_changes": [{"table": _name(k), "now": now["rows"].get(k), "snapshot": snap["rows"].get(k)}
                        for k in sorted(tables_snap) if k in tables_now
                        and now["rows"].get(k) != snap["rows"].get(k)],
    }
    if scope["level"] != "table":
        preview["databases_restored"] = sorted(snap["databases"] - now["databases"])
        preview["databases_removed"] = sorted(now["databases"] - snap["databases"])
    else:
        preview["databases_restored"], preview["databases_removed"] = [], []
    changed_keys = set(preview["tables_restored"]) | set(preview["tables_removed"]) | \
        set(preview["tables_redefined"]) | set(r["table"] for r in preview["row_changes"])
    preview["tables_unchanged"] = len([k for k in tables_snap if _name(k) not in changed_keys])
    preview["changes"] = (len(preview["databases_restored"]) + len(preview["databases_removed"])
                          + len(changed_keys))
    return preview


def describe_differences(preview):
    """Human summary of a comparison, for messages."""
    parts = []
    labels = (("databases_restored", "databases missing"), ("databases_removed", "databases not in the snapshot"),
              ("tables_restored", "tables missing"), ("tables_removed", "tables not in the snapshot"),
              ("tables_redefined", "tables with another definition"))
    for key, label in labels:
        if preview.get(key):
            parts.append("%s: %s" % (label, ", ".join(preview[key][:10])))
    if preview.get("row_changes"):
        parts.append("row counts: " + ", ".join("%s %s (snapshot %s)" % (r["table"], r["now"], r["snapshot"])
                                                for r in preview["row_changes"][:10]))
    for key in ("accounts_restored", "accounts_removed"):
        if preview.get(key):
            parts.append("%s: %s" % (key.replace("_", " "), ", ".join(preview[key])))
    return "; ".join(parts) or "no differences"


def diff_view(state):
    """--diff form of one side: {database: {table: rows}} (empty databases as {})."""
    view = dict((db, {}) for db in state["databases"])
    for (db, table) in state["tables"]:
        view.setdefault(db, {})[table] = state["rows"].get((db, table))
    return {"databases": view}


def content_identical(query, suffix, tables):
    """True when every table has the same rows now and at the snapshot (one round trip)."""
    stmt = _sql.content_differences(suffix, sorted(tables))
    if stmt is None:
        return True
    return all(int(row["n"]) == 0 for row in query(stmt))


def accounts_state(query, suffix):
    rows = query(_sql.snapshot_accounts(suffix))
    return (set(r["account_name"] for r in rows if r["side"] == "now"),
            set(r["account_name"] for r in rows if r["side"] == "snap"))


def safety_snapshot_name(snapshot, now):
    """A unique, sortable name for the snapshot taken before restoring (at most 64 characters)."""
    suffix = "_pre_restore_" + now.strftime("%Y%m%d%H%M%S")
    return snapshot[:64 - len(suffix)] + suffix
