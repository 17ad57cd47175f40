#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mo_backup_prune
short_description: Delete old MatrixOne physical backups by retention rules, never breaking an incremental chain
version_added: 1.0.0
description:
  - Retention for the physical backups under a directory or an S3 key prefix (one backup per subdirectory or
    sub-prefix), like M(matrixone.backup.mo_snapshot_prune) for snapshots.
  - Keeps the backups the retention rules keep (the newest N, the newest of each of the last N days, weeks, months
    or years) and deletes the others, or only those of them taken before O(older_than).
  - A backup that a kept incremental backup needs (its base, and the base's base) is never deleted; it is
    reported in RV(kept_as_base).
  - Partial backups (no C(mo_meta)) are never counted or deleted; they are reported in RV(partial).
  - Check mode and C(--diff) list exactly what would be deleted. Does not connect to MatrixOne.
author:
  - matrixone.backup maintainers (@matrixone-backup)
extends_documentation_fragment:
  - matrixone.backup.backup_store
  - matrixone.backup.retention
  - matrixone.backup.attributes.STORAGE
attributes:
  check_mode:
    support: full
    details: Selects the backups exactly as a real run would and deletes none.
  diff_mode:
    support: full
    details: Before lists the backups; after lists those kept, each with the rule that kept it.
  idempotent:
    support: full
    details: A second run finds nothing more to delete.
options:
  path:
    description: The directory holding the backups, or with O(s3) the key prefix holding them.
    type: str
    required: true
  timezone:
    description: The time zone of the calendar rules (days, weeks, months, years begin at its midnight).
    type: str
    default: UTC
  exclude:
    description: Backup names (last path component) or locations that are never deleted.
    type: list
    elements: str
    default: []
notes:
  - Ages are the backups' own times (their MatrixOne timestamp), compared with the clock of the host running the
    module.
seealso:
  - module: matrixone.backup.mo_backup_info
  - module: matrixone.backup.mo_backup
'''

EXAMPLES = r'''
- name: Keep the 7 newest backups (and whatever bases they need)
  matrixone.backup.mo_backup_prune:
    path: /backups/mo
    keep_newest: 7
  delegate_to: mo-host-1

- name: Delete S3 backups older than 30 days
  matrixone.backup.mo_backup_prune:
    path: mo/prod
    older_than: 30d
    s3:
      endpoint: https://s3.eu-west-1.amazonaws.com
      region: eu-west-1
      bucket: db-backups
'''

RETURN = r'''
deleted:
  description: Locations of the backups deleted (in check mode, that would be deleted), newest first.
  returned: always
  type: list
  elements: str
kept:
  description: Names of the backups that remain, newest first.
  returned: always
  type: list
  elements: str
kept_by:
  description:
    - Why each remaining backup remains, by name. It is a rule and the period it kept (V(keep_daily 2026-12-04),
      V(keep_newest 1)), V(newer than older_than), V(exclude), or V(base of a kept backup).
  returned: always
  type: dict
kept_as_base:
  description: Locations of backups the rules selected but that a kept incremental backup needs.
  returned: always
  type: list
  elements: str
partial:
  description: Locations of partial backups found (never deleted by this module).
  returned: always
  type: list
  elements: str
'''

import datetime

from ansible_collections.matrixone.backup.plugins.module_utils import _backup, _backup_store, _retention, _time
from ansible_collections.matrixone.backup.plugins.module_utils._module import MoModule


def validate(params, now):
    rules, cutoff = _retention.validate(params, now)
    zone = _time.zone(params["timezone"], "timezone")
    return _backup_store.validate_path(params), rules, cutoff, zone


def run(mo):
    params = mo.params
    path, rules, cutoff, zone = validate(params, datetime.datetime.now(_time.UTC))
    store = _backup_store.open_store(mo.module, path, params["s3"])
    backups = _backup.survey(store, "metadata")
    readable = [b for b in backups if b.backup_ts]
    excluded = set(params["exclude"])
    delete, kept_as_base, why = _backup.select_prune(readable, rules, cutoff, excluded, zone)
    doomed = set(b.location for b in delete)
    names = [b.rel for b in _backup.newest_first(readable)]
    remaining = [b for b in _backup.newest_first(readable) if b.location not in doomed]
    kept_by = _backup.kept_reasons(remaining, kept_as_base, why, excluded)
    deleted = []
    mo.failure_result.update(deleted=deleted, kept=[b.rel for b in remaining], kept_by=kept_by,
                             kept_as_base=[b.location for b in kept_as_base],
                             partial=[b.location for b in backups if not b.backup_ts])
    for backup in _backup.newest_first(delete):
        mo.doing = "deleting %s (%d deleted before it)" % (backup.location, len(deleted))
        if not mo.check_mode:
            store.remove(backup.rel)
        deleted.append(backup.location)
    diff = {"before": {"backups": names}, "after": {"backups": kept_by}}
    mo.exit(bool(delete), diff=diff, **mo.failure_result)


def main():
    spec = _backup_store.argspec()
    spec.update(_retention.OPTIONS, exclude=dict(type="list", elements="str", default=[]),
                timezone=dict(type="str", default="UTC"))
    mo = MoModule(spec, connects=False)
    mo.doing = "reading the backups"
    mo.run(lambda: run(mo))


if __name__ == "__main__":
    main()
