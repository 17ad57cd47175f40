#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mo_backup
short_description: Take a physical MatrixOne backup to a directory or to S3, verified
version_added: 1.0.0
description:
  - Runs MatrixOne's C(BACKUP) statement, which copies the whole cluster's data files, HAKeeper state and launch
    configuration out of the cluster, to a directory on the MatrixOne host or to an S3 bucket. Unlike a snapshot,
    this copy survives the loss of the cluster (a failed binary upgrade, damaged storage).
  - Full or incremental. An incremental backup copies only what changed after its base and needs the base (and the
    base's own base) to restore; M(matrixone.backup.mo_backup_info) shows and checks the chain.
  - Idempotent by destination. A destination that already holds a complete backup of the requested type is no
    change (it is verified again); a destination holding a partial backup (MatrixOne did not finish, so C(mo_meta)
    is missing) is an error that says what to do; MatrixOne itself refuses to write into it.
  - After C(BACKUP) returns, the module reads the backup back and verifies it (O(verify)); a backup that does not
    verify fails the task.
  - Check mode reads the destination and the base and returns the exact statement a real run would send (with the
    S3 keys masked); nothing is written.
  - Restoring a physical backup is not SQL. MatrixOne's backup tool (C(mo_br restore)) does it with the cluster
    stopped; see the guarded-changes documentation for the steps.
author:
  - matrixone.backup maintainers (@matrixone-backup)
extends_documentation_fragment:
  - matrixone.backup.connection
  - matrixone.backup.backup_store
  - matrixone.backup.attributes
attributes:
  check_mode:
    support: full
    details: Reads the destination and the base, and connects to compare versions, exactly as a real run; sends no C(BACKUP).
  diff_mode:
    support: full
    details: Before and after describe the destination (absent, or the backup it holds).
  idempotent:
    support: full
    details: A destination that already holds a complete backup of the requested type is no change.
options:
  path:
    description:
      - The backup's own directory (absolute, on the MatrixOne host) or, with O(s3), its key prefix in the bucket.
        One backup per directory; name it by date, for example V(/backups/mo/2026-11-29T0300).
      - For a directory, the module must run where that path is visible (the MatrixOne host, or a host that mounts
        the same path), because it checks and verifies what MatrixOne wrote; use C(delegate_to).
    type: str
    required: true
  type:
    description: V(full) copies everything; V(incremental) copies what changed after O(base).
    type: str
    choices: [full, incremental]
    default: full
  base:
    description:
      - For O(type=incremental), the backup it builds on, a directory (or with O(s3) a key prefix in the same
        bucket) beside O(path), in the same parent directory or prefix, where its chain is found and verified. It
        must be complete.
      - Default is the newest complete backup beside O(path).
    type: str
  parallelism:
    description: How many files MatrixOne copies at once.
    type: int
    default: 2
  verify:
    description:
      - How the written backup is checked before the task reports success.
      - V(metadata) checks C(mo_meta), C(tae_list), C(tae_sum), the HAKeeper and configuration files against their
        checksum files and that every listed data file exists.
      - V(checksums) also checks every data file's SHA-256 (or size, where MatrixOne recorded no SHA-256) against
        C(tae_list).
      - V(blocks) also checks the CRC-32C of every 2 KiB block MatrixOne stores on a local disk (slow, pure Python,
        about 5 MB/s); on S3 it is the same as V(checksums).
    type: str
    choices: [metadata, checksums, blocks]
    default: checksums
notes:
  - C(BACKUP) is cluster-wide and needs the V(sys) account.
  - A large backup takes minutes; raise O(read_timeout) above the time it needs, or the task fails with the outcome
    unknown (the backup may still be running).
  - A MatrixOne started with E(AWS_CA_BUNDLE) in its environment refuses every S3 backup with
    C(unable to add custom RootCAs HTTPClient); start it without that variable.
seealso:
  - module: matrixone.backup.mo_backup_info
  - module: matrixone.backup.mo_backup_prune
  - module: matrixone.backup.mo_snapshot
'''

EXAMPLES = r'''
- name: Full backup of the cluster to a directory on the MatrixOne host
  matrixone.backup.mo_backup:
    path: /backups/mo/full-2026-11-29
    parallelism: 4
    read_timeout: 3600
  delegate_to: mo-host-1

- name: Incremental backup on the newest backup beside it
  matrixone.backup.mo_backup:
    path: /backups/mo/inc-2026-11-29T1200
    type: incremental
    read_timeout: 3600
  delegate_to: mo-host-1

- name: Full backup to an S3 bucket (keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)
  matrixone.backup.mo_backup:
    path: mo/prod/full-2026-11-29
    s3:
      endpoint: https://s3.eu-west-1.amazonaws.com
      region: eu-west-1
      bucket: db-backups
'''

RETURN = r'''
backup:
  description: The backup at O(path) as read back and verified; same shape as the items of
    M(matrixone.backup.mo_backup_info)'s C(backups). Absent in check mode when the destination is empty.
  returned: success
  type: dict
  contains:
    location:
      description: The directory or C(s3://bucket/prefix) of the backup.
      type: str
    type:
      description: V(full) or V(incremental).
      type: str
    backup_ts:
      description: MatrixOne's timestamp of the backup (C(physical-logical)), the base for the next incremental.
      type: str
    time:
      description: The backup's point in time, ISO 8601 UTC.
      type: str
    epoch:
      description: The same as seconds since the epoch.
      type: float
    data_bytes:
      description: Size of the data the backup covers (for an incremental, with what its chain holds).
      type: int
    stored_bytes:
      description: Bytes stored under O(path).
      type: int
    files:
      description: Number of files stored under O(path).
      type: int
    listed_files:
      description: Number of files its listing names.
      type: int
    copied_files:
      description: Number of those files it copied itself.
      type: int
    self_contained:
      description: True when it holds every file its listing names and restores alone (see M(matrixone.backup.mo_backup_info)).
      type: bool
    depends_on:
      description: For an incremental, the earlier backups holding the files it did not copy, newest first; empty when
        it is self-contained.
      type: list
      elements: str
    verified:
      description: The O(verify) level the backup passed.
      type: str
  sample:
    location: /backups/mo/full-2026-11-29
    type: full
    backup_ts: 1795911982561185129-1
    time: "2026-11-29T00:26:22.561185Z"
    epoch: 1795911982.561185
    data_bytes: 203945280
    stored_bytes: 218103808
    files: 7839
    depends_on: []
    verified: checksums
base:
  description: For an incremental backup, the backup it was taken on.
  returned: when O(type=incremental)
  type: dict
  contains:
    location:
      description: Where the base backup is.
      type: str
    backup_ts:
      description: The base's backup timestamp, which the incremental starts from.
      type: str
    mo_version:
      description:
        - The MatrixOne version that wrote the base (from its C(mo_meta)). When it is not the server's version the
          module warns; take a full backup after an upgrade.
      type: str
statement:
  description: The C(BACKUP) statement sent (in check mode, that would be sent), S3 keys masked.
  returned: when a backup is taken or would be taken
  type: str
  sample: "BACKUP '0' FILESYSTEM '/backups/mo/full-2026-11-29' PARALLELISM '2'"
seconds:
  description: How long the C(BACKUP) statement ran.
  returned: when a backup was taken
  type: float
queries:
  description: The statements run (in check mode, that would run).
  returned: always
  type: list
  elements: str
server:
  description: The server the module talked to.
  returned: when connected
  type: dict
  contains:
    version:
      description: MatrixOne's version, as the module uses it (V(3.0.18)).
      type: str
    version_string:
      description: What C(version()) answered.
      type: str
    version_source:
      description: V(version()), or V(probe) for a build without a version number whose grammar was probed.
      type: str
    tls:
      description: Whether the connection used TLS.
      type: bool
'''

import time

from ansible_collections.matrixone.backup.plugins.module_utils import _backup, _backup_store, _errors, _server, _sql
from ansible_collections.matrixone.backup.plugins.module_utils._module import MoModule


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


def run(mo):
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
        mo.exit(False, backup=existing.summary(), diff=diff_of(existing.summary(), existing.summary()))
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
    mo.check_mode_exit([statement], diff=diff_of(None, planned), **extra)
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
    mo.exit(True, backup=written.summary(), seconds=seconds, diff=diff_of(None, written.summary()), **extra)


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


def main():
    spec = _backup_store.argspec()
    spec.update(
        type=dict(type="str", choices=["full", "incremental"], default="full"),
        base=dict(type="str"),
        parallelism=dict(type="int", default=2),
        verify=dict(type="str", choices=list(_backup.VERIFY_LEVELS), default="checksums"),
    )
    mo = MoModule(spec)
    mo.run(lambda: run(mo))


if __name__ == "__main__":
    main()
