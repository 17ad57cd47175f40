# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""mo_snapshot's work: the task checked before any SQL, then one snapshot made present (taken, kept, taken again
when older than max_age, a lost creation race told from a failure, the 4.x quota named, retain) or absent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _scope, _snapshots, _sql, _time


def validate(params, login_account):
    """Check every input before any SQL; return the desired definition (or None for a bare absent)."""
    _sql.validate_name(params["name"], "snapshot", "name")
    if params["max_age"] is not None:
        params["max_age_seconds"] = _time.parse_duration(params["max_age"], "max_age")
    if params["retain"] is not None:
        if params["retain"] < 1:
            raise _errors.InvalidInput("retain=%d keeps nothing, not even this snapshot: give 1 or more"
                                       % params["retain"])
        _sql.validate_name(params["retain_prefix"], "snapshot", "retain_prefix")
        if not params["name"].startswith(params["retain_prefix"]):
            raise _errors.InvalidInput("name=%s does not start with retain_prefix=%s, so retain would not count it"
                                       % (params["name"], params["retain_prefix"]))
    if params["state"] == "absent" and (params["max_age"] is not None or params["retain"] is not None):
        raise _errors.InvalidInput("max_age and retain apply to state=present only")
    level = params["level"]
    if level is None and params["state"] == "present":
        level = params["level"] = "account"
    if level is None:
        if any(params[k] is not None for k in ("account", "database", "table")):
            raise _errors.InvalidInput("account, database and table need level to say what they describe")
        return None
    return _scope.target_definition(params, level, login_account)


def ensure(mo, desired):
    """The snapshot the task describes, present or absent: (changed, result fields with `diff`)."""
    params, name = mo.params, mo.params["name"]
    mo.doing = "snapshot %s" % name
    if desired is not None and desired["level"] in ("database", "table"):
        mo.server.require("db_table_snapshot")
        if not mo.server.has("gc_safe_db_table_snapshot"):
            mo.module.warn("MatrixOne %s may garbage-collect the data of database and table snapshots (fixed in "
                           "3.0.4); prefer level=account on this server" % mo.server.describe())
    existing = _snapshots.find(mo, name)
    if params["state"] == "absent":
        return absent(mo, name, desired, existing)
    return present(mo, name, desired, existing)


def absent(mo, name, desired, existing):
    """state=absent: (changed, result). A snapshot of another definition than the task's is never dropped."""
    if existing is None:
        return False, {"diff": {"before": {}, "after": {}}}
    if desired is not None:
        diffs = _scope.differences(_scope.definition(existing), desired)
        if diffs:
            raise _errors.MoError("snapshot %s exists with another definition than the task describes (%s); not "
                                  "dropping it" % (name, "; ".join(diffs)), snapshot=existing)
    mo.change(_sql.drop_snapshot(name, if_exists=True))
    return True, {"diff": {"before": existing, "after": {}}}


def present(mo, name, desired, existing):
    """state=present: (changed, result). Kept when it exists with the same definition and is young enough; taken
    (again) otherwise; then retain; check mode predicts the same without sending a write."""
    predicted = dict(desired, name=name, timestamp=None, timestamp_utc=None, timestamp_epoch=None)
    if existing is not None:
        diffs = _scope.differences(_scope.definition(existing), desired)
        if not diffs and not too_old(mo, existing):
            dropped = retain(mo, existing)
            return bool(dropped), {"snapshot": existing, "retained_dropped": dropped,
                                   "diff": {"before": existing, "after": existing}}
        if diffs and not mo.params["replace"]:
            raise _errors.MoError("snapshot %s already exists with another definition (%s); set replace=true to drop "
                                  "and recreate it, or choose another name" % (name, "; ".join(diffs)),
                                  snapshot=existing)
    if mo.check_mode:
        preflight_target(mo, desired)
        for statement in ([_sql.drop_snapshot(name)] if existing is not None else []) + [
                _sql.create_snapshot(name, desired["level"], desired["account"], desired["database"], desired["table"])]:
            mo.would_run(statement)
        dropped = retain(mo, predicted)
        return True, {"snapshot": predicted, "retained_dropped": dropped,
                      "diff": {"before": existing or {}, "after": predicted}}
    if existing is not None:
        mo.query(_sql.drop_snapshot(name))
    created, changed = create(mo, name, desired)
    dropped = retain(mo, created)
    return changed or existing is not None or bool(dropped), {
        "snapshot": created, "retained_dropped": dropped, "diff": {"before": existing or {}, "after": created}}


def preflight_target(mo, desired):
    """In check mode, find what a real CREATE SNAPSHOT would trip over (missing account/database/table)."""
    level = desired["level"]
    if level == "account" and desired["account"] != mo.login_account:
        if not mo.query(_sql.account_exists(desired["account"]), record=False):
            raise _errors.MoError("account %s does not exist" % desired["account"])
    if level in ("database", "table"):
        if mo.query(_sql.count_databases(desired["database"]), record=False)[0]["count(*)"] == 0:
            raise _errors.MoError("database %s does not exist" % desired["database"])
    if level == "table":
        if mo.query(_sql.count_tables(desired["database"], desired["table"]), record=False)[0]["count(*)"] == 0:
            raise _errors.MoError("table %s.%s does not exist" % (desired["database"], desired["table"]))


def create(mo, name, desired):
    """CREATE SNAPSHOT; a racing creator of the same definition counts as success (changed=False)."""
    stmt = _sql.create_snapshot(name, desired["level"], desired["account"], desired["database"], desired["table"])
    mo.doing = "creating snapshot %s" % name
    try:
        mo.query(stmt, record=False)  # logged once it has created the snapshot (a lost race changed nothing)
    except _errors.SqlError as exc:  # two outcomes told apart here; anything else goes to the module shell as it is
        if _snapshots.lost_creation_race(exc.code, exc.text):
            winner = _snapshots.find(mo, name)
            if winner is not None and not _scope.differences(_scope.definition(winner), desired):
                return winner, False
        mo.would_run(stmt)
        if "has reached the limit" in exc.text or "has disabled" in exc.text:
            raise _errors.MoError("snapshot quota: %s. Drop old snapshots first (matrixone.backup.mo_snapshot_prune) or "
                                  "ask the sys account to raise the quota" % exc.text, error_code=exc.code)
        raise
    mo.would_run(stmt)
    created = _snapshots.find(mo, name)
    if created is None:
        raise _errors.MoError("CREATE SNAPSHOT %s reported success but the snapshot is not listed by SHOW SNAPSHOTS"
                              % name)
    return created, True


def too_old(mo, existing):
    """Whether max_age asks for the existing snapshot to be taken again (its age by the server's clock)."""
    if mo.params["max_age"] is None:
        return False
    return (mo.server_clock().now - _time.parse_iso(existing["timestamp_utc"])).total_seconds() > \
        mo.params["max_age_seconds"]


def retain(mo, keep):
    """Keep `keep` (the task's snapshot, taken or to be taken) and the newest retain - 1 other snapshots of
    retain_prefix, drop the rest; in check mode only list them. Returns the records dropped (or that would be)."""
    if mo.params["retain"] is None:
        return []
    prefix = mo.params["retain_prefix"]
    others = [s for s in _snapshots.list_snapshots(mo, {"prefix": prefix}, None) if s["name"] != keep["name"]]
    dropped = _snapshots.select_prune(others, {"keep_newest": mo.params["retain"] - 1})[0]
    _snapshots.drop_each(mo, dropped, "retained_dropped", "keeping the newest %d snapshots of %s"
                         % (mo.params["retain"], prefix))
    return dropped
