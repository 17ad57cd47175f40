#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mo_recovery_points
short_description: Every point a MatrixOne cluster, account, database or table can be brought back to
version_added: 2.0.0
description:
  - One catalog for a target. It lists the snapshots that hold the target (at any level), the PITR windows that
    cover it, and the physical backups under O(path), newest first.
  - It also gives the recovery point objective now (RV(rpo_seconds), the age of the newest point) and the oldest
    time that can be reached (RV(oldest)).
  - Each point says how to restore it (RV(points[].restore_with)). A snapshot or PITR goes to
    M(matrixone.backup.mo_restore) or M(matrixone.backup.mo_restore_drill), whose options have the same names as
    its keys. A physical backup is restored offline (the C(back_from_backup) entry point
    of the C(matrixone.backup.node_upgrade) role, or C(mo_br restore)).
  - MatrixOne shows each account only the snapshots and PITRs it created. Log in as the account that made them,
    usually sys.
author:
  - matrixone.backup maintainers (@matrixone-backup)
extends_documentation_fragment:
  - matrixone.backup.connection
  - matrixone.backup.backup_store
  - matrixone.backup.attributes.INFO_MODULE
options:
  level:
    description:
      - The level of the target. The default is the narrowest one that O(table), O(database) and O(account) name,
        else the login account.
    type: str
    choices: [cluster, account, database, table]
  account:
    description: The account of the target. The default is the login account.
    type: str
  database:
    description: The database of a database or table target.
    type: str
  table:
    description: The table of a table target.
    type: str
  path:
    description:
      - Also list the physical backups under this directory (on the host that runs the module) or, with O(s3), this
        key prefix. A physical backup holds the whole cluster, so it covers any target.
      - Without it, no backup is listed.
    type: str
  verify:
    description: How far to verify each backup before it counts as a point (see M(matrixone.backup.mo_backup_info)).
    type: str
    choices: [none, metadata, checksums]
    default: metadata
  server_timezone:
    description: The zone in which the server prints PITR times, when its session zone is not SYSTEM.
    type: str
seealso:
  - module: matrixone.backup.mo_snapshot_info
  - module: matrixone.backup.mo_pitr_info
  - module: matrixone.backup.mo_backup_info
  - module: matrixone.backup.mo_restore
'''

EXAMPLES = r'''
- name: What can shop be brought back to?
  matrixone.backup.mo_recovery_points:
    database: shop
    path: /backups/mo
  register: recovery

- name: Alert when the newest point is older than an hour
  ansible.builtin.assert:
    that: recovery.rpo_seconds is not none and recovery.rpo_seconds < 3600
    fail_msg: "shop's newest recovery point is {{ recovery.newest }}"

- name: Restore the newest snapshot the catalog lists
  matrixone.backup.mo_restore:
    snapshot: "{{ (recovery.points | selectattr('kind', 'eq', 'snapshot') | first).name }}"
    level: database
    database: shop
'''

RETURN = r'''
target:
  description: The target the points cover.
  returned: always
  type: dict
  contains:
    level:
      description: cluster, account, database or table.
      type: str
    account:
      description: Its account (null for the cluster).
      type: str
    database:
      description: Its database, or null.
      type: str
    table:
      description: Its table, or null.
      type: str
points:
  description: Every point, newest first.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: V(snapshot), V(pitr) or V(backup).
      type: str
    name:
      description: The snapshot's or PITR's name, or the backup's directory name.
      type: str
    level:
      description: The level of the snapshot or PITR (V(cluster) for a backup).
      type: str
    time:
      description: The point's time, ISO-8601 UTC. For a PITR, the end of its window (now).
      type: str
    oldest:
      description: The oldest time this point reaches. For a PITR, the start of its window; otherwise its time.
      type: str
    restore_with:
      description:
        - How to restore it. For a snapshot, C(snapshot) for M(matrixone.backup.mo_restore) or
          M(matrixone.backup.mo_restore_drill). For a PITR, C(pitr), to use with a C(timestamp) inside the window.
          For a backup, C(path), its location.
      type: dict
      contains:
        snapshot:
          description: The snapshot's name.
          type: str
        pitr:
          description: The PITR's name.
          type: str
        path:
          description: The backup's location.
          type: str
    depends_on:
      description: For an incremental backup, the locations of the earlier backups it needs.
      type: list
      elements: str
newest:
  description: The time of the newest point, or null when there is none.
  returned: always
  type: str
oldest:
  description: The oldest time any point reaches, or null.
  returned: always
  type: str
rpo_seconds:
  description: Seconds between now and the newest point (0 under a PITR), or null when there is no point.
  returned: always
  type: int
problems:
  description: Backups under O(path) that do not count as points, with why (incomplete, damaged).
  returned: always
  type: list
  elements: str
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
'''

import datetime

from ansible_collections.matrixone.backup.plugins.module_utils import _backup, _backup_store, _pitr, _recovery
from ansible_collections.matrixone.backup.plugins.module_utils import _snapshots, _sql, _time
from ansible_collections.matrixone.backup.plugins.module_utils._module import MoModule


def main():
    spec = _backup_store.argspec()
    spec.update(path=dict(type="str"), level=dict(type="str", choices=list(_sql.LEVELS)), account=dict(type="str"),
                database=dict(type="str"), table=dict(type="str"), server_timezone=dict(type="str"),
                verify=dict(type="str", choices=["none", "metadata", "checksums"], default="metadata"))
    mo = MoModule(spec)
    mo.run(lambda: run(mo))


def backups(mo):
    """The complete, verified backups under path (summaries) and the problems of the others."""
    params = mo.params
    if params["path"] is None:
        return [], []
    store = _backup_store.open_store(mo.module, _backup_store.validate_path(params), params["s3"])
    found = _backup.survey(store, None if params["verify"] == "none" else params["verify"])
    summaries = [b.summary() for b in _backup.newest_first(found)]
    problems = _backup.problems_of(summaries)
    return [s for s in summaries if s["complete"]], problems


def run(mo):
    params = mo.params
    _sql.validate_names(params, (("account", "account"), ("database", "database"), ("table", "table")))
    _time.zone(params["server_timezone"], "server_timezone")
    mo.connect()
    target = _recovery.target_of(params, mo.login_account)
    mo.doing = "listing snapshots"
    now = datetime.datetime.now(_time.UTC)
    snapshots = [_snapshots.from_row(r) for r in mo.query(_sql.show_snapshots(), record=False)]
    pitrs = []
    if mo.server.has("pitr"):
        mo.doing = "listing PITRs"
        clock = mo.server_clock(params["server_timezone"])
        now = clock.now
        pitrs = [_pitr.from_row(r, clock.shown_zone, clock.now) for r in mo.query(_sql.show_pitr(), record=False)]
    mo.doing = "reading the backups"
    complete, problems = backups(mo)
    found = _recovery.catalog(target, snapshots, pitrs, complete, now)
    mo.exit(False, target=target, problems=problems, **found)


if __name__ == "__main__":
    main()
