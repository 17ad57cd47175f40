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

from ansible_collections.matrixone.backup.plugins.module_utils import _backup, _backup_store, _backup_task
from ansible_collections.matrixone.backup.plugins.module_utils._module import MoModule


def run(mo):
    changed, result = _backup_task.take(mo)
    mo.exit(changed, **result)


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
