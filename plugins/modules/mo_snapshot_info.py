#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mo_snapshot_info
short_description: List and filter MatrixOne snapshots
version_added: 1.0.0
description:
  - Lists the snapshots the login account can see (MatrixOne shows each account only the snapshots it
    created), newest first, filtered by name, prefix, glob pattern, level, target and age.
  - The equivalent of C(mo_br snapshot show) with its C(--sname), C(--account), C(--db), C(--table),
    C(--beginTs) and C(--endTs) filters, plus prefix and pattern matching.
  - Filters run on the server (C(SHOW SNAPSHOTS WHERE ...)), so one round trip serves thousands of snapshots.
author:
  - matrixone.backup maintainers (@matrixone-backup)
extends_documentation_fragment:
  - matrixone.backup.connection
  - matrixone.backup.snapshot_filter
  - matrixone.backup.attributes.INFO_MODULE
options:
  name:
    description: Only the snapshot with exactly this name.
    type: str
  newer_than:
    description:
      - Only snapshots taken at or after this point, given as a duration before now (V(30m), V(12h), V(7d), V(2w))
        or an ISO-8601 time with a zone (V(2026-01-31T00:00:00Z)). Like C(mo_br --beginTs).
    type: str
  older_than:
    description:
      - Only snapshots taken before this point, in the same forms as O(newer_than). Like C(mo_br --endTs).
    type: str
notes:
  - Ages and durations are computed against the clock of the host running the module; keep it in sync with
    the MatrixOne cluster (NTP).
seealso:
  - module: matrixone.backup.mo_snapshot
  - module: matrixone.backup.mo_snapshot_prune
'''

EXAMPLES = r'''
- name: All snapshots of the sys account (mo_br snapshot show --account sys)
  matrixone.backup.mo_snapshot_info:
    account: sys
  register: sys_snapshots

- name: Guard snapshots of the last week
  matrixone.backup.mo_snapshot_info:
    prefix: guard_
    newer_than: 7d

- name: Cluster snapshots (mo_br snapshot show --cluster sys)
  matrixone.backup.mo_snapshot_info:
    level: cluster
'''

RETURN = r'''
snapshots:
  description: Matching snapshots, newest first.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Snapshot name.
      type: str
    timestamp:
      description: When it was taken, ISO-8601 UTC with the server's precision.
      type: str
      sample: "2024-05-10T02:06:08.01635Z"
    timestamp_utc:
      description:
        - The same time with exactly six fraction digits, which C(to_datetime('%Y-%m-%dT%H:%M:%S.%fZ')) parses (the
          server's own precision can be nine digits).
      type: str
      sample: "2024-05-10T02:06:08.016350Z"
    timestamp_epoch:
      description: The same time in seconds since the epoch.
      type: float
      sample: 1715306768.01635
    level:
      description: cluster, account, database or table.
      type: str
    account:
      description: Account it covers; null for cluster level.
      type: str
    database:
      description: Database of a database/table snapshot, else null.
      type: str
    table:
      description: Table of a table snapshot, else null.
      type: str
    age_seconds:
      description: Seconds since it was taken, by the clock of the host running the module.
      type: int
count:
  description: Number of matching snapshots.
  returned: always
  type: int
queries:
  description: Always empty; this module changes nothing.
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
    capabilities:
      description:
        - What the module's one capability table decided the server can do, by feature (docs/versions.md). Only
          M(matrixone.backup.mo_snapshot_info) returns it.
      type: dict
      contains:
        account_snapshot:
          description: Cluster and account snapshots (MatrixOne 1.2.0 or later).
          type: bool
        brace_restore:
          description: RESTORE ... {SNAPSHOT = s} syntax (MatrixOne 4.0.0 or later).
          type: bool
        clone:
          description: CREATE DATABASE/TABLE ... CLONE, used to restore beside live data (MatrixOne 3.0.0 or later).
          type: bool
        db_table_snapshot:
          description: Database and table level snapshots (MatrixOne 2.1.0 or later).
          type: bool
        gc_safe_db_table_snapshot:
          description: Garbage-collection-safe database/table snapshots (MatrixOne 3.0.4 or later).
          type: bool
        legacy_restore:
          description: RESTORE ... FROM SNAPSHOT syntax (MatrixOne 1.2.0 to 3.x; a syntax error from 4.0).
          type: bool
        own_account_snapshot:
          description: FOR ACCOUNT without an account name (MatrixOne 2.1.0 or later).
          type: bool
        pitr:
          description: Point-in-time recovery, PITR (MatrixOne 2.0.0 or later).
          type: bool
        pitr_account_database_restore:
          description: RESTORE ACCOUNT a DATABASE d ... FROM PITR (MatrixOne 4.1.0 or later).
          type: bool
        recovery_window:
          description: SHOW RECOVERY_WINDOW (MatrixOne 2.1.0 or later).
          type: bool
        restore_cluster:
          description: RESTORE CLUSTER (MatrixOne 2.0.0 or later).
          type: bool
        restore_dropped_account:
          description: Restoring a dropped account (MatrixOne 2.1.0 or later).
          type: bool
        snapshot_quota:
          description: Per-account snapshot quotas (MatrixOne 4.0.0 or later).
          type: bool
        snapshot_read_show:
          description: SHOW DATABASES/TABLES at a snapshot (MatrixOne 2.0.0 or later).
          type: bool
'''

import datetime

from ansible_collections.matrixone.backup.plugins.module_utils import _snapshots, _time
from ansible_collections.matrixone.backup.plugins.module_utils._module import MoModule


def main():
    spec = dict(_snapshots.FILTER_OPTIONS, name=dict(type="str"), newer_than=dict(type="str"),
                older_than=dict(type="str"))
    mo = MoModule(spec)
    mo.report_capabilities = True
    mo.run(lambda: run(mo))


def run(mo):
    now = datetime.datetime.now(_time.UTC)
    _snapshots.build_query(mo.params, now)
    mo.connect()
    mo.doing = "listing snapshots"
    snaps = _snapshots.list_snapshots(mo, mo.params, now)
    mo.exit(False, snapshots=snaps, count=len(snaps))


if __name__ == "__main__":
    main()
