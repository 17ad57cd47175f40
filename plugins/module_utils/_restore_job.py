# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One restore as mo_restore runs it: find the source, plan (pure, in _restore.plan), preview, act, verify.

Every failure is raised as an _errors.MoError carrying the fields the failed task returns; the module shell turns it
into the failed task.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _pitr, _restore, _snapshots, _sql, _time


class RestoreJob:
    """One restore: source, scope and plan, preview, run, verify."""

    def __init__(self, mo, when=None):
        self.mo = mo
        self.p = mo.params
        self.login = mo.login_account
        self.target_conn = None
        self.when = when  # restore time of a PITR restore (aware UTC), else None
        self.kind = "PITR" if when is not None else "snapshot"
        self.source_name = self.p["pitr"] if when is not None else self.p["snapshot"]
        self.snap = self.scope = self.plan = None
        self.server_time = None  # a PITR restore's time as the server reads it
        self.target_exists = True
        self.content_tables = None  # tables compared by content in the preview (None: none could be)
        self.content_suffix = None  # the restore point's read suffix those comparisons used
        self.samples = {"now": {}, "snap": {}}
        self.accounts = None  # (now, at the restore point) for a cluster restore
        self.previewed = None
        self.now_names = None  # restore beside live data: {source table: its copy}
        self.snap_state = self.now_state = None
        mo.doing = "restore from %s %s" % (self.kind, self.source_name)
        mo.failure_result.update(preview=None, verified=False, safety_snapshot=None)

    # -- source, scope and plan ----------------------------------------------------------------------
    def find_pitr(self):
        """The PITR as a restore source; its window is checked before anything is sent."""
        self.mo.server.require("pitr")
        clock = self.mo.server_clock(self.p["server_timezone"])
        rows = self.mo.query(_sql.show_pitr(self.p["pitr"]), record=False)
        if not rows:
            raise _errors.MoError("PITR %s not found among the PITRs of account %s" % (self.p["pitr"], self.login))
        record = _pitr.from_row(rows[0], clock.shown_zone, clock.now)
        try:
            # a duration counts back from the server's clock, not the controller's
            self.when = _time.parse_timestamp(self.p["timestamp"], self.p["timezone"], now=clock.now)
            _pitr.check_in_window(self.when, record, clock.now)
            self.server_time = _time.server_text(self.when, clock.restore_zone())
        except _errors.InvalidInput as exc:
            exc.result["pitr"] = record  # the failed task shows the window it was checked against
            raise
        account = record["account"] if record["level"] != "cluster" else None
        return {"name": record["name"], "level": record["level"], "account": account,
                "database": record["database"], "table": record["table"],
                "timestamp": _time.iso_utc(self.when), "pitr": record}

    def prepare(self):
        """Find the source, resolve the scope with MatrixOne's rules, and plan the statements."""
        mo, p = self.mo, self.p
        self.snap = self.find_pitr() if self.when is not None else _snapshots.find_required(mo, p["snapshot"])
        if p["as_database"] or p["as_table"]:
            self.scope = _restore.resolve_clone(p, self.snap, self.login, self.kind)
        else:
            self.scope = _restore.resolve_scope(p, self.snap, self.login, self.kind)
        target, clone = self.scope["target"], self.scope.get("clone")
        if target is not None and target != self.login:
            self.target_exists = bool(mo.query(_sql.account_exists(target), record=False))
        copy_db = clone is not None and self.scope["level"] == "table" and target == self.login and \
            bool(mo.query(_sql.count_databases(clone["database"]), record=False)[0]["count(*)"])
        self.plan = _restore.plan(p, self.scope, self.login, mo.server, dict(
            source_name=self.source_name, point=self.point_suffix(True), server_time=self.server_time,
            target_exists=self.target_exists, copy_database_exists=copy_db, now=datetime.datetime.now(_time.UTC)))
        if self.plan["target_login"]:
            self.connect_target()

    def statements(self):
        plan = self.plan
        return plan["prepare"] + ([plan["safety_statement"]] if plan["safety"] else []) + [plan["restore"]]

    def predicted_safety(self):
        """What check mode says the safety snapshot will be (its time is known only when it is taken)."""
        return dict(self.plan["safety"], timestamp=None) if self.plan["safety"] else None

    # -- reading -------------------------------------------------------------------------------------
    def connect_target(self):
        """Log in to the account restored into, as its admin (to preview and verify it)."""
        self.target_conn = self.mo.connect_as(self.scope["target"], self.p["to_account_admin_name"],
                                              self.p["to_account_admin_password"])

    def q_login(self, stmt):
        return self.mo.query(stmt, record=False)

    def q_target(self, stmt):
        return self.mo.query(stmt, record=False, conn=self.target_conn)

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
        return _sql.at_snapshot(mo_ts=_time.timestamp_ns(self.snap["timestamp"]))

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
        raise _errors.MoError("as_database/as_table: %s already exists and does not equal the %s (%s); drop it or "
                           "choose another name" % (name, self.kind, _restore.describe_differences(self.previewed)),
                           preview=self.previewed)

    # -- acting --------------------------------------------------------------------------------------
    def run(self):
        """Prepare, take the safety snapshot, restore; returns the safety snapshot (or None)."""
        mo, plan = self.mo, self.plan
        mo.failure_result["preview"] = self.previewed
        mo.doing = "preparing the restore (nothing was restored)"
        for stmt in plan["prepare"]:
            mo.query(stmt)
        safety = None
        if plan["safety"]:
            mo.query(plan["safety_statement"])
            safety = _snapshots.find(mo, plan["safety"]["name"]) or {"name": plan["safety"]["name"]}
            mo.failure_result["safety_snapshot"] = safety
        if plan["login_after_prepare"]:
            self.connect_target()  # the account was just created: log in before its data is replaced
        mo.doing = "restore from %s %s" % (self.kind, self.source_name)
        mo.query(plan["restore"])
        return safety

    def verify(self, safety):
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
            raise _errors.MoError("the restore from %s %s reported success but the target does not match the %s: %s%s"
                               % (self.kind, self.source_name, self.kind, "; ".join(problems),
                                  (". The state before the restore is in safety snapshot %s" % safety["name"])
                                  if safety else ""),
                               changed=True, preview=self.previewed, verified=False, safety_snapshot=safety)
