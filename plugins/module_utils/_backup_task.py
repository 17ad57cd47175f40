# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""mo_backup's work: the task checked before any SQL, the destination read (a complete backup there is no change, a
partial one is refused), the base of an incremental found beside it, BACKUP run, and what it wrote verified."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.matrixone.backup.plugins.module_utils import _backup, _backup_store, _errors, _server, _sql


def validate(params, login_account):
    """The checked path, and the name of the base backup when one is given (beside path)."""
    path = _backup_store.validate_path(params)
    if params["parallelism"] < 1 or params["parallelism"] > 65535:
        raise _errors.InvalidInput("parallelism must be between 1 and 65535, got %d" % params["parallelism"])
    base_name = None
    if params["base"] is not None:
        if params["type"] != "incremental":
            raise _errors.InvalidInput("base is only for type=incremental")
        base_root, base_name = _backup_store.split(_backup_store.validate_path(params, "base"), params["s3"])
        if base_root != _backup_store.split(path, params["s3"])[0]:
            raise _errors.InvalidInput("base=%r must be beside path=%r (in the same directory or prefix): a chain is "
                                       "found and verified only there" % (params["base"], params["path"]))
    if login_account != "sys":
        raise _errors.InvalidInput("BACKUP is cluster-wide and needs the sys account; login_account is %r"
                                   % login_account)
    return path, base_name


def take(mo):
    """The backup the task describes at path: (changed, result fields with `diff`). A destination holding a complete
    backup of that type is verified again and is no change; check mode returns the statement a real run sends."""
    params = mo.params
    s3 = params["s3"]
    if s3 is not None:
        mo.secrets.extend(v for v in (s3.get("access_key_id"), s3.get("secret_access_key")) if v)
    path, base_name = validate(params, mo.login_account)
    root, name = _backup_store.split(path, s3)
    store = _backup_store.open_store(mo.module, root, s3)
    mo.doing = "reading the destination %s" % store.location(name)
    existing = _backup.Backup(store, name).read()
    if existing.files and not existing.complete:
        raise _errors.BackupError(
            "the destination %s holds a partial or damaged backup (%s); MatrixOne will not write into it. Delete it "
            "(or, if it is worth keeping, move it) and run again, or choose another path"
            % (existing.location, "; ".join(existing.problems[:3])), backup=existing.summary())
    if existing.complete:
        if existing.backup_type != params["type"]:
            raise _errors.BackupError("the destination %s already holds a %s backup, not %s; choose another path"
                                      % (existing.location, existing.backup_type, params["type"]),
                                      backup=existing.summary())
        check(store, existing, params["verify"])
        return False, dict(backup=existing.summary(), diff=diff_of(existing.summary(), existing.summary()))
    base = find_base(store, name, base_name) if params["type"] == "incremental" else None
    statement = _sql.backup(params["parallelism"], directory=path if s3 is None else None,
                            s3=s3_options(s3, path) if s3 is not None else None, backup_type=params["type"],
                            base_ts=base.backup_ts if base is not None else None)
    extra = dict(statement=statement.display)
    mo.connect()  # in check mode too: the server's version is compared with the base's
    if base is not None:
        extra["base"] = {"location": base.location, "backup_ts": base.backup_ts, "mo_version": base.mo_version}
        drift = _backup.version_drift(base.mo_version, _server.version_text(mo.server.version))
        if drift:
            mo.module.warn(drift)
    planned = {"location": store.location(name), "type": params["type"]}
    if mo.check_mode:
        mo.would_run(statement)
        return True, dict(extra, diff=diff_of(None, planned))
    mo.doing = "taking the backup with %s" % statement.display
    mo.failure_result.update(extra)
    started = time.time()
    try:
        mo.query(statement)
    except _errors.MoError as exc:
        hint = _backup.server_hint(getattr(exc, "text", None))
        if hint:
            raise _errors.BackupError("BACKUP failed: MatrixOne error %s: %s. %s" % (exc.code, exc.text, hint),
                                      error_code=exc.code)
        left = _backup.Backup(store, name).read()
        if left.complete:
            mo.doing = ("taking the backup (the destination %s now holds a complete backup: run the task again to "
                        "verify it) with %s" % (left.location, statement.display))
        elif left.files:
            mo.doing = ("taking the backup (MatrixOne left a partial backup at %s, %d files: delete it before running "
                        "again) with %s" % (left.location, len(left.files), statement.display))
        raise
    seconds = round(time.time() - started, 3)
    mo.doing = "verifying the backup at %s" % store.location(name)
    written = check(store, _backup.Backup(store, name).read(), params["verify"])
    return True, dict(extra, backup=written.summary(), seconds=seconds, diff=diff_of(None, written.summary()))


def check(store, backup, level):
    """Verify a backup (with the chain beside it, for an incremental); raise when it does not hold."""
    backup.verify(level)
    if backup.complete and backup.backup_type == "incremental":  # its base must be beside it (metadata suffices)
        siblings = [_backup.Backup(store, rel).read() for rel in store.children() if rel != backup.rel]
        _backup.link_chains(siblings + [backup])
    if not backup.complete:
        raise _errors.BackupError("the backup at %s does not verify: %s"
                                  % (backup.location, "; ".join(backup.problems[:5])), backup=backup.summary())
    return backup


def find_base(store, name, base_name):
    """The complete backup an incremental builds on: base_name, or the newest complete one beside name."""
    if base_name is not None:
        base = _backup.Backup(store, base_name).read().verify("metadata")
        if not base.complete:
            raise _errors.BackupError("base %s is not a complete backup: %s"
                                      % (base.location, "; ".join(base.problems[:3])))
        return base
    base = _backup.newest_complete(_backup.survey(store, "metadata", [n for n in store.children() if n != name]))
    if base is None:
        raise _errors.BackupError("type=incremental needs a base and there is no complete backup beside %s; take a "
                                  "full backup first, or give base" % store.location(name))
    return base


def s3_options(s3, path):
    return {"endpoint": s3["endpoint"], "region": s3["region"], "bucket": s3["bucket"], "filepath": path,
            "access_key_id": s3.get("access_key_id"), "secret_access_key": s3.get("secret_access_key"),
            "is_minio": "true" if s3.get("is_minio") else None}


def diff_of(before, after):
    """Before and after as the location, type and time of a backup summary (or plan), or None."""
    def brief(item):
        if item is None:
            return {"backup": None}
        return {"backup": dict((k, item[k]) for k in ("location", "type", "backup_ts", "time") if k in item)}
    return {"before": brief(before), "after": brief(after)}
