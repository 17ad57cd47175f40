# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Restore rules and plans, pure: what MatrixOne allows (who may restore what, from which snapshot level, into which
account), what a target must hold, and the statements a restore sends. The state of each side and its comparison
are in _state; the restore job that reads and acts is in _restore_job.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _sql, _state


def argument_spec():
    """mo_restore's options (the connection's come from the module shell). mo_restore_drill hands RestoreJob these
    options with their defaults, so both take the same ones."""
    return dict(
        snapshot=dict(type="str"),
        snapshot_prefix=dict(type="str"),
        pitr=dict(type="str"),
        timestamp=dict(type="str"),
        timezone=dict(type="str"),
        server_timezone=dict(type="str"),
        level=dict(type="str", choices=list(_sql.LEVELS)),
        account=dict(type="str"),
        database=dict(type="str"),
        table=dict(type="str"),
        to_account=dict(type="str"),
        to_account_admin_name=dict(type="str"),
        to_account_admin_password=dict(type="str", no_log=True),
        verify=dict(type="bool", default=True),
        safety_snapshot=dict(type="bool", default=False),
        safety_snapshot_name=dict(type="str"),
        force=dict(type="bool", default=False),
        diff_rows=dict(type="int", default=20),
        content_max_rows=dict(type="int", default=1000000),
        method=dict(type="str", choices=list(METHODS), default="auto"),
        as_database=dict(type="str"),
        as_table=dict(type="str"),
        account_logins=dict(type="list", elements="dict", no_log=False, options=dict(
            account=dict(type="str", required=True),
            user=dict(type="str", required=True),
            password=dict(type="str", required=True, no_log=True),
        )),
    )


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
    # RESTORE ACCOUNT sys ... TO ACCOUNT is restored into sys itself (getFromAccountIdAndToAccountId, 3.0.x and 4.x):
    # sys's databases are copied into the other account one CREATE DATABASE ... CLONE ... TO ACCOUNT each instead
    return dict(level="account", account=account, database=None, table=None, to_account=to_account,
                source=account, target=to_account or account, copy=bool(to_account and account == "sys"))


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


def resolve(params, snap, login_account, kind="snapshot"):
    """The scope of the task's restore: beside live data (as_database / as_table) or in place."""
    if params.get("as_database") or params.get("as_table"):
        return resolve_clone(params, snap, login_account, kind)
    return resolve_scope(params, snap, login_account, kind)


def pick_newest(snapshots, params, login_account):
    """The newest of `snapshots` (records, any order) from which the task's restore can be done, and the newer ones
    skipped with why: (snapshot, [{'name', 'why'}]). RestoreRefused naming snapshot_prefix when none can."""
    skipped = []
    for snap in sorted(snapshots, key=lambda s: s["timestamp"], reverse=True):
        try:
            resolve(params, snap, login_account)
            return snap, skipped
        except _errors.RestoreRefused as exc:
            skipped.append({"name": snap["name"], "why": str(exc)})
    raise _errors.RestoreRefused(
        "snapshot_prefix=%s: none of the %d snapshots of account %s whose name starts with it can restore this%s"
        % (params["snapshot_prefix"], len(skipped), login_account,
           " (%s)" % "; ".join("%s: %s" % (s["name"], s["why"]) for s in skipped[:5]) if skipped else ""))


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
        live = _state.table_name((database, table)) if table else database
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
    out = {"databases": set(scope["database"] for db in state["databases"] if db == clone["database"]),
           "sequences": set()}
    for key in ("tables", "columns", "rows"):
        out[key] = dict((back[k], v) for k, v in state[key].items() if k in back)
    out["indexes"] = None if state.get("indexes") is None else \
        dict((back[k], v) for k, v in state["indexes"].items() if k in back)
    out["foreign_keys"] = None if state.get("foreign_keys") is None else \
        set(back[k] for k in state["foreign_keys"] if k in back)
    out["keys"] = None if state.get("keys") is None else \
        dict((back[k], v) for k, v in state["keys"].items() if k in back)
    # a database's views are copied with it under their own names
    out["views"] = dict(((scope["database"], v), text) for (db, v), text in state["views"].items()
                        if scope["level"] == "database" and db == clone["database"])
    return out


def copy_names(report, scope):
    """A preview or verification of a restore beside live data, with the copy's names instead of the source's."""
    clone = scope.get("clone")
    if not clone:
        return report
    source = scope["database"]

    def name(text):
        if scope["level"] == "table" and text == _state.table_name((source, scope["table"])):
            return _state.table_name((clone["database"], clone["table"]))
        db, _dot, table = text.partition(".")
        return _state.table_name((clone["database"], table)) if db == source and scope["level"] == "database" else text

    out = dict(report)
    for key, value in report.items():
        if key.startswith("databases_"):
            out[key] = [clone["database"] if db == source else db for db in value]
        elif key in ("tables_restored", "tables_removed", "tables_redefined", "content_not_compared",
                     "views_restored", "views_removed", "views_redefined"):
            out[key] = [name(t) for t in value]
        elif key in ("row_changes", "content_changes"):
            out[key] = [dict(r, table=name(r["table"])) for r in value]
    return out


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


_OPTION_FIELDS = "snapshot pitr admin_name admin_password verify safety_snapshot safety_snapshot_name"


class Options(namedtuple("Options", _OPTION_FIELDS)):
    """What plan and the restore statements take from mo_restore's options: the source (snapshot or pitr), the
    admin of an account restored into, verify, and the safety snapshot."""


def options(params):
    """Options from mo_restore's params (the module's, or the drill's built from them)."""
    return Options(params.get("snapshot"), params.get("pitr"), params.get("to_account_admin_name"),
                   params.get("to_account_admin_password"), params.get("verify", True), params.get("safety_snapshot"),
                   params.get("safety_snapshot_name"))


def plan(options, scope, login_account, server, facts):
    """What a restore prepares and needs, refused (_errors.RestoreRefused, FeatureUnavailable) before anything is read
    or sent. Pure: the server's answers it depends on come in `facts`: source_name (snapshot or PITR), target_exists
    (the account restored into), copy_database_exists (the database a table is restored beside live data into), now
    (aware UTC, for the safety snapshot's name).

    Returns dict(prepare=[statements], safety=None or dict(name, level, account, database, table),
    safety_statement, target_login: log in to the target account before previewing it, login_after_prepare: log in
    to it once `prepare` created it). The restore statements come from restore_statements once the preview is read.
    """
    level, target = scope["level"], scope["target"]
    other = target is not None and target != login_account
    has_admin = options.admin_name is not None
    if level == "cluster":
        server.require("restore_cluster")
    if scope.get("copy"):
        server.require("clone", "restoring sys into another account (CREATE DATABASE ... CLONE ... TO ACCOUNT)")
    if has_admin and not other:
        raise _errors.RestoreRefused("to_account_admin_name and to_account_admin_password are only used when "
                                     "restoring into another account than the login account")
    prepare = []
    if other and not facts["target_exists"]:
        if scope["to_account"] and has_admin:
            prepare.append(_sql.create_account(target, options.admin_name, options.admin_password))
        elif scope["to_account"]:
            raise _errors.RestoreRefused("to_account %s does not exist; give to_account_admin_name and "
                                         "to_account_admin_password to create it first" % target)
        else:
            server.require("restore_dropped_account", "restoring a dropped account (%s)" % target)
    if options.verify and other and not has_admin:
        raise _errors.RestoreRefused("verify=true needs to read account %s after the restore: give "
                                     "to_account_admin_name and to_account_admin_password (its admin), or set "
                                     "verify=false" % target)
    safety = safety_statement = None
    if options.safety_snapshot and (level == "cluster" or facts["target_exists"]):
        safety = dict(safety_definition(scope, login_account, server),
                      name=options.safety_snapshot_name or safety_snapshot_name(facts["source_name"], facts["now"]))
        safety_statement = _sql.create_snapshot(safety["name"], safety["level"], safety["account"]
                                                if safety["level"] == "account" else None, safety["database"],
                                                safety["table"])
    return dict(prepare=prepare + _clone_preparation(scope, login_account, server, facts), safety=safety,
                safety_statement=safety_statement,
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


def refuse_missing_target(scope, snap, now, source):
    """A database or table restore (in place or beside live data) of what the snapshot does not hold fails on
    MatrixOne (20101 table t not exists at snapshot s; 1049 Unknown database d): refuse it first, naming the
    parameter, and say whether it exists now. snap: the state at the restore point; now: the live state (None when
    not read, or for a restore beside live data); source: 'snapshot s' or 'PITR p at t'."""
    level, database, table = scope["level"], scope["database"], scope["table"]
    live = None if scope.get("clone") else now
    where = ("now or at %s" % source) if live is not None else ("at %s" % source)
    if level == "database" and database not in snap["databases"]:
        if live is not None and database in live["databases"]:
            raise _errors.RestoreRefused(
                "database=%s: database %s did not exist at %s (it was created after); MatrixOne cannot restore a "
                "database its snapshot lacks (it answers 1049 Unknown database). Drop it to go back to that point"
                % (database, database, source))
        raise _errors.RestoreRefused("database=%s: there is no database %s %s" % (database, database, where))
    if level == "table" and (database, table) not in snap["tables"]:
        name = _state.table_name((database, table))
        if live is not None and (database, table) in live["tables"]:
            raise _errors.RestoreRefused(
                "table=%s: table %s did not exist at %s (it was created after); MatrixOne cannot restore a table its "
                "snapshot lacks (it answers 20101 table %s not exists at snapshot). Drop it to go back to that point, "
                "or restore its database (level=database), which removes it" % (table, name, source, table))
        if database not in snap["databases"] and (live is None or database not in live["databases"]):
            raise _errors.RestoreRefused("database=%s: there is no database %s %s" % (database, database, where))
        raise _errors.RestoreRefused("table=%s: there is no table %s %s" % (table, name, where))


def databases_to_copy(scope, report, source):
    """Restoring sys into another account copies each of its databases there (CLONE). The account must hold nothing
    else: a database the snapshot lacks, or one that differs from it, is refused (never overwritten); databases
    already equal to the snapshot are kept (a re-run completes an interrupted copy). Returns the databases to copy."""
    if report.get("databases_removed"):
        raise _errors.RestoreRefused(
            "to_account %s holds databases that %s does not (%s); restoring sys into another account copies sys's "
            "databases into an account that holds nothing else: use a new or an empty account"
            % (scope["to_account"], source, ", ".join(report["databases_removed"])))
    differing = set()
    for key in ("tables_restored", "tables_removed", "tables_redefined"):
        differing.update(name.partition(".")[0] for name in report.get(key, []))
    for key in ("row_changes", "content_changes"):
        differing.update(r["table"].partition(".")[0] for r in report.get(key, []))
    differing -= set(report.get("databases_restored", []))
    if differing:
        raise _errors.RestoreRefused(
            "to_account %s already holds %s, which differ from %s (%s); a copy is never overwritten: drop them or "
            "use a new account" % (scope["to_account"], ", ".join(sorted(differing)), source,
                                   _state.describe_differences(report)))
    return list(report.get("databases_restored", []))


METHODS = ("auto", "delta", "full")
# auto restores a database whole (one statement) instead of table by table when more than this share of its tables
# differ. Measured on real v4.1.4 and v3.0.18 (docs/performance-real.md): RESTORE TABLE per table never lost to the
# database statement, even with every table changed, so auto keeps the delta up to all of them.
DELTA_MAX_SHARE = 1.0


def _full(reason):
    return {"method": "full", "reason": reason, "restore_tables": [], "drop_tables": [], "restore_databases": [],
            "drop_databases": []}


def delta_refusal(scope, login, source_level, force, compared_by):
    """Why the restore cannot be done by restoring only what differs (None: it can). source_level: the level of the
    snapshot or PITR; compared_by: how the preview compared the rows (None when it could not read the account)."""
    level = scope["level"]
    if level == "table":
        return "a table restore restores one table"
    if level == "cluster":
        return "a cluster restore is done whole: MatrixOne's cluster restore also brings back accounts and their " \
               "publications and subscriptions, which the preview does not compare"
    if scope.get("clone") or scope.get("copy"):
        return "a restore beside live data or into another account creates copies, one statement each"
    if scope["target"] != login or scope["source"] != login:
        return "only a restore of the login's own account in place is done table by table (MatrixOne restores " \
               "another account's tables only as a whole account)"
    if source_level not in ("account", "database"):
        return "MatrixOne restores no single database or table from a %s-level source" % source_level
    if force:
        return "force restores the whole scope"
    if compared_by is None:
        return "the account could not be read both now and at the restore point"
    if compared_by != "content":
        return "the rows were compared by %s, not by content: nothing can be left alone as equal" % compared_by
    if level == "account" and login == "sys":
        return "an account restore of sys also rewrites sys's own mo_catalog tables, which the preview does not " \
               "compare"
    return None


def delta_plan(method, refusal, level, now, snap, content, system_differences=None):
    """What a database or account restore sends when it restores only what differs from the restore point.

    method: auto, delta or full; refusal: delta_refusal's answer; now, snap: the account's states now and at the
    point; content: {(db, t): (rows only now, rows only at the point)} of the tables compared by content (a table
    missing there was not proven equal and is restored); system_differences: account level, the mo_catalog tables an
    account restore rewrites that differ (users, roles, grants...; None: not compared).

    A database whose views differ, or that holds or is referenced by a foreign key now or at the point, is restored
    whole (MatrixOne orders foreign-key tables and rebuilds views only in a database restore), as is one with more
    than DELTA_MAX_SHARE of its tables to restore (method auto). Returns {method, reason, restore_tables,
    drop_tables, restore_databases, drop_databases}; method=delta where it cannot be done raises RestoreRefused.
    """
    if method == "full":
        return _full("method=full")
    if refusal is None and level == "account" and system_differences is None:
        refusal = "the users, roles and grants an account restore also brings back could not be compared"
    if refusal is None and system_differences:
        refusal = "an account restore also brings back %s, which differ from the restore point" \
            % ", ".join("mo_catalog." + t for t in system_differences)
    if refusal is not None:
        if method == "delta":
            raise _errors.RestoreRefused("method=delta: %s; use method=full or auto" % refusal)
        return _full(refusal)
    plan = _full(None)
    plan["method"] = "delta"
    whole = []
    fk = (now.get("foreign_keys") or set()) | (snap.get("foreign_keys") or set())
    redefined = set(_state.redefined(now, snap))
    for db in sorted(snap["databases"] | now["databases"]):
        if db not in snap["databases"]:
            plan["drop_databases"].append(db)
            continue
        if db not in now["databases"]:
            plan["restore_databases"].append(db)
            continue
        tables = sorted(k for k in snap["tables"] if k[0] == db)
        restore = [k for k in tables if k not in now["tables"] or k in redefined or
                   now["rows"].get(k) != snap["rows"].get(k) or content.get(k, (None, None)) != (0, 0)]
        drop = sorted(k for k in now["tables"] if k[0] == db and k not in snap["tables"])
        views = [k for k in set(now["views"]) | set(snap["views"]) if k[0] == db and now["views"].get(k) !=
                 snap["views"].get(k)]
        why = None
        if views:
            why = "its views differ"
        elif any(k[0] == db for k in fk):
            why = "it holds or is referenced by a foreign key"
        elif method == "auto" and restore and len(restore) > DELTA_MAX_SHARE * len(tables):
            why = "most of its tables differ"
        if why is not None and (restore or drop or views):
            whole.append("%s (%s)" % (db, why))
            plan["restore_databases"].append(db)
            continue
        plan["restore_tables"] += restore
        plan["drop_tables"] += drop
    if level == "database" and plan["restore_databases"]:
        if method == "delta":
            raise _errors.RestoreRefused("method=delta: database %s is restored whole; use method=full or auto"
                                         % whole[0])
        return _full("database %s is restored whole" % whole[0])
    plan["reason"] = "only what differs is restored" + ("; whole: " + ", ".join(whole) if whole else "")
    return plan


def _restore_one(options, server, server_time, level, account, database=None, table=None, to_account=None):
    """One RESTORE from the restore's source: a PITR at server_time, else the snapshot in the server's grammar."""
    if server_time is not None:
        return _sql.restore_pitr(level, options.pitr, server_time, account, database, table)
    return _sql.restore(server.has("brace_restore"), level, options.snapshot, account, database, table, to_account)


def delta_steps(plan, options, scope, server, server_time):
    """The steps of a delta plan, each (statements, at_once): the databases restored whole from the restore's source
    one after another; then the tables restored one by one, which may be sent at once (a database that holds or is
    referenced by a foreign key, or whose views differ, is restored whole, so these tables are independent); then
    the tables and databases created since dropped."""
    account = scope["account"]
    return [([_restore_one(options, server, server_time, "database", account, db)
              for db in plan["restore_databases"]], False),
            ([_restore_one(options, server, server_time, "table", account, db, t)
              for db, t in plan["restore_tables"]], True),
            ([_sql.drop_table(db, t) for db, t in plan["drop_tables"]] +
             [_sql.drop_database(db) for db in plan["drop_databases"]], False)]


def delta_statements(plan, options, scope, server, server_time):
    """The statements of a delta plan in the order they are listed and sent (delta_steps)."""
    return [stmt for statements, _at_once in delta_steps(plan, options, scope, server, server_time)
            for stmt in statements]


def restore_statements(options, scope, server, facts):
    """The restore itself: RESTORE in the server's grammar, RESTORE ... FROM PITR, CREATE ... CLONE beside live
    data, or one CREATE DATABASE ... CLONE ... TO ACCOUNT per database (sys into another account: facts
    databases_to_copy), or only what differs (facts delta: a delta_plan of method delta). facts: point (the restore
    point, a _time.Point), server_time (a PITR restore's time as the server reads it, else None)."""
    clone = scope.get("clone")
    if clone:
        return [_sql.clone(scope["level"], facts["point"], scope["database"], scope["table"], clone["database"],
                           clone["table"], scope["to_account"])]
    if scope.get("copy"):
        return [_sql.clone("database", facts["point"], db, None, db, to_account=scope["to_account"])
                for db in facts["databases_to_copy"]]
    if facts.get("delta") and facts["delta"]["method"] == "delta":
        return delta_statements(facts["delta"], options, scope, server, facts.get("server_time"))
    restore = [_restore_one(options, server, facts.get("server_time"), scope["level"], scope["account"],
                            scope["database"], scope["table"], scope["to_account"])]
    if scope["to_account"] and options.admin_name is not None:
        # the restore brings the source account's users, so the new account's admin would log in with the source
        # admin's password (measured on real v4.1.4): give it the password the task names
        restore.append(_sql.reset_account_admin(scope["to_account"], options.admin_name, options.admin_password))
    return restore


def versions(rows, server_version):
    """The catalog versions now and at the restore point from _sql.catalog_versions rows (the newest of each side),
    and the server's version: {'server', 'catalog_now', 'catalog_at_point', 'across_upgrade'}; None without rows."""
    newest = {}
    for row in rows:
        if row["side"] not in newest or str(row["create_at"]) > str(newest[row["side"]]["create_at"]):
            newest[row["side"]] = row
    if "now" not in newest or "snap" not in newest:
        return None
    now, then = newest["now"]["version"], newest["snap"]["version"]
    return {"server": server_version, "catalog_now": now, "catalog_at_point": then, "across_upgrade": now != then}
