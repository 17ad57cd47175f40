#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mo_restore
short_description: Restore MatrixOne data from a snapshot, with a preview and a verified result
version_added: 1.0.0
description:
  - Restores a cluster, an account, a database or a table from a MatrixOne snapshot, in place or into another
    account (created first when asked, as C(mo_br snapshot restore --new_account) does).
  - Uses the grammar of the server's version, C(RESTORE ... FROM SNAPSHOT s) up to 3.0.x and
    C(RESTORE ... {SNAPSHOT = s}) from 4.0, and applies MatrixOne's rules (who may restore what, which
    snapshot levels fit which restore) before any SQL runs.
  - Check mode and C(--diff) show a preview of what the restore changes in the target scope (databases and
    tables that appear or vanish, tables whose definition or row count differs), computed with snapshot reads in
    a fixed number of round trips whatever the number of tables.
  - After a real restore the target is compared with the snapshot again; any difference fails the task
    (MatrixOne has had restores that reported success and changed nothing). Table definitions are compared column
    by column from C(mo_catalog.mo_columns), because a restore rewrites C(mo_tables.rel_createsql).
  - Idempotent. When the target provably equals the snapshot (objects, definitions, row counts and row contents),
    nothing is sent (no safety snapshot, no restore) and the task reports C(ok); O(force=true) restores anyway. When
    part of the target cannot be compared (see RV(preview.identical)), the restore runs.
author:
  - matrixone.backup maintainers (@matrixone-backup)
extends_documentation_fragment:
  - matrixone.backup.connection
  - matrixone.backup.attributes
attributes:
  check_mode:
    support: full
    details: Finds the snapshot, applies every rule, computes the preview and fails where a real run would.
  diff_mode:
    support: full
    details:
      - Before and after map each database of the target scope to its tables and row counts, show the differing
        rows of each table (up to O(diff_rows) each way) and, for a cluster restore, the accounts.
options:
  snapshot:
    description:
      - Name of the snapshot to restore from. It must be visible to the login account (MatrixOne shows each
        account only the snapshots it created).
      - Exactly one of O(snapshot) and O(pitr) is required.
    type: str
  pitr:
    description:
      - Restore to a point in time inside the window of this PITR (MatrixOne 2.0+), given by O(timestamp).
      - The time is checked before anything is sent, after the PITR's creation or last change, inside its range and
        not in the future; MatrixOne refuses the rest.
    type: str
  timestamp:
    description:
      - The point in time of a O(pitr) restore, ISO-8601 with a zone (V(2026-01-31T12:00:00Z),
        V(2026-01-31 20:00:00+08:00)), or without one when O(timezone) says where it was read, or a duration before
        now (V(15m), V(2h), V(1d); units s, m, h, d, w).
      - It is converted to the server's local zone (O(server_timezone)), which is how MatrixOne reads it.
    type: str
  timezone:
    description:
      - Zone of a O(timestamp) written without one (IANA name such as V(Asia/Shanghai), or an offset like V(+08:00)).
    type: str
  server_timezone:
    description:
      - The MatrixOne server's local time zone (the zone of its CN processes), in which MatrixOne reads a PITR restore
        time; IANA name such as V(Asia/Shanghai), or an offset like V(+08:00).
      - By default it is read from the server (C(NOW()) against C(UTC_TIMESTAMP()), as a fixed offset). A given zone
        must show the offset the server's clock shows now, otherwise the task fails before anything is sent (also in
        check mode). When the server's session C(time_zone) is not C(SYSTEM) the zone cannot be read and must be
        given. Give an IANA name for a zone with daylight saving time and restore times before a change of offset.
    type: str
  level:
    description:
      - Scope of the restore; default the snapshot's own level.
      - Narrower scopes are allowed where MatrixOne allows them, for example one table from an account or database
        snapshot. V(database) and V(table) restores work only inside the login account and from its own snapshots.
      - V(cluster) restores every account, drops accounts created after the snapshot and recreates dropped ones.
    type: str
    choices: [cluster, account, database, table]
  account:
    description:
      - Account to restore (V(account) level); default the snapshot's account (for a cluster snapshot the login
        account). Another account than the login account needs O(login_account=sys).
    type: str
  database:
    description: Database to restore (V(database) and V(table) level); default the snapshot's database.
    type: str
  table:
    description: Table to restore (V(table) level); default the snapshot's table.
    type: str
  to_account:
    description:
      - Restore the account into this other account instead of in place (V(account) level, O(login_account=sys)).
        The target's current databases are replaced.
      - The source must be a tenant account. The sys account cannot be restored into another account, because
        MatrixOne (seen on 3.0.18 and 4.1.4) ignores C(TO ACCOUNT) for sys and restores sys in place; the module
        refuses it.
      - When it does not exist it is created first with O(to_account_admin_name) and O(to_account_admin_password);
        without them a missing target is an error.
    type: str
  to_account_admin_name:
    description:
      - Admin user of the account restored into when that is not the login account (O(to_account), or an in-place
        restore of another account by sys). Used to create O(to_account) when missing, and to log in to the target
        to preview and verify the restore.
    type: str
  to_account_admin_password:
    description:
      - Password of O(to_account_admin_name). Never logged or returned; masked in C(queries).
    type: str
  verify:
    description:
      - After the restore, compare the target with the snapshot (databases, tables, definitions, row counts) and
        fail if they differ.
      - Restoring another account than the login account can be verified only with O(to_account_admin_name) and
        O(to_account_admin_password); otherwise the task fails before restoring unless O(verify=false).
    type: bool
    default: true
  safety_snapshot:
    description:
      - Take a snapshot of the target scope just before restoring, so the restore itself can be undone. Its name is
        returned in RV(safety_snapshot); it is never dropped by this module.
      - For database and table restores on MatrixOne before 3.0.4 (no database/table snapshots, or ones that may be
        garbage-collected) the safety snapshot covers the whole login account.
    type: bool
    default: false
  safety_snapshot_name:
    description: Name of the safety snapshot; default C(<snapshot>_pre_restore_<UTC yyyymmddHHMMSS>).
    type: str
  force:
    description:
      - Restore even when the target already equals the snapshot. By default such a restore is skipped and reports
        C(ok); equality is proven by objects, definitions, row counts and a row-by-row comparison of every table
        (for tables without a primary key duplicate rows are compared as a set).
    type: bool
    default: false
  diff_rows:
    description:
      - With C(--diff), how many differing rows to show per table and direction (rows only present now under
        C(before), rows only present at the snapshot under C(after)), for up to 20 tables. V(0) shows counts only.
    type: int
    default: 20
  as_database:
    description:
      - Restore beside live data instead of in place. V(database) level, the name of the new database the snapshot's
        database is created as (C(CREATE DATABASE new CLONE db {SNAPSHOT = s})); V(table) level, the database the
        table is created in (default the table's own database, created when missing).
      - The live database or table is not touched. Inspect the copy, then swap or copy back yourself (see the restore
        guide). The copy must not exist yet, or already equal the snapshot (then nothing is done); a copy that
        differs is an error, never overwritten.
      - Also from a PITR time (C({MO_TS = n})), and into another account with O(to_account) as sys (C(TO ACCOUNT)).
    type: str
  as_table:
    description:
      - V(table) level only, the name of the new table the snapshot's table is created as (default its own name, which
        then needs another O(as_database)).
    type: str
  content_max_rows:
    description:
      - Tables with more rows than this (now or at the snapshot) are compared by row count only, in the preview and
        in the verification, and listed in RV(preview.content_not_compared). V(0) compares every table by content.
      - Smaller tables are compared row by row (set difference in both directions, batched).
    type: int
    default: 1000000
notes:
  - A restore is one long statement. Its duration grows with the data; set O(read_timeout) above the longest
    expected restore, or run the task with C(async) and C(poll). When the connection is lost or times out during
    the restore the module fails with "the outcome is unknown" and never re-runs it; check the state before retrying.
  - MatrixOne does not stop other sessions from writing while it restores; stop application writers first.
  - An account restore also reverts users, roles and grants of that account; writes made after the snapshot are
    lost in the restored scope.
seealso:
  - module: matrixone.backup.mo_snapshot
  - module: matrixone.backup.mo_snapshot_info
'''

EXAMPLES = r'''
- name: Preview a table restore (run with --check --diff), then restore it
  matrixone.backup.mo_restore:
    snapshot: sp_01
    level: table
    database: snapshot_read
    table: test_snapshot_read

- name: Restore a database from an account snapshot, keeping a safety snapshot of the current state
  matrixone.backup.mo_restore:
    snapshot: sp_02
    level: database
    database: snapshot_read
    safety_snapshot: true
  register: restored

- name: Restore tenant acc1 into a new account acc2 (mo_br --new_account acc2 --new_admin_name admin)
  matrixone.backup.mo_restore:
    snapshot: sp_acc1
    level: account
    account: acc1
    to_account: acc2
    to_account_admin_name: admin
    to_account_admin_password: "{{ acc2_admin_password }}"

- name: Oops, dropped a table - bring the database back to 10:15 Shanghai time with the account's PITR
  matrixone.backup.mo_restore:
    pitr: pitr_acc1
    timestamp: "2026-01-31 10:15:00"
    timezone: Asia/Shanghai
    server_timezone: Asia/Shanghai
    level: database
    database: shop

- name: Restore the whole cluster
  matrixone.backup.mo_restore:
    snapshot: cluster_sp1
    login_user: root
    login_password: "{{ mo_root_password }}"
'''

RETURN = r'''
preview:
  description: What the restore changes (changed) in the target scope, measured before restoring.
  returned: when the snapshot was found
  type: dict
  contains:
    scope:
      description: level, account, database, table and to_account of the restore.
      type: dict
    snapshot:
      description:
        - The snapshot restored from (name, timestamp, level, account, database, table); for a PITR restore the PITR's
          name, level and target with the restore time as timestamp, and the PITR under C(pitr).
      type: dict
    databases_restored:
      description: Databases in the snapshot that do not exist now (they come back).
      type: list
      elements: str
    databases_removed:
      description: Databases that exist now but not in the snapshot (they vanish).
      type: list
      elements: str
    tables_restored:
      description: Tables (C(db.table)) in the snapshot that do not exist now.
      type: list
      elements: str
    tables_removed:
      description: Tables that exist now but not in the snapshot.
      type: list
      elements: str
    tables_redefined:
      description: Tables whose definition differs between now and the snapshot.
      type: list
      elements: str
    row_changes:
      description: Tables whose row count differs, with C(now) and C(snapshot) counts.
      type: list
      elements: dict
    content_changes:
      description:
        - Tables whose rows differ (also with the same count), with C(rows_only_now) and C(rows_only_in_snapshot).
      type: list
      elements: dict
    content_not_compared:
      description: Tables compared by row count only because they exceed O(content_max_rows).
      type: list
      elements: str
    tables_unchanged:
      description: Tables with the same definition and row count on both sides.
      type: int
    accounts_restored:
      description: Cluster restore only, accounts that come back.
      type: list
      elements: str
    accounts_removed:
      description: Cluster restore only, accounts created after the snapshot that are dropped.
      type: list
      elements: str
    changes:
      description: Number of databases, tables and accounts that differ.
      type: int
    identical:
      description:
        - Whether the target provably equals the snapshot (objects, definitions, counts and row contents); null when
          part of it could not be compared (see RV(preview.not_previewed) and RV(preview.content_not_compared)).
      type: bool
    not_previewed:
      description: Parts of the target that could not be read, and why.
      type: list
      elements: str
verified:
  description: True when the restored target was compared with the snapshot and matched; false when not verified.
  returned: always
  type: bool
safety_snapshot:
  description:
    - The snapshot taken before restoring (name, timestamp, level, ...), or null. In check mode the one a real run
      would take, with a null timestamp.
  returned: always
  type: dict
queries:
  description: SQL that changed state (in check mode, that would), in order; passwords masked.
  returned: always
  type: list
  elements: str
  sample: ["RESTORE ACCOUNT `sys` DATABASE `snapshot_read` FROM SNAPSHOT `sp_02`"]
server:
  description: Server version, the capabilities the module derived from it, and whether the connection used TLS (C(tls)).
  returned: when connected
  type: dict
'''

import datetime

from ansible_collections.matrixone.backup.plugins.module_utils import _pitr, _restore, _snapshots, _sql
from ansible_collections.matrixone.backup.plugins.module_utils._module import MoModule, SqlError, ConnectionLost
from ansible_collections.matrixone.backup.plugins.module_utils._server import FeatureUnavailable


def validate(params):
    """Check every input before any SQL; return the restore time (aware UTC) for a PITR restore, else None."""
    if params["snapshot"] is not None:
        _sql.validate_name(params["snapshot"], "snapshot", "snapshot")
    when = None
    if params["pitr"] is not None:
        _sql.validate_name(params["pitr"], "pitr", "pitr")
        _pitr.zone(params["server_timezone"], "server_timezone")
        when = _pitr.parse_timestamp(params["timestamp"], params["timezone"])
        if params["to_account"] is not None:
            raise _sql.InvalidInput("to_account is not available with pitr: MatrixOne's PITR restore has no TO ACCOUNT")
    for key, kind in (("account", "account"), ("database", "database"), ("table", "table"),
                      ("to_account", "account"), ("to_account_admin_name", "user"),
                      ("safety_snapshot_name", "snapshot"), ("as_database", "database"), ("as_table", "table")):
        if params[key] is not None:
            _sql.validate_name(params[key], kind, key)
    if params["safety_snapshot_name"] and not params["safety_snapshot"]:
        raise _sql.InvalidInput("safety_snapshot_name needs safety_snapshot=true")
    if (params["as_database"] or params["as_table"]) and params["safety_snapshot"]:
        raise _sql.InvalidInput("safety_snapshot=true has nothing to protect with as_database/as_table: restoring "
                                "beside live data only creates new objects")
    return when


class Restore:
    """One restore: plan (scope, readers, statements), preview, run, verify."""

    def __init__(self, mo, when=None):
        self.mo = mo
        self.p = mo.params
        self.login = mo.login_account
        self.target_conn = None
        self.statements = []
        self.when = when  # restore time of a PITR restore (aware UTC), else None
        self.kind = "PITR" if when is not None else "snapshot"
        self.content_tables = None  # tables compared by content in the preview (None: none could be)
        self.content_suffix = None  # the restore point's read suffix those comparisons used
        self.samples = {"now": {}, "snap": {}}
        self.accounts = None  # (now, at the restore point) for a cluster restore
        self.previewed = None
        self.now_names = None  # restore beside live data: {source table: its copy}
        self.source_name = self.p["pitr"] if when is not None else self.p["snapshot"]

    def connect_target(self):
        """Log in to the account restored into, as its admin (to preview and verify it)."""
        self.target_conn = self.mo.connect_as(self.scope["target"], self.p["to_account_admin_name"],
                                              self.p["to_account_admin_password"])

    def q_login(self, stmt):
        return self.mo.query(stmt, record=False)

    def q_target(self, stmt):
        return self.mo.query(stmt, record=False, conn=self.target_conn)

    def find_snapshot(self):
        rows = self.mo.query(_sql.show_snapshots(exact={"name": self.p["snapshot"]}), record=False)
        if not rows:
            self.mo.fail("snapshot %s not found among the snapshots of account %s (MatrixOne shows each account "
                         "only the snapshots it created)" % (self.p["snapshot"], self.login))
        if len(rows) > 1:
            self.mo.fail("snapshot name %s is ambiguous: %d snapshots are listed" % (self.p["snapshot"], len(rows)))
        return _snapshots.from_row(rows[0])

    def find_pitr(self):
        """The PITR as a restore source; its window is checked before anything is sent."""
        self.mo.server.require("pitr")
        clock = self.mo.server_clock(self.p["server_timezone"])
        rows = self.mo.query(_sql.show_pitr(self.p["pitr"]), record=False)
        if not rows:
            self.mo.fail("PITR %s not found among the PITRs of account %s" % (self.p["pitr"], self.login))
        record = _pitr.from_row(rows[0], clock.shown_zone, clock.now)
        try:
            # a duration counts back from the server's clock, not the controller's
            self.when = _pitr.parse_timestamp(self.p["timestamp"], self.p["timezone"], now=clock.now)
            _pitr.check_in_window(self.when, record, clock.now)
            self.server_time = _pitr.server_text(self.when, clock.restore_zone())
        except _sql.InvalidInput as exc:
            self.mo.fail(str(exc), pitr=record)
        account = record["account"] if record["level"] != "cluster" else None
        return {"name": record["name"], "level": record["level"], "account": account,
                "database": record["database"], "table": record["table"],
                "timestamp": self.when.isoformat().replace("+00:00", "Z"), "pitr": record}

    def plan(self):
        mo, p = self.mo, self.p
        self.snap = self.find_pitr() if self.when is not None else self.find_snapshot()
        try:
            if p["as_database"] or p["as_table"]:
                self.scope = _restore.resolve_clone(p, self.snap, self.login, self.kind)
            else:
                self.scope = _restore.resolve_scope(p, self.snap, self.login, self.kind)
        except _restore.RestoreRefused as exc:
            mo.fail(str(exc), preview=None)
        scope = self.scope
        if scope["level"] == "cluster":
            mo.server.require("restore_cluster")
        target = scope["target"]
        self.target_exists = True
        has_admin = p["to_account_admin_name"] is not None
        if has_admin and (target is None or target == self.login):
            mo.fail("to_account_admin_name and to_account_admin_password are only used when restoring into another "
                    "account than the login account")
        if target is not None and target != self.login:
            self.target_exists = bool(mo.query(_sql.account_exists(target), record=False))
            if not self.target_exists:
                if scope["to_account"] and has_admin:
                    self.statements.append(_sql.create_account(target, p["to_account_admin_name"],
                                                               p["to_account_admin_password"]))
                elif scope["to_account"]:
                    mo.fail("to_account %s does not exist; give to_account_admin_name and to_account_admin_password "
                            "to create it first" % target)
                else:
                    mo.server.require("restore_dropped_account", "restoring a dropped account (%s)" % target)
            elif has_admin:
                self.connect_target()
        if p["verify"] and target is not None and target != self.login and not has_admin:
            mo.fail("verify=true needs to read account %s after the restore: give to_account_admin_name and "
                    "to_account_admin_password (its admin), or set verify=false" % target)
        if p["safety_snapshot"]:
            self.safety_name = p["safety_snapshot_name"] or _restore.safety_snapshot_name(
                self.source_name, datetime.datetime.now(_snapshots.UTC))
            if scope["level"] != "cluster" and not self.target_exists:
                self.safety_name = None  # nothing to protect: the target account does not exist yet
            else:
                self.statements.append(self.safety_statement())
        else:
            self.safety_name = None
        if scope.get("clone"):
            self.plan_clone()
            return
        if self.when is not None:
            self.restore_stmt = _sql.restore_pitr(scope["level"], p["pitr"], self.server_time, scope["account"],
                                                  scope["database"], scope["table"])
        else:
            self.restore_stmt = _sql.restore(mo.server.has("brace_restore"), scope["level"], p["snapshot"],
                                             scope["account"], scope["database"], scope["table"],
                                             scope["to_account"])
        self.statements.append(self.restore_stmt)

    def plan_clone(self):
        """CREATE ... CLONE at the restore point; for a table, its database first when that is missing."""
        s, clone = self.scope, self.scope["clone"]
        self.mo.server.require("clone")
        if s["level"] == "table" and s["target"] == self.login and \
                not self.mo.query(_sql.count_databases(clone["database"]), record=False)[0]["count(*)"]:
            self.statements.append(_sql.create_database(clone["database"]))
        self.restore_stmt = _sql.clone(s["level"], self.point_suffix(True), s["database"], s["table"],
                                       clone["database"], clone["table"], s["to_account"])
        self.statements.append(self.restore_stmt)

    def safety_definition(self):
        """level, account, database and table of the safety snapshot."""
        s = self.scope
        if s["level"] == "cluster":
            return dict(level="cluster", account=None, database=None, table=None)
        if s["level"] == "account":
            return dict(level="account", account=s["target"], database=None, table=None)
        if not self.mo.server.has("gc_safe_db_table_snapshot"):
            # database/table snapshots are missing (< 2.1) or may be garbage-collected (< 3.0.4): a safety net
            # must hold, so protect the whole login account instead
            return dict(level="account", account=self.login, database=None, table=None)
        return dict(level=s["level"], account=self.login, database=s["database"], table=s["table"])

    def safety_statement(self):
        d = self.safety_definition()
        account = d["account"] if d["level"] == "account" else None
        return _sql.create_snapshot(self.safety_name, d["level"], account, d["database"], d["table"])

    def predicted_safety(self):
        """What check mode says the safety snapshot will be (its time is known only when it is taken)."""
        if not self.safety_name:
            return None
        return dict(self.safety_definition(), name=self.safety_name, timestamp=None)

    # -- reading -------------------------------------------------------------------------------------
    def read_scope(self):
        s = self.scope
        if s["level"] == "cluster":  # the login (sys) account's part; other accounts are listed, not read
            return dict(level="account", database=None, table=None)
        return s

    def read_states(self, sides):
        """read_state of the sides; for a restore beside live data the copy is read and keyed by the source's names."""
        s = self.scope
        if not s.get("clone"):
            return _restore.read_state(sides, self.read_scope()) if sides else {}
        out = {}
        if "snap" in sides:
            out["snap"] = _restore.read_state({"snap": sides["snap"]}, s)["snap"]
        if "now" in sides:
            copy_scope = dict(level=s["level"], database=s["clone"]["database"], table=s["clone"]["table"])
            copy = _restore.read_state({"now": sides["now"]}, copy_scope)["now"]
            self.now_names = _restore.clone_names(s, copy["tables"])
            out["now"] = _restore.as_source(copy, s)
        return out

    def point_suffix(self, own):
        """Read suffix for the restore point: the snapshot by name for its holder, else the exact time."""
        if own and self.when is None:
            return _sql.at_snapshot(snapshot=self.p["snapshot"])
        return _sql.at_snapshot(mo_ts=_restore.timestamp_ns(self.snap["timestamp"]))

    def snapshot_side(self):
        s = self.scope
        if s["level"] == "cluster" or s["source"] == self.login:
            return _restore.Side(self.q_login, self.point_suffix(True))
        if self.target_conn is not None and s["source"] == s["target"]:
            return _restore.Side(self.q_target, self.point_suffix(False))
        if self.when is None and self.snap["level"] == "account" and self.login == "sys":
            # sys reads a tenant's account snapshot by name and sees that tenant's data and catalog
            rows = self.mo.query(_sql.snapshot_object_id(self.p["snapshot"]), record=False)
            if rows:
                return _restore.Side(self.q_login, self.point_suffix(True), int(rows[0]["obj_id"]))
        return None

    def now_side(self):
        s = self.scope
        if s["level"] == "cluster" or s["target"] == self.login:
            return _restore.Side(self.q_login, "")
        if self.target_conn is not None:
            return _restore.Side(self.q_target, "")
        return None

    def preview(self):
        s, scope = self.scope, self.read_scope()
        sides, notes = {}, []
        snap_side, now_side = self.snapshot_side(), self.now_side()
        if snap_side is not None:
            sides["snap"] = snap_side
        else:
            notes.append("the snapshot's data of account %s is not readable from account %s" % (s["source"],
                                                                                                self.login))
        if now_side is not None:
            sides["now"] = now_side
        elif self.target_exists:
            notes.append("the current data of account %s is not readable without to_account_admin_name and "
                         "to_account_admin_password" % s["target"])
        state = self.read_states(sides)
        empty = {"databases": set(), "tables": {}, "rows": {}}
        self.snap_state = state.get("snap")
        self.now_state = state.get("now", empty if not self.target_exists else None)
        preview = {"scope": dict((k, s[k]) for k in ("level", "account", "database", "table", "to_account")),
                   "snapshot": self.snap, "identical": None, "not_previewed": notes, "content_not_compared": []}
        if s.get("clone"):
            preview["scope"].update(as_database=s["clone"]["database"], as_table=s["clone"]["table"])
        both = self.snap_state is not None and self.now_state is not None
        content = self.read_content(snap_side, now_side, preview) if both else {}
        if both:
            preview.update(_restore.copy_names(_restore.compare(self.now_state, self.snap_state, scope, content), s))
        if s["level"] == "cluster":
            now_accounts, snap_accounts = _restore.accounts_state(self.q_login, self.point_suffix(True))
            self.accounts = (now_accounts, snap_accounts)
            preview["accounts_restored"] = sorted(snap_accounts - now_accounts)
            preview["accounts_removed"] = sorted(now_accounts - snap_accounts)
            preview["changes"] = preview.get("changes", 0) + len(preview["accounts_restored"]) + \
                len(preview["accounts_removed"])
            notes.append("accounts other than %s are restored but only listed, not compared" % self.login)
        if self.content_tables is not None and not notes and not preview["content_not_compared"]:
            preview["identical"] = preview.get("changes") == 0
        self.previewed = preview
        return preview

    def read_content(self, snap_side, now_side, preview):
        """Rows that differ per table (set difference both ways, batched); samples when --diff is on."""
        self.content_tables, self.samples = None, {"now": {}, "snap": {}}
        if now_side is None:  # the target account does not exist yet: everything is restored, nothing compared
            return {}
        if snap_side.query != now_side.query or snap_side.account_id is not None:
            preview["not_previewed"].append("row contents are not compared: the snapshot and the target are read "
                                            "through different logins")
            return {}
        self.content_tables, too_big = _restore.content_scope(self.now_state, self.snap_state,
                                                              self.p["content_max_rows"])
        preview["content_not_compared"] = [_restore.table_name(k) for k in too_big]
        self.content_suffix = snap_side.suffix
        content = _restore.content_changes(now_side.query, self.content_suffix, self.content_tables,
                                           now_names=self.now_names)
        if self.mo.module._diff:  # pylint: disable=protected-access
            self.samples = _restore.content_samples(now_side.query, snap_side.suffix, content, self.p["diff_rows"],
                                                    now_names=self.now_names)
        return content

    def diff(self):
        before = _restore.diff_view(self.now_state, self.samples["now"]) if self.now_state is not None else {}
        after = _restore.diff_view(self.snap_state, self.samples["snap"]) if self.snap_state is not None else {}
        if self.accounts is not None:
            before["accounts"], after["accounts"] = sorted(self.accounts[0]), sorted(self.accounts[1])
        redefined = set((self.previewed or {}).get("tables_redefined") or [])
        keys = [k for k in sorted(self.snap_state["tables"]) if _restore.table_name(k) in redefined] if redefined else []
        if keys:  # column by column, as compared (name, type code, nullability, key, default, comment)
            before["definitions"] = dict((_restore.table_name(k), self.now_state["tables"][k]) for k in keys)
            after["definitions"] = dict((_restore.table_name(k), self.snap_state["tables"][k]) for k in keys)
        return {"before": before, "after": after}

    def refuse_a_different_copy(self):
        """A restore beside live data never overwrites: an existing copy must equal the restore point."""
        clone, now = self.scope.get("clone"), self.now_state
        exists = now is not None and (now["tables"] or (self.scope["level"] == "database" and now["databases"]))
        if not clone or not exists or self.previewed["identical"]:
            return
        name = clone["database"] if self.scope["level"] == "database" else "%s.%s" % (clone["database"],
                                                                                      clone["table"])
        self.mo.fail("as_database/as_table: %s already exists and does not equal the %s (%s); drop it or choose "
                     "another name" % (name, self.kind, _restore.describe_differences(self.previewed)),
                     preview=self.previewed)

    # -- acting --------------------------------------------------------------------------------------
    def run(self):
        mo = self.mo
        safety = None
        for stmt in self.statements:
            if stmt is self.restore_stmt:
                break
            try:
                mo.query(stmt)
            except (SqlError, ConnectionLost) as exc:
                mo.fail_from(exc, "preparing the restore (nothing was restored)", preview=self.previewed,
                             verified=False, safety_snapshot=None)
            if self.safety_name and stmt.sql.startswith("CREATE SNAPSHOT"):
                rows = mo.query(_sql.show_snapshots(exact={"name": self.safety_name}), record=False)
                safety = _snapshots.from_row(rows[0]) if rows else {"name": self.safety_name}
        if not self.target_exists and self.p["to_account_admin_name"] and self.scope["to_account"]:
            self.connect_target()  # the account was just created: log in before its data is replaced
        try:
            mo.query(self.restore_stmt)
        except (SqlError, ConnectionLost) as exc:
            mo.fail_from(exc, "restore from %s %s" % (self.kind, self.source_name), preview=self.previewed,
                         verified=False, safety_snapshot=safety)
        return safety

    def verify(self, safety):
        mo = self.mo
        if self.target_conn is None and self.scope["target"] not in (None, self.login):
            self.connect_target()
        now_side = self.now_side()
        after = self.read_states({"now": now_side})["now"]
        content = {}
        if self.content_tables is not None:  # the same tables again, by content (counts alone for the rest)
            tables = [k for k in self.content_tables if k in after["tables"]]
            content = _restore.content_changes(now_side.query, self.content_suffix, tables, now_names=self.now_names)
        report = _restore.copy_names(_restore.compare(after, self.snap_state, self.read_scope(), content), self.scope)
        problems = [] if report["changes"] == 0 else [_restore.describe_differences(report)]
        if self.scope["level"] == "cluster":
            now_accounts, _snap = _restore.accounts_state(self.q_login, self.point_suffix(True))
            if now_accounts != self.accounts[1]:
                problems.append("accounts now %s, at the snapshot %s"
                                % (sorted(now_accounts), sorted(self.accounts[1])))
        if problems:
            mo.fail("the restore from %s %s reported success but the target does not match the %s: %s%s"
                    % (self.kind, self.source_name, self.kind, "; ".join(problems),
                       (". The state before the restore is in safety snapshot %s" % safety["name"]) if safety else ""),
                    changed=True, preview=self.previewed, verified=False, safety_snapshot=safety)


def main():
    mo = MoModule(dict(
        snapshot=dict(type="str"),
        pitr=dict(type="str"),
        timestamp=dict(type="str"),
        timezone=dict(type="str"),
        server_timezone=dict(type="str"),
        level=dict(type="str", choices=["cluster", "account", "database", "table"]),
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
        as_database=dict(type="str"),
        as_table=dict(type="str"),
    ), required_together=[("to_account_admin_name", "to_account_admin_password"), ("pitr", "timestamp")],
        mutually_exclusive=[("snapshot", "pitr")], required_one_of=[("snapshot", "pitr")])
    try:
        when = validate(mo.params)
    except _sql.InvalidInput as exc:
        mo.fail(str(exc))
    mo.connect()
    job = Restore(mo, when)
    try:
        job.plan()
        preview = job.preview()
        job.refuse_a_different_copy()
        # a copy beside live data that equals the restore point is never re-created (CLONE cannot overwrite)
        skip = preview["identical"] is True and (not mo.params["force"] or bool(job.scope.get("clone")))
        if mo.check_mode or skip:
            if not skip:
                for stmt in job.statements:
                    mo.would_run(stmt)
            mo.exit(not skip, preview=preview, verified=False, safety_snapshot=None if skip else job.predicted_safety(),
                    diff=job.diff())
        safety = job.run()
        if mo.params["verify"]:
            job.verify(safety)
        mo.exit(True, preview=preview, verified=bool(mo.params["verify"]), safety_snapshot=safety, diff=job.diff())
    except (SqlError, ConnectionLost, FeatureUnavailable) as exc:
        mo.fail_from(exc, "restore from %s %s" % (job.kind, job.source_name))


if __name__ == "__main__":
    main()
