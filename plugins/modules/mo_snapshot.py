#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mo_snapshot
short_description: Create or drop a MatrixOne snapshot
version_added: 1.0.0
description:
  - Makes sure a MatrixOne snapshot with a given name exists with a given definition (level and target),
    or does not exist.
  - Idempotent by definition, not just by name. An existing snapshot with the same definition is left alone;
    one with another definition makes the task fail and say what differs, unless O(replace=true).
    C(CREATE SNAPSHOT IF NOT EXISTS) is never relied on, because it succeeds silently on a stale snapshot.
  - Two runs racing to create the same snapshot end with one snapshot and no failure.
  - The SQL of the server's version is used; features the server lacks fail before any change with the
    version they need.
author:
  - matrixone.backup maintainers (@matrixone-backup)
extends_documentation_fragment:
  - matrixone.backup.connection
  - matrixone.backup.attributes
attributes:
  check_mode:
    support: full
    details: Looks the snapshot and its target up and reports exactly what a real run would do.
  diff_mode:
    support: full
    details: Shows the snapshot definition before and after.
  idempotent:
    support: full
    details: An existing snapshot of the same definition is left alone.
options:
  name:
    description:
      - Snapshot name. Lower-case ASCII letters, digits, V(_) and V(-); at most 64 characters.
      - Names starting with V(ccpr_) or V(__mo_branch_) are refused (MatrixOne hides them).
    type: str
    required: true
  state:
    description:
      - V(present) creates the snapshot when it does not exist.
      - V(absent) drops it when it exists. When O(level) or a target is also given, the existing snapshot must
        match them, so a task never drops a snapshot other than the one it describes.
    type: str
    choices: [present, absent]
    default: present
  level:
    description:
      - What the snapshot covers. V(cluster) needs O(login_account=sys).
      - V(database) and V(table) need MatrixOne 2.1 or later and are always of the login account; before 3.0.4
        MatrixOne may garbage-collect their data (a warning is given).
      - Default V(account) when O(state=present).
    type: str
    choices: [cluster, account, database, table]
  account:
    description:
      - Account of an V(account) level snapshot. Default the login account. Another account needs
        O(login_account=sys).
      - With V(database) and V(table) it may only name the login account.
    type: str
  database:
    description:
      - Database of a V(database) or V(table) level snapshot.
    type: str
  table:
    description:
      - Table of a V(table) level snapshot (in O(database)).
    type: str
  replace:
    description:
      - When a snapshot with this name exists with another definition, drop it and create the requested one
        instead of failing. The old snapshot is lost.
    type: bool
    default: false
  max_age:
    description:
      - With O(state=present), an existing snapshot of this name and definition older than this (a number and a
        unit s, m, h, d or w, such as V(24h)) by the server's clock is dropped and taken again, so a fixed name
        always holds a recent state.
      - The trade-off is that the name is reused. Between the drop and the create there is no snapshot of that
        name, and none if the create fails. To keep the old one until the new one exists, use a new name per run
        (a timestamp) with O(retain).
    type: str
    version_added: 1.1.0
  retain:
    description:
      - With O(state=present), once the snapshot exists, keep only the newest O(retain) snapshots whose names start
        with O(retain_prefix) (this one included) and drop the older ones, as M(matrixone.backup.mo_snapshot_prune)
        with O(matrixone.backup.mo_snapshot_prune#module:keep_newest) would. Nothing is dropped before the new
        snapshot exists.
      - Only the login account's snapshots are seen (MatrixOne lists each account's own).
    type: int
    version_added: 1.1.0
  retain_prefix:
    description:
      - The name prefix that O(retain) counts; O(name) must start with it. Required with O(retain).
    type: str
    version_added: 1.1.0
notes:
  - A snapshot is a point in time inside the same cluster and storage, not a backup to another place.
  - On MatrixOne 4.x non-sys accounts may keep 50 snapshots per level by default; use
    M(matrixone.backup.mo_snapshot_prune) for retention.
seealso:
  - module: matrixone.backup.mo_snapshot_info
  - module: matrixone.backup.mo_snapshot_prune
'''

EXAMPLES = r'''
- name: Snapshot the sys account (mo_br snapshot create --level account --account sys --sname sp_01)
  matrixone.backup.mo_snapshot:
    name: sp_01
    level: account
    account: sys
    login_user: dump
    login_password: "{{ mo_password }}"

- name: Snapshot the whole cluster
  matrixone.backup.mo_snapshot:
    name: cluster_sp1
    level: cluster

- name: Snapshot one database as a tenant admin
  matrixone.backup.mo_snapshot:
    name: pre_migration_20260131
    level: database
    database: shop
    login_account: acc1
    login_user: admin
    login_password: "{{ acc1_password }}"

- name: Drop a snapshot
  matrixone.backup.mo_snapshot:
    name: sp_01
    state: absent

- name: A nightly snapshot under a new name each night, keeping the newest 7
  matrixone.backup.mo_snapshot:
    name: "nightly_shop_{{ now(utc=true).strftime('%Y%m%d') }}"
    level: database
    database: shop
    retain: 7
    retain_prefix: nightly_shop_

- name: One fixed name that always holds a state at most a day old
  matrixone.backup.mo_snapshot:
    name: shop_recent
    level: database
    database: shop
    max_age: 24h
'''

RETURN = r'''
snapshot:
  description: The snapshot after the task (in check mode the predicted one); absent after a drop.
  returned: when O(state=present)
  type: dict
  contains:
    name:
      description: Snapshot name.
      type: str
      sample: sp_01
    timestamp:
      description: When MatrixOne took it, ISO-8601 UTC with the server's precision; null in check mode for a new one.
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
      sample: account
    account:
      description: Account it covers (the creating account for database/table level); null for cluster level.
      type: str
      sample: sys
    database:
      description: Database of a database/table snapshot, else null.
      type: str
    table:
      description: Table of a table snapshot, else null.
      type: str
retained_dropped:
  description:
    - With O(retain), the snapshots of O(retain_prefix) dropped (in check mode, that would be dropped) to keep the
      newest O(retain), newest first; the same keys as RV(snapshot). Empty otherwise.
  returned: when O(state=present)
  type: list
  elements: dict
queries:
  description: SQL that changed state (in check mode, that would have), in order, with secrets masked.
  returned: always
  type: list
  elements: str
  sample: ["CREATE SNAPSHOT `sp_01` FOR ACCOUNT `sys`"]
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

from ansible_collections.matrixone.backup.plugins.module_utils import _snapshot_task, _sql
from ansible_collections.matrixone.backup.plugins.module_utils._module import MoModule


def main():
    mo = MoModule(dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        level=dict(type="str", choices=list(_sql.LEVELS)),
        account=dict(type="str"),
        database=dict(type="str"),
        table=dict(type="str"),
        replace=dict(type="bool", default=False),
        max_age=dict(type="str"),
        retain=dict(type="int"),
        retain_prefix=dict(type="str"),
    ), required_together=[("retain", "retain_prefix")])
    mo.run(lambda: run(mo))


def run(mo):
    desired = _snapshot_task.validate(mo.params, mo.login_account)
    mo.connect()
    changed, result = _snapshot_task.ensure(mo, desired)
    mo.exit(changed, **result)


if __name__ == "__main__":
    main()
