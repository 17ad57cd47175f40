# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rehearse a change on a zero-copy clone (mo_rehearse, the snapshot_guard role's rehearsal).

The databases of an account are cloned at a snapshot into a new scratch account (CREATE ACCOUNT; CREATE DATABASE d
CLONE d {SNAPSHOT = s} TO ACCOUNT scratch: the same names, storage shared), the change runs there through the
scratch account's admin (a generated password), then the checks, then the scratch account's data are compared with
its own snapshot taken before the change (_diff). The scratch account is dropped, always, and so is the temporary
snapshot the clone needed: that snapshot is the only write outside the scratch account. Both are named
<prefix><UTC time>_<4 random characters>, so the next rehearsal with the same prefix removes what a crash left.

Only sys can do it: a tenant admin's CREATE ACCOUNT answers 'do not have privilege to execute the statement' and its
CLONE ... TO ACCOUNT 'only sys can clone table to another account' (real v4.1.4); sys clones a tenant's database
from an account (or cluster) snapshot of that tenant, resolving the name in the snapshot's account.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import random
import re
import string
import time

from ansible_collections.matrixone.backup.plugins.module_utils import _diff, _errors, _snapshots, _sql, _state, _time

DEFAULT_PREFIX = "mo_rehearsal_"
SCRATCH_ADMIN = "admin"
START_SNAPSHOT = "rehearsal_start"  # the scratch account's own snapshot of its data before the change
PREFIX_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,29}$")


def validate(params):
    """Bad input, named by its option, before any SQL runs."""
    _sql.validate_names(params, (("account", "account"), ("snapshot", "snapshot"), ("database", "database")))
    for db in params["databases"] or []:
        _sql.validate_name(db, "database", "databases")
    validate_prefix(params["scratch_prefix"])
    if params["sample_rows"] < 0:
        raise _errors.InvalidInput("sample_rows must be 0 or more, got %d" % params["sample_rows"])
    validate_checks(params["checks"])


def validate_prefix(prefix, what="the scratch account's name"):
    if not PREFIX_PATTERN.match(prefix):
        raise _errors.InvalidInput("scratch_prefix must be 1-30 lower-case letters, digits and _ starting with a "
                                   "letter (it starts %s), got %r" % (what, prefix))


def validate_checks(checks):
    """Each check is {sql, name?, expect?}, as the snapshot_guard role's checks."""
    for index, check in enumerate(checks or []):
        if not isinstance(check, dict) or not isinstance(check.get("sql"), str) or not check["sql"].strip():
            raise _errors.InvalidInput("checks[%d] needs sql, a query (and optionally name and expect), got %r"
                                       % (index, check))
        unknown = set(check) - set(("name", "sql", "expect"))
        if unknown:
            raise _errors.InvalidInput("checks[%d] has unknown keys %s (known: name, sql, expect)"
                                       % (index, ", ".join(sorted(unknown))))


def refusal(server, login_account):
    """Why this login cannot rehearse (raised before anything runs)."""
    if login_account != "sys":
        raise _errors.FeatureUnavailable(
            "a rehearsal needs a sys login (login_account=sys), logged in to %s: only sys creates the scratch account "
            "and clones databases into it (a tenant admin gets 'do not have privilege to execute the statement' and "
            "'only sys can clone table to another account')" % login_account)
    server.require("clone", "a rehearsal (CREATE DATABASE ... CLONE ... TO ACCOUNT)")


def scratch_name(prefix, now=None, rng=None):
    """<prefix><UTC yyyymmddHHMMSS>_<4 random lower-case letters or digits>."""
    now = now or datetime.datetime.now(_time.UTC)
    rng = rng or random.SystemRandom()
    return "%s%s_%s" % (prefix, now.strftime("%Y%m%d%H%M%S"),
                        "".join(rng.choice(string.ascii_lowercase + string.digits) for _i in range(4)))


def is_scratch_name(name, prefix):
    """Whether `name` is one scratch_name() gives for `prefix`."""
    return re.match(r"^%s[0-9]{14}_[a-z0-9]{4}$" % re.escape(prefix), name) is not None


def generate_password(rng=None):
    """A password for the scratch account's admin: 24 characters, upper and lower case and digits."""
    rng = rng or random.SystemRandom()
    chars = [rng.choice(string.ascii_uppercase), rng.choice(string.ascii_lowercase), rng.choice(string.digits)] + \
        [rng.choice(string.ascii_letters + string.digits) for _i in range(21)]
    rng.shuffle(chars)
    return "".join(chars)


def check_result(check, rows):
    """One check's entry: its rows as JSON carries them (dates and decimals as text) and whether they equal expect."""
    plain = [_state.plain_row(r) for r in rows]
    entry = {"name": check.get("name") or check["sql"], "sql": check["sql"], "rows": plain}
    if "expect" in check:
        entry["expect"] = check["expect"]
        entry["passed"] = plain == check["expect"]
    else:
        entry["passed"] = True
    return entry


def source_snapshot(snap, account, databases):
    """An existing snapshot can seed the clones when it covers the account's databases: a cluster snapshot, an
    account snapshot of that account, or a database snapshot of the one database rehearsed (sys's own)."""
    level = snap["level"]
    if level == "cluster" or (level == "account" and snap["account"] == account):
        return
    if level == "database" and account == "sys" and databases == [snap["database"]]:
        return
    raise _errors.InvalidInput(
        "snapshot=%s is a %s snapshot%s; a rehearsal of %s in account %s clones from a cluster snapshot, an account "
        "snapshot of %s%s" % (snap["name"], level, " of %s" % (snap.get("database") or snap.get("account") or ""),
                              ", ".join(databases) if databases else "every database", account, account,
                              ", or a database snapshot of the one database rehearsed (sys)" if account == "sys"
                              else ""))


def run_checks(mo, conn, checks, doing):
    """Each check's entry (check_result), run through conn; a check MatrixOne refuses fails with its error."""
    entries = []
    for check in checks:
        mo.doing = "%s %s" % (doing, check.get("name") or check["sql"])
        try:
            rows = mo.query(_sql.user_statement(check["sql"]), record=False, conn=conn)
        except _errors.SqlError as exc:
            entries.append({"name": check.get("name") or check["sql"], "sql": check["sql"], "passed": False,
                            "error": "MatrixOne error %s: %s" % (exc.code, exc.text)})
            continue
        entries.append(check_result(check, rows))
    return entries


def failed_checks(bad):
    """'name: why; ...' of the checks that did not pass (their error, or what they expected and got)."""
    return "; ".join("%s: %s" % (c["name"], c.get("error") or "expected %s, got %s" % (c.get("expect"), c["rows"]))
                     for c in bad)


def drop_leftover_accounts(mo, prefix):
    """Drop the accounts an interrupted run with this prefix left (only names scratch_name() gives; sys only);
    returns what was dropped, as 'account <name>'."""
    dropped = []
    for row in mo.query(_sql.accounts_with_prefix(prefix), record=False):
        if is_scratch_name(row["account_name"], prefix):
            mo.query(_sql.drop_account(row["account_name"]))
            dropped.append("account " + row["account_name"])
    return dropped


def drop_user_databases(mo, conn):
    """Drop every non-system database the login of conn sees (a scratch account's, before DROP ACCOUNT)."""
    for row in mo.query(_sql.show_databases(), record=False, conn=conn):
        name = list(row.values())[0]
        if name not in _sql.SYSTEM_DATABASES:
            mo.query(_sql.drop_database(name), conn=conn)


class Rehearsal:
    """One rehearsal. run() returns the report (passed or not); what it leaves is dropped in run() unless kept."""

    def __init__(self, mo, params, statements, now=None):
        self.mo = mo
        self.params = params
        self.statements = statements
        self.scratch = scratch_name(params["scratch_prefix"], now)
        self.password = generate_password()
        mo.add_secret(self.password)
        self.account = params["account"] or mo.login_account
        self.report = {
            "account": self.scratch, "kept": False,
            "source": {"account": self.account, "snapshot": None, "temporary": False},
            "databases": [], "leftovers_removed": [], "statements": [], "failed": None, "checks": [],
            "changes": None, "summary": None, "passed": False, "seconds": {}}
        self.states = {}
        self.scratch_conn = None  # the login the change runs through
        self.logins = []  # every connection to the scratch account, closed before it is dropped
        self.created = {"snapshot": None, "account": False}

    # -- steps ---------------------------------------------------------------------------------------------
    def remove_leftovers(self):
        """Scratch accounts and temporary snapshots that an interrupted rehearsal left: named by scratch_name() with
        this prefix (a name that only starts with the prefix is not ours and is left alone)."""
        mo, prefix = self.mo, self.params["scratch_prefix"]
        mo.doing = "removing what an earlier rehearsal left (scratch_prefix %s)" % prefix
        self.report["leftovers_removed"] += drop_leftover_accounts(mo, prefix)
        for row in mo.query(_sql.show_snapshots(prefix=prefix), record=False):
            snap = _snapshots.from_row(row)
            if is_scratch_name(snap["name"], prefix):
                mo.query(_sql.drop_snapshot(snap["name"], if_exists=True))
                self.report["leftovers_removed"].append("snapshot " + snap["name"])

    def source_point(self):
        """The snapshot the clones are taken at: the given one, else a temporary account snapshot."""
        mo, name = self.mo, self.params["snapshot"]
        source = self.report["source"]
        if name is not None:
            mo.doing = "reading snapshot %s" % name
            snap = _snapshots.find_required(mo, name)
            source_snapshot(snap, self.account, self.params["databases"])
            source.update(snapshot=name, timestamp=snap["timestamp"])
            return _time.Point(snapshot=name)
        mo.doing = "taking the temporary snapshot %s of account %s" % (self.scratch, self.account)
        mo.query(_sql.create_snapshot(self.scratch, "account", account=self.account))
        self.created["snapshot"] = self.scratch
        snap = _snapshots.find_required(mo, self.scratch)
        source.update(snapshot=self.scratch, timestamp=snap["timestamp"], temporary=True)
        return _time.Point(snapshot=self.scratch)

    def databases(self, point):
        mo = self.mo
        mo.doing = "listing the databases of account %s" % self.account
        rows = mo.query(_sql.account_exists(self.account), record=False)
        if not rows:
            raise _errors.InvalidInput("account=%s: there is no such account" % self.account)
        there = sorted(r["datname"] for r in mo.query(_sql.databases_at(point, rows[0]["account_id"]), record=False))
        wanted = self.params["databases"]
        if not wanted:
            if not there:
                raise _errors.InvalidInput("account %s has no database to rehearse on" % self.account)
            return there
        missing = [db for db in wanted if db not in there]
        if missing:
            raise _errors.InvalidInput("databases: %s not in account %s at snapshot %s (it has: %s)" % (
                ", ".join(missing), self.account, point.snapshot, ", ".join(there) or "no database"))
        return list(wanted)

    def clone(self, point, databases):
        mo = self.mo
        mo.doing = "creating the scratch account %s" % self.scratch
        mo.query(_sql.create_account(self.scratch, SCRATCH_ADMIN, self.password))
        self.created["account"] = True
        for db in databases:
            mo.doing = "cloning database %s into the scratch account %s" % (db, self.scratch)
            mo.query(_sql.clone("database", point, db, None, db, to_account=self.scratch))
        self.report["databases"] = databases
        mo.doing = "logging in to the scratch account %s as %s" % (self.scratch, SCRATCH_ADMIN)
        self.scratch_conn = self.login()
        mo.doing = "taking the scratch account's snapshot before the change"
        self.run_in_scratch(_sql.create_snapshot(START_SNAPSHOT, "account", account=self.scratch))

    def login(self):
        """A new connection to the scratch account as its admin."""
        conn = self.mo.connect_as(self.scratch, SCRATCH_ADMIN, self.password)
        self.logins.append(conn)
        return conn

    def run_in_scratch(self, statement):
        return self.mo.query(statement, conn=self.scratch_conn)

    def change(self):
        """Each statement in order, timed; the first failure stops and is recorded (statement, where, error)."""
        mo = self.mo
        if self.params["database"] is not None:
            self.run_in_scratch(_sql.use_database(self.params["database"]))
        for index, (stmt, where) in enumerate(self.statements, 1):
            mo.doing = "rehearsing statement %d of %d" % (index, len(self.statements))
            started = time.time()
            try:
                rows = self.run_in_scratch(stmt)
            except (_errors.SqlError, _errors.ConnectionLost) as exc:
                self.report["failed"] = {"index": index, "statement": stmt.display, "where": where,
                                         "error_code": exc.code, "error": exc.text,
                                         "connection_lost": isinstance(exc, _errors.ConnectionLost)}
                return False
            self.report["statements"].append({"statement": stmt.display, "where": where,
                                              "seconds": round(time.time() - started, 3),
                                              "rowcount": len(rows) if rows else mo.last_rowcount})
        return True

    def checks(self):
        """Each check on a new login to the scratch account with `database` as its default, as a check runs after
        the real change (a USE in the change does not carry over)."""
        if not self.params["checks"]:
            return True
        conn = self.login()
        if self.params["database"] is not None:
            self.mo.query(_sql.use_database(self.params["database"]), record=False, conn=conn)
        self.report["checks"] = run_checks(self.mo, conn, self.params["checks"], "rehearsing check")
        return all(c["passed"] for c in self.report["checks"])

    def compare(self):
        """What the change did in the scratch account: its data now against its snapshot before the change."""
        self.mo.doing = "comparing the scratch account after the change with its start"
        scope = {"level": "account", "database": None, "table": None}
        report = _diff.compare_points(self.mo.reads(self.scratch_conn), _time.Point(snapshot=START_SNAPSHOT),
                                      _time.NOW, scope, self.params["content_max_rows"], self.params["sample_rows"],
                                      states=self.states)
        self.report["changes"] = report
        self.report["summary"] = _diff.summary(report)

    def clean_up(self):
        """Drop the scratch account (unless kept) and the temporary snapshot; what cannot be dropped is returned as
        warnings (the next rehearsal with this prefix removes it)."""
        mo, warnings = self.mo, []
        if self.created["account"] and not self.params["keep_account"] and self.scratch_conn is not None:
            self.empty_scratch()
        for conn in self.logins:
            mo.close_login(conn)
        self.logins, self.scratch_conn = [], None
        steps = []
        if self.created["account"] and not self.params["keep_account"]:
            steps.append(("scratch account " + self.scratch, _sql.drop_account(self.scratch)))
        if self.created["snapshot"]:
            steps.append(("temporary snapshot " + self.scratch, _sql.drop_snapshot(self.scratch, if_exists=True)))
        for what, statement in steps:
            try:
                mo.query(statement)
            except (_errors.SqlError, _errors.ConnectionLost) as exc:
                warnings.append("the %s could not be dropped (%s); the next rehearsal with scratch_prefix %s drops it"
                                % (what, exc.text, self.params["scratch_prefix"]))
        self.report["kept"] = bool(self.created["account"] and self.params["keep_account"])
        return warnings

    def empty_scratch(self):
        """Drop the scratch account's snapshot and databases through its admin before the account: on real v3.0.18,
        1,000 cloned tables took 61 s this way and 72 to 120 s by DROP ACCOUNT alone (v4.1.4: 18.6 s either way).
        Any failure here is left to DROP ACCOUNT."""
        try:
            self.run_in_scratch(_sql.drop_snapshot(START_SNAPSHOT, if_exists=True))
            drop_user_databases(self.mo, self.scratch_conn)
        except (_errors.SqlError, _errors.ConnectionLost):
            pass

    # -- the whole ---------------------------------------------------------------------------------------
    def run(self):
        """The report; errors before the change (listing, cloning) raise, after clean-up."""
        started = time.time()
        seconds = self.report["seconds"]
        try:
            self.remove_leftovers()
            point = self.source_point()
            databases = self.databases(point)
            begun = time.time()
            self.clone(point, databases)
            seconds["clone"] = round(time.time() - begun, 3)
            begun = time.time()
            passed = self.change()
            seconds["change"] = round(time.time() - begun, 3)
            if passed:
                begun = time.time()
                passed = self.checks()
                seconds["checks"] = round(time.time() - begun, 3)
            if not (self.report["failed"] or {}).get("connection_lost"):
                begun = time.time()
                self.compare()
                seconds["compare"] = round(time.time() - begun, 3)
            self.report["passed"] = passed
        finally:
            begun = time.time()
            self.report["warnings"] = self.clean_up()
            seconds["clean_up"] = round(time.time() - begun, 3)
            seconds["total"] = round(time.time() - started, 3)
        return self.report

    def failure_message(self):
        """Why the rehearsal did not pass, in one message (None when it passed)."""
        report = self.report
        where = "scratch account %s (%s)" % (self.scratch, "kept" if report["kept"] else "dropped")
        failed = report["failed"]
        if failed:
            return ("rehearsal failed at statement %d of %d%s: %s: MatrixOne error %s: %s. Production was not changed "
                    "(the change ran in %s)%s" % (
                        failed["index"], len(self.statements), " (" + failed["where"] + ")" if failed["where"] else "",
                        failed["statement"][:300], failed["error_code"], failed["error"], where,
                        "; before it: " + report["summary"] if report["summary"] else ""))
        bad = [c for c in report["checks"] if not c["passed"]]
        if bad:
            return "rehearsal: the change ran but %d check(s) failed: %s. Production was not changed (the change ran " \
                "in %s); what the change did: %s" % (len(bad), failed_checks(bad), where, report["summary"])
        return None

    def diff(self):
        """--diff: the rehearsed databases before the change and after it, with the changed rows."""
        if "before" not in self.states:
            return None
        changes = self.report["changes"] or {}
        after = _state.diff_view(self.states["after"])
        after["changed_rows"] = dict((r["table"], r.get("samples", {})) for r in changes.get("rows", []))
        before_header = "account %s at snapshot %s (%s)" % (self.account, self.report["source"]["snapshot"],
                                                            ", ".join(self.report["databases"]))
        return {"before_header": before_header,
                "after_header": "after the change, rehearsed in scratch account %s" % self.scratch,
                "before": _state.diff_view(self.states["before"]), "after": after}
