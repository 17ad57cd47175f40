# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One restore drill (mo_restore_drill, the restore_drill role): restore a snapshot or a PITR time beside the live
data, verify the copy against that point, run the user's checks on it, time it, and remove it, always.

The copy is made by mo_restore's own job (_restore_job), so a drill restores exactly as a real restore would:
- database or table: into a scratch database, CREATE DATABASE copy CLONE db {SNAPSHOT = s | MO_TS = n}
  (CREATE TABLE copy.t CLONE db.t ... for a table); verified by content through the login;
- account (sys only): into a new scratch account, RESTORE ACCOUNT a ... TO ACCOUNT copy (sys itself: one
  CREATE DATABASE d CLONE d ... TO ACCOUNT copy per database); verified by checksums through the copy's admin.
The copy is named <prefix><UTC yyyymmddHHMMSS>_<4 characters> (_rehearse.scratch_name), so a drill removes what an
interrupted one with the same prefix left, and nothing else.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _rehearse, _restore, _sql, _time
from ansible_collections.matrixone.backup.plugins.module_utils._restore_job import RestoreJob

DEFAULT_PREFIX = "mo_drill_"
LEVELS = ("database", "table", "account")


def validate(params):
    """Bad input, named by its option, before any SQL; the PITR restore time (aware UTC) or None."""
    _sql.validate_names(params, (("snapshot", "snapshot"), ("pitr", "pitr"), ("account", "account"),
                                 ("database", "database"), ("table", "table")))
    _rehearse.validate_prefix(params["scratch_prefix"], "the name of the drill's copy")
    _rehearse.validate_checks(params["checks"])
    level = params["level"]
    if level in ("database", "table") and not params["database"]:
        raise _errors.InvalidInput("level=%s needs database" % level)
    if level == "table" and not params["table"]:
        raise _errors.InvalidInput("level=table needs table")
    if level != "table" and params["table"]:
        raise _errors.InvalidInput("table is used with level=table only")
    if level != "account" and params["account"]:
        raise _errors.InvalidInput("account is used with level=account only (a database drill is of the login "
                                   "account)")
    if params["pitr"] is None:
        return None
    if level == "account":
        raise _errors.InvalidInput("level=account with pitr: MatrixOne's PITR restore has no TO ACCOUNT and a clone "
                                   "into another account needs a snapshot; drill an account from a snapshot")
    _time.zone(params["server_timezone"], "server_timezone")
    return _time.parse_timestamp(params["timestamp"], params["timezone"])


def refusal(server, login_account, level):
    """Why this server or login cannot drill (raised before anything runs)."""
    server.require("clone", "a restore drill (a copy beside live data, CREATE DATABASE ... CLONE)")
    if level == "account" and login_account != "sys":
        raise _errors.FeatureUnavailable(
            "an account drill needs a sys login (login_account=sys), logged in to %s: only sys creates the scratch "
            "account the copy goes to" % login_account)


class Drill:
    """One drill. run() returns its record (verified or not, and why); the copy is removed in run(), always."""

    def __init__(self, mo, when=None, now=None):
        self.mo = mo
        self.params = params = mo.params
        self.when = when
        self.level = params["level"]
        self.copy = _rehearse.scratch_name(params["scratch_prefix"], now)
        self.password = None
        if self.level == "account":
            self.password = _rehearse.generate_password()
            mo.add_secret(self.password)
        target = (params["account"] or mo.login_account) if self.level == "account" else \
            ".".join(p for p in (params["database"], params["table"]) if p)
        self.record = {
            "point": params["snapshot"] or "%s at %s" % (params["pitr"], params["timestamp"]),
            "kind": "pitr" if when is not None else "snapshot", "level": self.level, "target": target,
            "copy_name": self.copy, "verified": False, "why": "", "point_time": None, "compared": "",
            "verified_by": {},
            "checks": [], "seconds": None, "restore_seconds": None, "checks_seconds": None, "removed": False,
            "remove_seconds": None, "leftovers_removed": []}
        self.created = False

    def restore_params(self):
        """mo_restore's options for the copy: beside the live data, verified, nothing else."""
        p = self.params
        restore = dict((name, spec.get("default")) for name, spec in _restore.argument_spec().items())
        restore.update((name, p[name]) for name in ("snapshot", "pitr", "timestamp", "timezone", "server_timezone",
                                                    "database", "table", "content_max_rows"))
        restore.update(level=self.level, verify=True, diff_rows=0)
        if self.level == "account":
            restore.update(account=p["account"] or self.mo.login_account, database=None, to_account=self.copy,
                           to_account_admin_name=_rehearse.SCRATCH_ADMIN, to_account_admin_password=self.password)
        else:
            restore.update(as_database=self.copy, as_table=p["table"])
        return restore

    # -- steps ---------------------------------------------------------------------------------------------
    def remove_leftovers(self):
        """Copies an interrupted drill with this prefix left: only names scratch_name() gives."""
        mo, prefix = self.mo, self.params["scratch_prefix"]
        mo.doing = "removing what an earlier drill left (scratch_prefix %s)" % prefix
        for row in mo.query(_sql.show_databases(), record=False):
            name = list(row.values())[0]
            if _rehearse.is_scratch_name(name, prefix):
                mo.query(_sql.drop_database(name))
                self.record["leftovers_removed"].append("database " + name)
        if mo.login_account == "sys":
            self.record["leftovers_removed"] += _rehearse.drop_leftover_accounts(mo, prefix)

    def restore(self):
        """Make the copy with mo_restore's job and verify it against the point; the job raises what fails."""
        mo = self.mo
        job = RestoreJob(mo, self.when, self.restore_params())  # never into the module's params: Ansible prints those
        job.prepare()
        preview = job.preview()
        job.refuse_a_different_copy()
        self.record["point_time"] = (preview.get("snapshot") or {}).get("timestamp")
        self.created = True  # from here a failure may leave part of a copy: remove it
        job.run()
        verified_by = job.verify(None)
        self.record["verified_by"] = verified_by
        self.record["compared"] = ", ".join("%s: %s" % item for item in sorted(verified_by.items()))

    def check_login(self):
        """A new login whose default database is the copy (database, table) or that is in the copy (account)."""
        mo = self.mo
        if self.level == "account":
            conn = mo.connect_as(self.copy, _rehearse.SCRATCH_ADMIN, self.password)
            database = self.params["database"]
        else:
            conn = mo.connect_with(mo.connection)
            database = self.copy
        if database:
            mo.query(_sql.use_database(database), record=False, conn=conn)
        return conn

    def checks(self):
        if not self.params["checks"]:
            return True
        conn = self.check_login()
        try:
            self.record["checks"] = _rehearse.run_checks(self.mo, conn, self.params["checks"], "drill check")
        finally:
            self.mo.close_login(conn)
        return all(c["passed"] for c in self.record["checks"])

    def remove(self):
        """Drop the copy; a copy that cannot be dropped is a warning (the next drill with this prefix drops it)."""
        mo = self.mo
        mo.doing = "removing the drill's copy %s" % self.copy
        try:
            if self.level == "account":
                self.empty_account()
                mo.query(_sql.drop_account(self.copy))
            else:
                mo.query(_sql.drop_database(self.copy))
        except (_errors.SqlError, _errors.ConnectionLost) as exc:
            return ["the drill's copy %s could not be dropped (%s); the next drill with scratch_prefix %s drops it"
                    % (self.copy, exc.text, self.params["scratch_prefix"])]
        self.record["removed"] = True
        return []

    def empty_account(self):
        """Drop the copy account's databases through its admin first: faster than DROP ACCOUNT alone on v3.0.18
        (see _rehearse.Rehearsal.empty_scratch); a failure here is left to DROP ACCOUNT."""
        try:  # fails when the restore stopped before CREATE ACCOUNT: then there is nothing to empty
            conn = self.mo.connect_as(self.copy, _rehearse.SCRATCH_ADMIN, self.password)
        except _errors.MoError:
            return
        try:
            _rehearse.drop_user_databases(self.mo, conn)
        except (_errors.SqlError, _errors.ConnectionLost):
            pass
        finally:
            self.mo.close_login(conn)

    def failure(self):
        bad = [c for c in self.record["checks"] if not c["passed"]]
        return "%d check(s) failed on the copy: %s" % (len(bad), _rehearse.failed_checks(bad))

    # -- the whole ---------------------------------------------------------------------------------------
    def run(self):
        """The record; what fails (restore, verification, checks) is its `why`, and the copy is removed anyway."""
        record, warnings = self.record, []
        started = time.time()
        try:
            self.remove_leftovers()
            self.restore()
            record["restore_seconds"] = round(time.time() - started, 3)
            begun = time.time()
            passed = self.checks()
            record["checks_seconds"] = round(time.time() - begun, 3)
            record["seconds"] = round(time.time() - started, 3)
            record["verified"] = passed
            if not passed:
                record["why"] = self.failure()
        except _errors.SqlError as exc:
            record["why"] = exc.during(self.mo.doing)
        except _errors.MoError as exc:
            record["why"] = str(exc)
        finally:
            if self.created:
                begun = time.time()
                warnings = self.remove()
                record["remove_seconds"] = round(time.time() - begun, 3)
            else:
                record["removed"] = True  # nothing was created, so nothing is left
        return record, warnings
