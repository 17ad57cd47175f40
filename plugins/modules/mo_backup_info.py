#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mo_backup_info
short_description: List and verify MatrixOne physical backups in a directory or an S3 prefix
version_added: 1.0.0
description:
  - Reads the physical backups (made by M(matrixone.backup.mo_backup) or C(mo_br backup)) under a directory or an S3
    key prefix and checks them against the metadata and checksums MatrixOne writes, so that a play can refuse to
    upgrade without a verified copy.
  - For each incremental backup it finds the earlier backups holding the files it did not copy
    (C(depends_on)); one whose files are in no earlier backup is reported as not restorable.
  - Never changes anything and does not connect to MatrixOne. For a directory, run it where the directory is
    (the MatrixOne host or a host that mounts it).
author:
  - matrixone.backup maintainers (@matrixone-backup)
extends_documentation_fragment:
  - matrixone.backup.backup_store
  - matrixone.backup.attributes.STORAGE
attributes:
  check_mode:
    support: full
    details: This module never changes anything; it reads the same in check mode.
  diff_mode:
    support: none
  idempotent:
    support: full
    details: It only reads.
options:
  path:
    description:
      - The directory holding the backups (one per subdirectory), or with O(s3) the key prefix holding them.
      - The path of one backup works too; its siblings are read to check its chain, and only it is returned.
    type: str
    required: true
  verify:
    description:
      - V(none) reads what each backup is (finished or not, type, time) from its metadata, which is checked against
        its checksum files.
      - Given the path of one backup, only it and the backups its chain needs are verified.
      - V(metadata) checks the metadata files against their checksum files and that every listed file exists.
      - V(checksums) also checks every data file's SHA-256 (or size, where MatrixOne recorded none).
      - V(blocks) also checks the CRC-32C of every block on a local disk. With the Python package C(google-crc32c)
        installed on the target (in the execution environment it is) that runs at disk speed; without it the
        collection's pure Python code checks about 10 MB/s. RV(crc32c) says which ran.
    type: str
    choices: [none, metadata, checksums, blocks]
    default: checksums
  server_version:
    description:
      - The MatrixOne version of the server a backup is to be restored into, as V(4.1.4), V(v4.1.4) or what
        C(SELECT version()) answers (V(8.0.30-MatrixOne-v4.1.4)).
      - Each backup written by another version gets RV(backups[].version_drift) and a warning, before you restore
        it. It is not a failure. Restore such a backup with the binary of the version that wrote it and upgrade
        after; v3.0.18 was measured not to start on data v4.1.4 had written.
      - The module does not connect to learn it, since a physical restore runs while MatrixOne is stopped.
    type: str
seealso:
  - module: matrixone.backup.mo_backup
  - module: matrixone.backup.mo_backup_prune
'''

EXAMPLES = r'''
- name: Check the backups before an upgrade
  matrixone.backup.mo_backup_info:
    path: /backups/mo
  register: backups
  delegate_to: mo-host-1

- name: Refuse to upgrade without a verified backup from the last day
  ansible.builtin.assert:
    that:
      - backups.latest is not none
      - backups.latest.epoch > (now(utc=true).timestamp() - 86400)
    fail_msg: "no verified backup younger than a day under /backups/mo"
'''

RETURN = r'''
backups:
  description: The backups found, newest first (incomplete ones last).
  returned: always
  type: list
  elements: dict
  contains:
    location:
      description: Directory or C(s3://bucket/prefix) of the backup.
      type: str
    name:
      description: Its last path component.
      type: str
    complete:
      description: True when MatrixOne finished it, its metadata is intact, it passed O(verify) and, for an
        incremental, every file it did not copy is in an earlier backup here.
      type: bool
    type:
      description: V(full) or V(incremental) (whatever C(TYPE) MatrixOne was given).
      type: str
    backup_ts:
      description: MatrixOne's timestamp of the backup, the base for the next incremental.
      type: str
    time:
      description: The backup's point in time, ISO 8601 UTC (from C(backup_ts)).
      type: str
    epoch:
      description: The same as seconds since the epoch.
      type: float
    server_local_time:
      description: The time as MatrixOne wrote it in C(tae_sum) (the server's local zone).
      type: str
    mo_version:
      description: The MatrixOne version that wrote it.
      type: str
    version_drift:
      description: With O(server_version), what differs when another version wrote the backup; else null.
      type: str
      sample: "written by MatrixOne 3.0.18 and the server runs 4.1.4: restore it with the binary of MatrixOne 3.0.18 ..."
    data_bytes:
      description: Size of the data the backup covers (for an incremental, together with its chain).
      type: int
    stored_bytes:
      description: Bytes stored under the backup's location.
      type: int
    files:
      description: Number of files stored.
      type: int
    listed_files:
      description: Number of data, checkpoint and GC files its listing (C(tae/tae_list)) names.
      type: int
    copied_files:
      description: Number of those files this backup copied itself; an incremental leaves the rest in its base.
      type: int
    self_contained:
      description:
        - True when the backup holds every file its listing names, so it restores without any other backup. Always
          true for a complete full backup; true for an incremental taken where MatrixOne had no older checkpoint to
          reuse (a young cluster), which then copies everything (measured on v3.0.18 and v4.1.4, and restored alone
          offline on v3.0.18).
      type: bool
    depends_on:
      description: For an incremental, the locations of the earlier backups it needs, newest first.
      type: list
      elements: str
    verified:
      description: The O(verify) level it passed, or null.
      type: str
    problems:
      description: What is wrong with it, one sentence each (empty when it is good).
      type: list
      elements: str
latest:
  description: The newest complete backup, the same keys as RV(backups), or null when there is none.
  returned: always
  type: dict
problems:
  description: Every problem found, prefixed with the backup's location.
  returned: always
  type: list
  elements: str
crc32c:
  description: What computed the block CRC-32Cs that O(verify) checked (V(blocks), or files with no recorded
    SHA-256 at V(checksums)).
  returned: when O(verify) is not V(none)
  type: str
  choices: [google-crc32c (C), pure Python]
  sample: google-crc32c (C)
'''

from ansible_collections.matrixone.backup.plugins.module_utils import _backup, _backup_store, _errors, _server
from ansible_collections.matrixone.backup.plugins.module_utils._module import MoModule


def inventory(module, params):
    """The backups under params['path'] (or the one backup it names), read and verified; (backups, only_name)."""
    path = _backup_store.validate_path(params)
    s3 = params["s3"]
    store = _backup_store.open_store(module, path, s3)
    only = None
    if any(store.read("", marker) is not None for marker in (_backup.MO_META, _backup.TAE_SUM)):
        root, only = _backup_store.split(path, s3)
        store = _backup_store.open_store(module, root, s3)
    elif s3 is None and not store.exists():
        raise _errors.StoreError("path %s does not exist on this host" % path)
    level = None if params["verify"] == "none" else params["verify"]
    if only is not None:
        return _backup.survey_one(store, only, level), only
    return _backup.survey(store, level), only


def ordered(backups):
    complete = [b for b in _backup.newest_first(backups) if b.backup_ts]
    return complete + [b for b in backups if not b.backup_ts]


def target_version(params):
    """server_version as 4.1.4, or None when not given; bad text fails naming the parameter, before any read."""
    if not params["server_version"]:
        return None
    version = _server.parse_version_option(params["server_version"])
    if version is None:
        raise _errors.InvalidInput("server_version must be a MatrixOne version such as 4.1.4 or v3.0.18, got %r"
                                   % params["server_version"])
    return _server.version_text(version)


def run(mo):
    server_version = target_version(mo.params)
    backups, only = inventory(mo.module, mo.params)
    if only is not None:
        backups = [b for b in backups if b.rel == only]
    items = [b.summary() for b in ordered(backups)]
    for item in items:
        item["version_drift"] = _backup.restore_drift(item["mo_version"], server_version)
        if item["version_drift"]:
            mo.module.warn("%s: %s" % (item["location"], item["version_drift"]))
    latest = next((item for item in items if item["complete"]), None)
    problems = _backup.problems_of(items)
    extra = {} if mo.params["verify"] == "none" else {"crc32c": _backup.CRC32C_IMPLEMENTATION}
    mo.exit(False, backups=items, latest=latest, problems=problems, **extra)


def main():
    spec = _backup_store.argspec()
    spec.update(verify=dict(type="str", choices=["none"] + list(_backup.VERIFY_LEVELS), default="checksums"),
                server_version=dict(type="str"))
    mo = MoModule(spec, connects=False)
    mo.doing = "reading the backups"
    mo.run(lambda: run(mo))


if __name__ == "__main__":
    main()
