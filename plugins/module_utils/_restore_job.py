# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One restore as mo_restore runs it: find the source, apply the rules (_restore, pure), read each account's side now
and at the restore point (_state), compare, plan the statements, act, verify.

Every failure is raised as an _errors.MoError carrying the fields the failed task returns; the module shell turns it
into the failed task.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _pitr, _restore, _scope, _snapshots, _sql
from ansible_collections.matrixone.backup.plugins.module_utils import _state, _time


def scope_brings_users(scope, snap):
    """Whether the restore is RESTORE ACCOUNT a ... TO ACCOUNT b from a's own account snapshot (not sys's copy)."""
    return scope["level"] == "account" and bool(scope.get("to_account")) and not scope.get("copy") and \
        snap.get("level") == "account"


class View:
    """One account of the restore: how it is read now and at the restore point (None: the account does not exist
    there), the states read, and how its rows are compared."""

    def __init__(self, account, now, snap):
        self.account = account
        self.now = now
        self.snap = snap
        self.now_state = self.snap_state = None
        self.content = {}  # {(db, t): (rows only now, rows only at the point)}
        self.not_compared = []  # tables compared by count only (content_max_rows)
        self.samples = {"now": {}, "snap": {}}
        self.snap_checksums = None  # the restore point's checksums, read once (they do not change)

    @property
    def compared_by(self):
        if self.now is None or self.snap is None:  # one side is empty: known without reading its rows
            present = self.now or self.snap
            return "content" if present is None or present.rows else "objects"
        return _state.compared_by(self.now, self.snap)


class RestoreJob:
    """One restore: source, scope and plan, preview, run, verify."""

    def __init__(self, mo, when=None, params=None):
        """params: the restore's options when they are not the module's own (mo_restore_drill builds them)."""
        self.mo = mo
        self.p = params if params is not None else mo.params
        self.login = mo.login_account
        self.target_conn = None
        self.when = when  # restore time of a PITR restore (aware UTC), else None
        self.kind = "PITR" if when is not None else "snapshot"
        self.source_name = self.p["pitr"] if when is not None else self.p["snapshot"]
        self.snap = self.scope = self.plan = None
        self.options = None  # _restore.Options, once the source is known (snapshot_prefix picks it)
        self.picked = None  # with snapshot_prefix: the snapshot picked and the newer ones skipped
        self.server_time = None  # a PITR restore's time as the server reads it
        self.target_exists = True
        self.target_id = None  # the account id of the target when sys reads it
        self.accounts = None  # {'now': {name: id}, 'snap': {name: id}} for a cluster restore
        self.views = []
        self.tenant_conns = {}  # cluster restore: {account: connection} from account_logins
        self.previewed = None
        self.now_names = None  # restore beside live data: {source table: its copy}
        self.databases_to_copy = []
        self.delta = None  # how the restore is done (_restore.delta_plan), once previewed
        mo.doing = "restore from %s %s" % (self.kind, self.source_name)
        mo.failure_result.update(preview=None, verified=False, verified_by={}, safety_snapshot=None)

    @property
    def source_text(self):
        if self.when is not None:
            return "PITR %s at %s" % (self.source_name, self.snap["timestamp"])
        return "snapshot %s" % self.source_name

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
        """Find the source, resolve the scope with MatrixOne's rules, and check what the plan needs."""
        mo, p = self.mo, self.p
        if self.when is not None:
            self.snap = self.find_pitr()
        elif p["snapshot"] is None:  # snapshot_prefix: the newest that can do this restore
            listed = [_snapshots.from_row(r) for r in mo.query(_sql.show_snapshots(prefix=p["snapshot_prefix"]),
                                                               record=False)]
            self.snap, skipped = _restore.pick_newest(listed, p, self.login)
            p["snapshot"] = self.source_name = self.snap["name"]
            self.picked = {"prefix": p["snapshot_prefix"], "name": self.snap["name"], "skipped": skipped}
        else:
            self.snap = _snapshots.find_required(mo, p["snapshot"])
        self.scope = _restore.resolve(p, self.snap, self.login, self.kind)
        if p["account_logins"] and self.scope["level"] != "cluster":
            raise _errors.RestoreRefused("account_logins is used with a cluster restore; for another account give "
                                         "to_account_admin_name and to_account_admin_password")
        target, clone = self.scope["target"], self.scope.get("clone")
        if target is not None and target != self.login:
            rows = mo.query(_sql.account_exists(target), record=False)
            self.target_exists = bool(rows)
            self.target_id = int(rows[0]["account_id"]) if rows else None
        copy_db = clone is not None and self.scope["level"] == "table" and target == self.login and \
            bool(mo.query(_sql.count_databases(clone["database"]), record=False)[0]["count(*)"])
        self.options = _restore.options(p)
        self.plan = _restore.plan(self.options, self.scope, self.login, mo.server, dict(
            source_name=self.source_name, target_exists=self.target_exists, copy_database_exists=copy_db,
            now=datetime.datetime.now(_time.UTC)))
        if scope_brings_users(self.scope, self.snap) and p["to_account_admin_name"] is not None:
            self.refuse_an_admin_the_restore_removes()
        if self.plan["target_login"]:
            self.connect_target()

    def refuse_an_admin_the_restore_removes(self):
        """RESTORE ACCOUNT a ... TO ACCOUNT b brings a's users into b, and the admin's password is then set again
        (_restore.restore_statements) on a user that must be among them: else MatrixOne answers 'there is no user
        x' once the data are restored (real v4.1.4). Refused before anything when the snapshot's users are read."""
        try:
            rows = self.mo.query(_sql.users_at(self.restore_point()), record=False)
        except _errors.SqlError:
            return
        users = sorted(r["user_name"] for r in rows)
        admin = self.p["to_account_admin_name"]
        if users and admin not in users:
            raise _errors.RestoreRefused(
                "to_account_admin_name=%s: restoring account %s into %s brings the users %s had at %s (%s), and the "
                "admin password is set on one of them; give the name of %s's admin" % (
                    admin, self.scope["account"], self.scope["to_account"], self.scope["account"], self.source_text,
                    ", ".join(users), self.scope["account"]))

    def restore_point(self):
        """The restore point as the restore statements name it: the snapshot by name, a PITR's time."""
        return self.read_point() if self.when is not None else _time.Point(snapshot=self.p["snapshot"])

    def read_point(self):
        """Where an account is read through its own login at the restore point: at its exact time
        (_time.snapshot_time)."""
        return _time.snapshot_time(self.snap)

    def statements(self):
        plan = self.plan
        return plan["prepare"] + ([plan["safety_statement"]] if plan["safety"] else []) + self.restore_statements()

    def restore_statements(self):
        return _restore.restore_statements(self.options, self.scope, self.mo.server, dict(
            point=self.restore_point(), server_time=self.server_time, databases_to_copy=self.databases_to_copy,
            delta=self.delta))

    def predicted_safety(self):
        """What check mode says the safety snapshot will be (its time is known only when it is taken)."""
        return dict(self.plan["safety"], timestamp=None) if self.plan["safety"] else None

    # -- logins and readers ----------------------------------------------------------------------------
    def connect_target(self):
        """Log in to the account restored into, as its admin (to preview and verify it)."""
        self.target_conn = self.mo.connect_as(self.scope["target"], self.p["to_account_admin_name"],
                                              self.p["to_account_admin_password"])

    @property
    def q_login(self):
        return self.mo.reads()

    @property
    def q_target(self):
        return self.mo.reads(self.target_conn)

    def query_as(self, conn):
        return self.mo.reads(conn)

    def read_scope(self):
        """(databases, table) of the scope as _state.read takes it."""
        s = self.scope
        return ([s["database"]], s["table"]) if s["level"] in ("database", "table") else (None, None)

    def snapshot_reader(self):
        """The reader of the restore point for a restore of one account, or None when no login can read it."""
        s = self.scope
        if s["source"] == self.login:
            return _state.Reader(self.q_login, self.read_point())
        if self.target_conn is not None and s["source"] == s["target"]:
            return _state.Reader(self.q_target, self.read_point())
        if self.when is None and self.snap["level"] == "account" and self.login == "sys":
            # sys reads a tenant's account snapshot by name: that tenant's catalog (by id) and rows
            rows = self.mo.query(_sql.snapshot_object_id(self.p["snapshot"]), record=False)
            if rows:
                return _state.Reader(self.q_login, self.restore_point(), account_id=int(rows[0]["obj_id"]))
        return None

    def now_reader(self):
        """The reader of the target now for a restore of one account; None when it does not exist."""
        s = self.scope
        if s["target"] == self.login:
            return _state.Reader(self.q_login, _time.NOW)
        if self.target_conn is not None:
            return _state.Reader(self.q_target, _time.NOW)
        if self.target_id is not None and self.login == "sys":  # objects only: sys cannot read a tenant's rows now
            return _state.Reader(self.q_login, _time.NOW, account_id=self.target_id, rows=False)
        return None

    def read_accounts(self):
        """{'now': {name: id}, 'snap': {name: id}}: the accounts now and at the restore point (sys only)."""
        accounts = {"now": {}, "snap": {}}
        for row in self.mo.query(_sql.accounts_at(self.restore_point()), record=False):
            accounts[row["side"]][row["account_name"]] = int(row["account_id"])
        return accounts

    def cluster_views(self):
        """One view per account now or at the snapshot: sys through the login, a tenant through its login from
        account_logins (now and at the snapshot's time), else through sys's view of its catalog (objects only)."""
        point, views = self.restore_point(), []
        for name in sorted(set(self.accounts["now"]) | set(self.accounts["snap"])):
            now_id, snap_id = self.accounts["now"].get(name), self.accounts["snap"].get(name)
            conn = self.tenant_conns.get(name)
            if name == self.login:
                now, snap = _state.Reader(self.q_login, _time.NOW), _state.Reader(self.q_login, self.read_point())
            elif conn is not None:
                query = self.query_as(conn)
                now = _state.Reader(query, _time.NOW)
                snap = _state.Reader(query, self.read_point()) if snap_id is not None else None
            else:
                now = _state.Reader(self.q_login, _time.NOW, now_id, rows=False) if now_id is not None else None
                snap = _state.Reader(self.q_login, point, snap_id, rows=False) if snap_id is not None else None
            views.append(View(name, now, snap))
        return views

    def connect_tenants(self):
        """Log in to the tenants of account_logins that exist now (a cluster restore)."""
        self.tenant_conns = {}
        for login in self.p["account_logins"] or []:
            if login["account"] in self.accounts["now"]:
                self.tenant_conns[login["account"]] = self.mo.connect_as(login["account"], login["user"],
                                                                         login["password"])

    # -- reading and comparing ---------------------------------------------------------------------------
    def read(self, views, sides=("now", "snap"), count_now=True):
        """Fill each view's states of `sides`: one listing per login, row counts in batches (_state). count_now
        False: the rows now of a view compared by content are left to compare_rows."""
        databases, table = self.read_scope()
        s = self.scope
        uncounted = () if count_now else set(("now", index) for index, view in enumerate(views)
                                             if view.snap is not None and view.compared_by == "content")
        readers = {}
        for index, view in enumerate(views):
            if "snap" in sides and view.snap is not None:
                readers[("snap", index)] = view.snap
            if "now" in sides and view.now is not None and not s.get("clone"):
                readers[("now", index)] = view.now
        states = _state.read(readers, databases, table, uncounted)
        for index, view in enumerate(views):
            if "snap" in sides:
                view.snap_state = states.get(("snap", index), _state.empty())
            view.now_state = states.get(("now", index), _state.empty())
        if s.get("clone") and views[0].now is not None:  # the copy, read under its own names, keyed by the source's
            copy = _state.read({"now": views[0].now}, [s["clone"]["database"]], s["clone"]["table"],
                               ["now"] if ("now", 0) in uncounted else ())["now"]
            self.now_names = _restore.clone_names(s, copy["tables"])
            views[0].now_state = _restore.as_source(copy, s)

    def compare_rows(self, view, samples=False):
        """Rows of the tables on both sides, compared by set difference or by checksums (as the view allows). Rows
        now not counted yet (read with count_now False) are derived from the comparison for the tables with a
        primary key (_state.rows_from_content) and counted for the rest; until then the restore point's counts
        alone decide what content_max_rows leaves out."""
        view.content, view.not_compared, view.samples = {}, [], {"now": {}, "snap": {}}
        method = view.compared_by
        if view.now is None or view.snap is None or method == "objects":
            return
        tables, view.not_compared = _state.content_scope(view.now_state, view.snap_state, self.p["content_max_rows"])
        if method == "content":
            view.content = _state.content_changes(view.now.query, view.snap.point, tables, current=view.now.point,
                                                  now_names=self.now_names, columns=view.snap_state["columns"])
            _state.rows_from_content(view.now_state, view.snap_state, view.content)
            if samples:
                changed = [k for k, (a, b) in view.content.items() if a or b]
                keys = _state.common_keys(view.snap_state, view.now_state, changed) \
                    if self.now_names is None and self.p["diff_rows"] > 0 else {}
                view.samples = _state.content_samples(view.now.query, view.snap.point, view.content,
                                                      self.p["diff_rows"], now_names=self.now_names, keys=keys,
                                                      columns=view.snap_state["columns"], current=view.now.point)
        else:
            if view.snap_checksums is None:
                view.snap_checksums = _state.checksums(view.snap, view.snap_state, _state.content_scope(
                    view.snap_state, view.snap_state, self.p["content_max_rows"])[0])
            now_sums = _state.checksums(view.now, view.now_state, tables)
            view.content = dict((k, (0, 0) if now_sums.get(k) == view.snap_checksums.get(k) else (None, None))
                                for k in tables)
        _state.count_missing_rows(view.now, view.now_state, self.now_names)

    def report(self, views):
        """The comparison of the views: one account's report as it is, several accounts' qualified and merged."""
        level = "account" if self.scope["level"] == "cluster" else self.scope["level"]
        reports = []
        for view in views:
            report = _state.compare(view.now_state, view.snap_state, level, view.content)
            report["content_not_compared"] = [_state.table_name(k) for k in view.not_compared]
            reports.append(report)
        if self.scope["level"] != "cluster":
            return _restore.copy_names(reports[0], self.scope)
        out = _state.merged([_state.qualified(r, v.account) for r, v in zip(reports, views)])
        out["accounts_restored"] = sorted(set(self.accounts["snap"]) - set(self.accounts["now"]))
        out["accounts_removed"] = sorted(set(self.accounts["now"]) - set(self.accounts["snap"]))
        out["changes"] += len(out["accounts_restored"]) + len(out["accounts_removed"])
        return out

    def preview(self):
        s = self.scope
        notes = []
        if s["level"] == "cluster":
            self.accounts = self.read_accounts()
            self.connect_tenants()
            self.views = self.cluster_views()
        else:
            if s["level"] == "account" and self.snap["level"] == "cluster" and self.login == "sys":
                self.refuse_account_missing_at_snapshot()
            snap_reader = self.snapshot_reader()
            if snap_reader is None:
                notes.append("the %s's data of account %s is not readable from account %s"
                             % (self.kind, s["source"], self.login))
            self.views = [View(s["target"] or self.login, self.now_reader(), snap_reader)]
        preview = {"scope": dict((k, s[k]) for k in ("level", "account", "database", "table", "to_account")),
                   "snapshot": self.snap, "snapshot_picked": self.picked, "identical": None, "not_previewed": notes, "compared": {}}
        if s.get("clone"):
            preview["scope"].update(as_database=s["clone"]["database"], as_table=s["clone"]["table"])
        self.previewed = preview
        if notes:  # nothing to compare the target with
            self.choose_method(preview)
            return preview
        self.read(self.views)
        preview["versions"] = self.read_versions()
        view = self.views[0]
        if s["level"] in ("database", "table"):
            _restore.refuse_missing_target(s, view.snap_state, view.now_state if view.now else None, self.source_text)
        for view in self.views:
            if view.snap is not None:
                self.compare_rows(view, samples=self.mo.module._diff)  # pylint: disable=protected-access
        preview.update(self.report(self.views))
        if s["target"] not in (None, self.login) and not self.target_exists:  # the account itself is a change
            preview["accounts_created" if s["to_account"] else "accounts_restored"] = [s["target"]]
            preview["changes"] += 1
        if s.get("copy"):
            self.databases_to_copy = _restore.databases_to_copy(s, preview, self.source_text)
        preview["compared"] = dict((v.account, v.compared_by) for v in self.views)
        if preview["changes"]:
            preview["identical"] = False
        elif not preview["content_not_compared"] and "objects" not in preview["compared"].values():
            preview["identical"] = True
        self.mo.failure_result["preview"] = preview  # a method=delta refused still shows what differs
        self.choose_method(preview)
        return preview

    def choose_method(self, preview):
        """Restore only what differs, or the whole scope (method): decided from the preview, said in it."""
        s = self.scope
        view = self.views[0] if len(self.views) == 1 else None
        readable = view is not None and view.now is not None and view.snap is not None and \
            view.snap_state is not None
        if s["level"] == "table":
            self.delta = _restore.delta_plan("auto", "a table restore restores one table", "table", None, None, {})
        else:
            refusal = _restore.delta_refusal(s, self.login, self.snap["level"], self.p["force"],
                                             view.compared_by if readable else None)
            differences = None
            if refusal is None and s["level"] == "account" and self.p["method"] != "full":
                differences = self.system_differences()
            self.delta = _restore.delta_plan(self.p["method"], refusal, s["level"],
                                             view.now_state if readable else None,
                                             view.snap_state if readable else None,
                                             view.content if readable else {}, differences)
        plan = self.delta
        preview["method"] = plan["method"]
        preview["method_reason"] = plan["reason"]
        preview["delta"] = dict(
            restore_databases=plan["restore_databases"], drop_databases=plan["drop_databases"],
            restore_tables=[_state.table_name(k) for k in plan["restore_tables"]],
            drop_tables=[_state.table_name(k) for k in plan["drop_tables"]])
        if plan["method"] == "delta":  # tables restored one by one keep the database's sequences
            whole = set(plan["restore_databases"]) | set(plan["drop_databases"])
            preview["sequences_dropped"] = [n for n in preview.get("sequences_dropped", [])
                                            if n.partition(".")[0] in whole]

    def system_differences(self):
        """The mo_catalog tables an account restore rewrites (users, roles, grants...) that differ now from the
        restore point, compared by content through the login; None when they cannot be read."""
        tables = [("mo_catalog", t) for t in _sql.ACCOUNT_SYSTEM_TABLES]
        try:
            changes = _state.content_changes(self.q_login, self.restore_point(), tables)
        except _errors.SqlError:
            return None
        return [t for (_db, t), (a, b) in sorted(changes.items()) if a or b]

    def read_versions(self):
        """The server's catalog version now and at the restore point (sys only), to say a restore crosses an upgrade;
        None where it cannot be read (a tenant's login, a server without mo_version)."""
        if self.login != "sys":
            return None
        try:
            rows = self.mo.query(_sql.catalog_versions(self.restore_point()), record=False)
        except _errors.SqlError:
            return None
        return _restore.versions(rows, self.mo.server.describe())

    def refuse_account_missing_at_snapshot(self):
        """An account restore from a cluster snapshot of an account the snapshot does not hold."""
        if self.scope["account"] not in self.read_accounts()["snap"]:
            raise _errors.RestoreRefused("account=%s: there is no account %s in %s"
                                         % (self.scope["account"], self.scope["account"], self.source_text))

    def diff(self):
        def side(view, which):
            state = view.now_state if which == "now" else view.snap_state
            out = _state.diff_view(state, view.samples[which])
            redefined = _state.redefined(view.now_state, view.snap_state)
            if redefined:  # column by column, as compared (name, type code, nullability, key, default, comment)
                both = view.now_state.get("indexes") is not None and view.snap_state.get("indexes") is not None
                out["definitions"] = dict((_state.table_name(k), _state.definition(state, k, both)) for k in redefined)
            return out
        headers = self.diff_headers()
        if not self.views or self.views[0].snap_state is None:
            return dict(headers, before={}, after={})
        if self.scope["level"] != "cluster":
            return dict(headers, before=side(self.views[0], "now"), after=side(self.views[0], "snap"))
        return dict(headers,
                    before={"accounts": dict((v.account, side(v, "now")) for v in self.views if v.now is not None)},
                    after={"accounts": dict((v.account, side(v, "snap")) for v in self.views if v.snap is not None)})

    def diff_headers(self):
        """What the two sides of --diff are, and how the restore gets from one to the other."""
        s, plan = self.scope, self.delta
        target = _scope.describe(dict(s, account=s["target"]))
        how = ""
        if plan is not None and plan["method"] == "delta":
            counts = [(len(plan["restore_tables"]), "table restored", "tables restored"),
                      (len(plan["restore_databases"]), "database restored whole", "databases restored whole"),
                      (len(plan["drop_tables"]), "table dropped", "tables dropped"),
                      (len(plan["drop_databases"]), "database dropped", "databases dropped")]
            how = ", delta: " + (", ".join("%d %s" % (n, one if n == 1 else many) for n, one, many in counts if n)
                                 or "nothing to send")
        elif plan is not None and s["level"] in ("database", "account"):
            how = ", full: %s" % plan["reason"]
        return {"before_header": "%s now" % target.replace("account None", "the login account"),
                "after_header": "%s%s" % (self.source_text, how)}

    def refuse_a_different_copy(self):
        """A restore beside live data never overwrites: an existing copy must equal the restore point."""
        clone, now = self.scope.get("clone"), self.views[0].now_state
        exists = now is not None and (now["tables"] or (self.scope["level"] == "database" and now["databases"]))
        if not clone or not exists or self.previewed["identical"]:
            return
        name = clone["database"] if self.scope["level"] == "database" else "%s.%s" % (clone["database"],
                                                                                      clone["table"])
        raise _errors.MoError("as_database/as_table: %s already exists and does not equal the %s (%s); drop it or "
                              "choose another name" % (name, self.kind, _state.describe_differences(self.previewed)),
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
        for statements, at_once in self.restore_steps():
            if at_once:
                self.send_at_once(statements)
            else:
                for stmt in statements:
                    mo.query(stmt)
        return safety

    def restore_steps(self):
        """The restore statements as (statements, at_once) steps: a delta's (_restore.delta_steps), else one step
        sent in order."""
        if self.delta is not None and self.delta["method"] == "delta":
            return _restore.delta_steps(self.delta, self.options, self.scope, self.mo.server, self.server_time)
        return [(self.restore_statements(), False)]

    def send_at_once(self, statements):
        """Independent statements (tables restored one by one) spread over the login's connections: real v3.0.18,
        100 RESTORE TABLE in 0.9 to 1.2 s instead of 1.7 to 2.0 s one after another, 1,000 in 15 to 16 s instead of
        20 to 25 s. `queries` lists those sent, in their order, as check mode lists them; the first error is raised
        once every connection has stopped."""
        mo, attempted = self.mo, set()
        if len(statements) < 2:  # not worth a second login
            for stmt in statements:
                mo.query(stmt)
            return

        def sender(conn):
            def send(stmt):
                attempted.add(id(stmt))
                return mo.query(stmt, record=False, conn=conn)
            return send
        try:
            _state.run_spread([sender(read.conn) for read in mo.reads().parallel()], statements)
        finally:
            mo.queries.extend(stmt.display for stmt in statements if id(stmt) in attempted)

    def verify(self, safety):
        """Read the target again and compare it with the restore point the way the preview did; returns how each
        account was compared ({account: content | checksums | objects})."""
        s = self.scope
        before = dict((v.account, v) for v in self.views)
        if s["level"] == "cluster":
            self.accounts = self.read_accounts()
            self.connect_tenants()  # a cluster restore drops and recreates accounts: log in afresh
            views = self.cluster_views()
        else:
            if self.target_conn is None and s["target"] not in (None, self.login):
                self.connect_target()
            views = [View(self.views[0].account, self.now_reader(), self.views[0].snap)]
        for view in views:  # the restore point does not change: its states and checksums are those of the preview
            old = before.get(view.account)
            view.snap_state = old.snap_state if old is not None else _state.empty()
            view.snap_checksums = old.snap_checksums if old is not None and old.snap is not None and \
                view.snap is not None and old.snap.query == view.snap.query else None
        self.read(views, sides=("now",), count_now=False)
        for view in views:
            if view.snap is not None:
                self.compare_rows(view)
        report = self.report(views)
        verified_by = dict((v.account, v.compared_by) for v in views)
        if report["changes"]:
            raise _errors.MoError(
                "the restore from %s reported success but the target does not match it: %s%s"
                % (self.source_text, _state.describe_differences(report),
                   (". The state before the restore is in safety snapshot %s" % safety["name"]) if safety else ""),
                changed=True, preview=self.previewed, verified=False, verified_by=verified_by, verification=report,
                safety_snapshot=safety)
        return verified_by
