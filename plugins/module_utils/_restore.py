# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Restore scope rules, preview and verification.

Reading a scope never costs a query per table, nor one giant statement: one statement lists databases,
tables and their column definitions now and at the snapshot; row counts and row contents (set
difference both ways) are read in batches of COUNT_BATCH and CONTENT_BATCH tables.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _sql


def resolve_scope(params, snap, login_account, kind="snapshot"):
    """Turn the task and the snapshot into the scope MatrixOne will restore, applying its rules up front.

    Returns dict(level, account, database, table, to_account, source, target): source is the account whose
    data the snapshot holds, target the account that is overwritten.
    """
    level = params.get("level") or snap["level"]
    given = dict((k, params.get(k)) for k in ("account", "database", "table", "to_account"))
    for key in {"cluster": ("account", "database", "table", "to_account"), "account": ("database", "table")}.get(
            level, ("to_account",)):
        if given[key] is not None:
            raise _errors.RestoreRefused("%s is not used with a %s level restore" % (key, level))
    name = "%s %s" % (kind, snap["name"])
    if level == "cluster":
        return _cluster_scope(snap, login_account, name)
    if level == "account":
        return _account_scope(snap, login_account, name, given)
    return _object_scope(level, snap, login_account, name, given, kind)


def _cluster_scope(snap, login_account, name):
    if snap["level"] != "cluster":
        raise _errors.RestoreRefused("%s is %s level; a cluster restore needs a cluster level one" % (name, snap["level"]))
    if login_account != "sys":
        raise _errors.RestoreRefused("a cluster restore needs login_account=sys")
    return dict(level="cluster", account=None, database=None, table=None, to_account=None, source=None, target=None)


def _account_scope(snap, login_account, name, given):
    s_level = snap["level"]
    if s_level in ("database", "table"):
        raise _errors.RestoreRefused("%s is %s level; an account cannot be restored from it "
                             "(restore level=%s instead)" % (name, s_level, s_level))
    account = given["account"] or (snap["account"] if s_level == "account" else login_account)
    if s_level == "account" and account != snap["account"]:
        raise _errors.RestoreRefused("%s is of account %s, not %s" % (name, snap["account"], account))
    if login_account != "sys" and account != login_account:
        raise _errors.RestoreRefused("only login_account=sys may restore another account (%s)" % account)
    to_account = given["to_account"] if given["to_account"] != account else None
    if to_account and login_account != "sys":
        raise _errors.RestoreRefused("restoring into another account (to_account) needs login_account=sys")
    if to_account == "sys":
        raise _errors.RestoreRefused("MatrixOne refuses to restore account %s into the sys account" % account)
    if to_account and account == "sys":
        # getFromAccountIdAndToAccountId (3.0.x, 4.x) maps a sys source to the sys target whatever TO ACCOUNT
        # says: the statement would overwrite sys with the snapshot and leave the other account as it was
        raise _errors.RestoreRefused("MatrixOne cannot restore account sys into another account (to_account=%s): it "
                             "ignores TO ACCOUNT for sys and restores sys in place instead. Restore a tenant "
                             "account into to_account, or restore sys's databases in place" % to_account)
    return dict(level="account", account=account, database=None, table=None, to_account=to_account,
                source=account, target=to_account or account)


def _object_scope(level, snap, login_account, name, given, kind):
    """database and table: only within the login account, from a snapshot of the login account."""
    s_level = snap["level"]
    if s_level == "cluster":
        raise _errors.RestoreRefused("MatrixOne cannot restore a single %s from cluster level %s; restore the "
                             "account instead (level=account)" % (level, name))
    if level == "database" and s_level == "table":
        raise _errors.RestoreRefused("%s is table level; a database cannot be restored from it" % name)
    account = given["account"] or login_account
    if account != login_account or snap["account"] != login_account:
        raise _errors.RestoreRefused("MatrixOne restores a single %s only inside the login account, from that account's "
                             "own %s; log in to account %s (login_account=%s) and use a %s it took"
                             % (level, kind, snap["account"] or account, snap["account"] or account, kind))
    database = given["database"] or snap["database"]
    if database is None:
        raise _errors.RestoreRefused("level=%s needs database (%s covers the whole account)" % (level, name))
    if s_level in ("database", "table") and database != snap["database"]:
        raise _errors.RestoreRefused("%s is of database %s, not %s" % (name, snap["database"], database))
    table = None
    if level == "table":
        table = given["table"] or snap["table"]
        if table is None:
            raise _errors.RestoreRefused("level=table needs table")
        if s_level == "table" and table != snap["table"]:
            raise _errors.RestoreRefused("%s is of table %s.%s, not %s.%s"
                                 % (name, snap["database"], snap["table"], database, table))
    elif given["table"] is not None:
        raise _errors.RestoreRefused("table is not used with a database level restore")
    return dict(level=level, account=account, database=database, table=table, to_account=None,
                source=account, target=account)


def resolve_clone(params, snap, login_account, kind="snapshot"):
    """The scope of a restore beside live data (as_database / as_table): the source as resolve_scope finds it, and
    under 'clone' the database and table it is created as. Refused where MatrixOne cannot or where the copy would
    be the live object itself."""
    level = params.get("level") or snap["level"]
    if level not in ("database", "table"):
        raise _errors.RestoreRefused("as_database and as_table restore a database or a table beside the live one; level=%s "
                             "cannot be (use level=database or level=table)" % level)
    if level == "database" and params.get("as_table"):
        raise _errors.RestoreRefused("as_table is used with a table level restore, not a database level one")
    scope = resolve_scope(dict(params, to_account=None), snap, login_account, kind)
    to_account = params.get("to_account")
    if to_account and login_account != "sys":
        raise _errors.RestoreRefused("restoring beside live data into another account (to_account) needs login_account=sys")
    if to_account == login_account:
        to_account = None
    database = params.get("as_database") or scope["database"]
    table = (params.get("as_table") or scope["table"]) if level == "table" else None
    if not to_account and (database, table) == (scope["database"], scope["table"]):
        live = table_name((database, table)) if table else database
        raise _errors.RestoreRefused("as_database/as_table name the live %s %s itself; choose another name (restoring in "
                             "place is the same task without them)" % (level, live))
    return dict(scope, to_account=to_account, target=to_account or login_account,
                clone={"database": database, "table": table})


def clone_names(scope, now_tables):
    """{(db, table) at the source: (db, table) of its copy} for a restore beside live data, from the copy's tables
    (now_tables, keyed by the copy's names); None for a restore in place."""
    clone = scope.get("clone")
    if not clone:
        return None
    if scope["level"] == "table":
        return {(scope["database"], scope["table"]): (clone["database"], clone["table"])}
    return dict(((scope["database"], t), (db, t)) for db, t in now_tables if db == clone["database"])


def as_source(state, scope):
    """A state read from the copy of a restore beside live data, keyed by the source's names so that it compares
    with the snapshot's state."""
    clone = scope["clone"]
    back = dict((v, k) for k, v in clone_names(scope, state["tables"]).items())
    return {"databases": set(scope["database"] for db in state["databases"] if db == clone["database"]),
            "tables": dict((back[k], v) for k, v in state["tables"].items() if k in back),
            "rows": dict((back[k], v) for k, v in state["rows"].items() if k in back)}


def copy_names(report, scope):
    """A preview or verification of a restore beside live data, with the copy's names instead of the source's."""
    clone = scope.get("clone")
    if not clone:
        return report
    source = scope["database"]

    def name(text):
        if scope["level"] == "table" and text == table_name((source, scope["table"])):
            return table_name((clone["database"], clone["table"]))
        db, _dot, table = text.partition(".")
        return table_name((clone["database"], table)) if db == source and scope["level"] == "database" else text

    out = dict(report)
    for key, value in report.items():
        if key.startswith("databases_"):
            out[key] = [clone["database"] if db == source else db for db in value]
        elif key in ("tables_restored", "tables_removed", "tables_redefined", "content_not_compared"):
            out[key] = [name(t) for t in value]
        elif key in ("row_changes", "content_changes"):
            out[key] = [dict(r, table=name(r["table"])) for r in value]
    return out


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


# Tables per statement, chosen by measuring a real v3.0.18 over 1,000 tables (docs/performance.md): per table is
# slow (1,000 statements), one giant UNION ALL slower still; 25 to 50 tables per statement was fastest for both.
COUNT_BATCH = 50
CONTENT_BATCH = 50


def read_state(sides, scope):
    """{side name: {'databases': set, 'tables': {(db, t): definition}, 'rows': {(db, t): n}}}.

    Sides sharing a query function list their objects together in one round trip; rows are counted per side in
    batches of COUNT_BATCH tables.
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
        for name, suffix in suffixes.items():
            tables = sorted(state[name]["tables"])
            for start in range(0, len(tables), COUNT_BATCH):
                stmt = _sql.row_counts({name: (suffix, tables[start:start + COUNT_BATCH])})
                for row in query(stmt):
                    state[row["side"]]["rows"][(row["db"], row["tbl"])] = int(row["n"])
    return state


def table_name(key):
    """(db, table) -> 'db.table'."""
    return "%s.%s" % key


def compare(now, snap, scope, content=None):
    """What the restore changes: the preview (also the verification report when `now` is after the restore).

    content: {(db, table): (rows only now, rows only at the snapshot)} for the tables compared by content.
    """
    content = content or {}
    tables_now, tables_snap = now["tables"], snap["tables"]
    preview = {
        "tables_restored": sorted(table_name(k) for k in tables_snap if k not in tables_now),
        "tables_removed": sorted(table_name(k) for k in tables_now if k not in tables_snap),
        "tables_redefined": sorted(table_name(k) for k in tables_snap if k in tables_now
                                   and tables_now[k] != tables_snap[k]),
        "row_changes": [{"table": table_name(k), "now": now["rows"].get(k), "snapshot": snap["rows"].get(k)}
                        for k in sorted(tables_snap) if k in tables_now
                        and now["rows"].get(k) != snap["rows"].get(k)],
    }
    preview["content_changes"] = [{"table": table_name(k), "rows_only_now": a, "rows_only_in_snapshot": b}
                                  for k, (a, b) in sorted(content.items()) if a or b]
    if scope["level"] != "table":
        preview["databases_restored"] = sorted(snap["databases"] - now["databases"])
        preview["databases_removed"] = sorted(now["databases"] - snap["databases"])
    else:
        preview["databases_restored"], preview["databases_removed"] = [], []
    changed_keys = set(preview["tables_restored"]) | set(preview["tables_removed"]) | \
        set(preview["tables_redefined"]) | set(r["table"] for r in preview["row_changes"]) | \
        set(r["table"] for r in preview["content_changes"])
    preview["tables_unchanged"] = len([k for k in tables_snap if table_name(k) not in changed_keys])
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
    if preview.get("content_changes"):
        parts.append("row contents: " + ", ".join("%s %d rows not in the snapshot, %d snapshot rows missing"
                                                  % (r["table"], r["rows_only_now"], r["rows_only_in_snapshot"])
                                                  for r in preview["content_changes"][:10]))
    for key in ("accounts_restored", "accounts_removed"):
        if preview.get(key):
            parts.append("%s: %s" % (key.replace("_", " "), ", ".join(preview[key])))
    return "; ".join(parts) or "no differences"


def diff_view(state, samples=None):
    """--diff form of one side: {database: {table: rows}} (empty databases as {}), and the sample of rows that
    only this side has, per table."""
    view = dict((db, {}) for db in state["databases"])
    for (db, table) in state["tables"]:
        view.setdefault(db, {})[table] = state["rows"].get((db, table))
    out = {"databases": view}
    if samples:
        out["differing_rows"] = samples
    return out


def content_changes(query, suffix, tables, batch=CONTENT_BATCH, current="", now_names=None):
    """{(db, table): (rows only now, rows only at the snapshot)} for every table, in batches of `batch` tables
    (`current`: the read suffix of the "now" side when that is another point in time; now_names: the tables read
    on the "now" side when they have other names)."""
    tables = sorted(tables)
    out = {}
    for start in range(0, len(tables), batch):
        stmt = _sql.content_differences(suffix, tables[start:start + batch], current, now_names)
        for row in query(stmt):
            out[(row["db"], row["tbl"])] = (int(row["only_now"]), int(row["only_snap"]))
    return out


def content_scope(now, snap, max_rows):
    """Tables whose content can be compared: on both sides with one definition, and at most max_rows rows on
    either side (0 = no limit). Returns (tables to compare, tables left to counts)."""
    compare_, too_big = [], []
    for key in sorted(snap["tables"]):
        if key not in now["tables"] or now["tables"][key] != snap["tables"][key]:
            continue
        rows = max(now["rows"].get(key) or 0, snap["rows"].get(key) or 0)
        (too_big if max_rows and rows > max_rows else compare_).append(key)
    return compare_, too_big


def content_samples(query, suffix, changes, limit, max_tables=20, now_names=None):
    """{'now': {'db.t': [rows]}, 'snap': {...}}: up to `limit` differing rows each way of the first tables."""
    out = {"now": {}, "snap": {}}
    if limit <= 0:
        return out
    for key in sorted(k for k, (a, b) in changes.items() if a or b)[:max_tables]:
        for side, count in zip(("now", "snap"), changes[key]):
            if count:
                rows = query(_sql.content_sample(suffix, key[0], key[1], side, limit, now_names=now_names))
                out[side][table_name(key)] = [plain_row(row) for row in rows]
    return out


def plain_row(row):
    """A result row as JSON can carry it."""
    return dict((k, _plain(v)) for k, v in row.items())


def _plain(value):
    """A row value as JSON can carry it (dates, decimals and bytes as text)."""
    if value is None or isinstance(value, (int, float, str, bool)):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def accounts_state(query, suffix):
    rows = query(_sql.snapshot_accounts(suffix))
    return (set(r["account_name"] for r in rows if r["side"] == "now"),
            set(r["account_name"] for r in rows if r["side"] == "snap"))


def safety_snapshot_name(snapshot, now):
    """A unique, sortable name for the snapshot taken before restoring (at most 64 characters)."""
    suffix = "_pre_restore_" + now.strftime("%Y%m%d%H%M%S")
    return snapshot[:64 - len(suffix)] + suffix


def safety_definition(scope, login_account, server):
    """level, account, database and table of the snapshot taken before restoring."""
    if scope["level"] == "cluster":
        return dict(level="cluster", account=None, database=None, table=None)
    if scope["level"] == "account":
        return dict(level="account", account=scope["target"], database=None, table=None)
    if not server.has("gc_safe_db_table_snapshot"):
        # database/table snapshots are missing (< 2.1) or may be garbage-collected (< 3.0.4): a safety net must
        # hold, so protect the whole login account instead
        return dict(level="account", account=login_account, database=None, table=None)
    return dict(level=scope["level"], account=login_account, database=scope["database"], table=scope["table"])


def plan(params, scope, login_account, server, facts):
    """What a restore sends, in order, and what it needs; refused (_errors.RestoreRefused, FeatureUnavailable) before any of
    it runs. Pure: the server's answers it depends on come in `facts`:

    source_name (snapshot or PITR), point (read suffix of the restore point), server_time (a PITR restore's time as
    the server reads it, else None), target_exists (the account restored into), copy_database_exists (the database
    a table is restored beside live data into), now (aware UTC, for the safety snapshot's name).

    Returns dict(prepare=[statements], safety=None or dict(name, level, account, database, table),
    safety_statement, restore=statement, target_login: log in to the target account before previewing it,
    login_after_prepare: log in to it once `prepare` created it).
    """
    level, target = scope["level"], scope["target"]
    other = target is not None and target != login_account
    has_admin = params.get("to_account_admin_name") is not None
    if level == "cluster":
        server.require("restore_cluster")
    if has_admin and not other:
        raise _errors.RestoreRefused("to_account_admin_name and to_account_admin_password are only used when restoring into "
                             "another account than the login account")
    prepare = []
    if other and not facts["target_exists"]:
        if scope["to_account"] and has_admin:
            prepare.append(_sql.create_account(target, params["to_account_admin_name"],
                                               params["to_account_admin_password"]))
        elif scope["to_account"]:
            raise _errors.RestoreRefused("to_account %s does not exist; give to_account_admin_name and "
                                 "to_account_admin_password to create it first" % target)
        else:
            server.require("restore_dropped_account", "restoring a dropped account (%s)" % target)
    if params.get("verify", True) and other and not has_admin:
        raise _errors.RestoreRefused("verify=true needs to read account %s after the restore: give to_account_admin_name and "
                             "to_account_admin_password (its admin), or set verify=false" % target)
    safety = safety_statement = None
    if params.get("safety_snapshot") and (level == "cluster" or facts["target_exists"]):
        safety = dict(safety_definition(scope, login_account, server),
                      name=params.get("safety_snapshot_name") or safety_snapshot_name(facts["source_name"],
                                                                                      facts["now"]))
        safety_statement = _sql.create_snapshot(safety["name"], safety["level"], safety["account"]
                                                if safety["level"] == "account" else None, safety["database"],
                                                safety["table"])
    return dict(prepare=prepare + _clone_preparation(scope, login_account, server, facts), safety=safety,
                safety_statement=safety_statement, restore=restore_statement(params, scope, server, facts),
                target_login=has_admin and other and facts["target_exists"],
                login_after_prepare=has_admin and bool(scope["to_account"]) and not facts["target_exists"])


def _clone_preparation(scope, login_account, server, facts):
    """A table restored beside live data goes into a database that must exist: created first when missing."""
    clone = scope.get("clone")
    if not clone:
        return []
    server.require("clone")
    if scope["level"] == "table" and scope["target"] == login_account and not facts.get("copy_database_exists"):
        return [_sql.create_database(clone["database"])]
    return []


def restore_statement(params, scope, server, facts):
    """RESTORE in the server's grammar, RESTORE ... FROM PITR, or CREATE ... CLONE beside live data."""
    clone = scope.get("clone")
    if clone:
        return _sql.clone(scope["level"], facts["point"], scope["database"], scope["table"], clone["database"],
                          clone["table"], scope["to_account"])
    if facts.get("server_time") is not None:
        return _sql.restore_pitr(scope["level"], params["pitr"], facts["server_time"], scope["account"],
                                 scope["database"], scope["table"])
    return _sql.restore(server.has("brace_restore"), scope["level"], params["snapshot"], scope["account"],
                        scope["database"], scope["table"], scope["to_account"])
