#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mo_pitr
short_description: Create, change or drop a MatrixOne PITR (point-in-time recovery range)
version_added: 1.0.0
description:
  - Makes sure a PITR with a given name covers a cluster, account, database or table for a given range, or does not
    exist. MatrixOne 2.0+ then keeps history so that M(matrixone.backup.mo_restore) can restore to any second
    inside the range.
  - Idempotent. The same range is left alone; another range is changed with C(ALTER PITR) (check mode and C(--diff)
    show old and new). A PITR cannot change what it covers; another target fails unless O(replace=true).
  - MatrixOne allows one PITR per object for each account; a second one for the same object is refused before any
    change, naming the existing PITR.
author:
  - matrixone.backup maintainers (@matrixone-backup)
extends_documentation_fragment:
  - matrixone.backup.connection
  - matrixone.backup.attributes
attributes:
  check_mode:
    support: full
    details: Looks the PITRs up and reports exactly what a real run would do.
  diff_mode:
    support: full
    details: Before and after of the PITR definition and range.
  idempotent:
    support: full
    details: The same name and range are left alone.
options:
  name:
    description: PITR name (lower-case ASCII letters, digits, V(_) and V(-); at most 64 characters).
    type: str
    required: true
  state:
    description: V(present) creates or changes the PITR; V(absent) drops it.
    type: str
    choices: [present, absent]
    default: present
  level:
    description:
      - What the PITR covers; V(cluster) and other accounts need O(login_account=sys).
      - V(database) and V(table) are of the login account. Default V(account) when O(state=present).
    type: str
    choices: [cluster, account, database, table]
  account:
    description: Account of an V(account) level PITR; default the login account.
    type: str
  database:
    description: Database of a V(database) or V(table) level PITR.
    type: str
  table:
    description: Table of a V(table) level PITR.
    type: str
  range_value:
    description: How far back the history reaches, 1 to 100 O(range_unit). Required with O(state=present).
    type: int
  range_unit:
    description: Unit of O(range_value) - hours, days, months (30 days) or years.
    type: str
    choices: [h, d, mo, y]
    default: d
  replace:
    description: When the name exists with another target, drop it and create the requested one (its history is lost).
    type: bool
    default: false
  server_timezone:
    description:
      - The MatrixOne server's local time zone (IANA name such as V(Asia/Shanghai), or an offset like V(+08:00)).
      - By default it is read from the server (C(NOW()) against C(UTC_TIMESTAMP()), as a fixed offset). A given zone
        must show the offset the server's clock shows now, otherwise the task fails before anything changes. Give an
        IANA name for a zone with daylight saving time, so that times before a change of offset convert correctly.
    type: str
notes:
  - A PITR keeps old data from garbage collection for its whole range; storage grows with the change rate.
  - MatrixOne's CDC needs PITRs; do not drop PITRs you did not create.
seealso:
  - module: matrixone.backup.mo_pitr_info
  - module: matrixone.backup.mo_restore
'''

EXAMPLES = r'''
- name: Keep 7 days of history for account acc1 (mo_br pitr create --level account --account acc1)
  matrixone.backup.mo_pitr:
    name: pitr_acc1
    level: account
    account: acc1
    range_value: 7
    range_unit: d

- name: Extend it to 14 days (mo_br pitr alter)
  matrixone.backup.mo_pitr:
    name: pitr_acc1
    level: account
    account: acc1
    range_value: 14

- name: Drop it (mo_br pitr drop)
  matrixone.backup.mo_pitr:
    name: pitr_acc1
    state: absent
'''

RETURN = r'''
pitr:
  description: The PITR after the task (in check mode the predicted one); absent after a drop.
  returned: when O(state=present)
  type: dict
  contains:
    name:
      description: PITR name.
      type: str
    level:
      description: cluster, account, database or table.
      type: str
    account:
      description: Account it covers (null for cluster level).
      type: str
    database:
      description: Database of a database/table PITR.
      type: str
    table:
      description: Table of a table PITR.
      type: str
    range_value:
      description: Length of the range.
      type: int
    range_unit:
      description: Unit of the range.
      type: str
    created:
      description: Creation time, ISO-8601 UTC (null in check mode for a new one).
      type: str
    modified:
      description: Last change time, ISO-8601 UTC; restores can go back to this point at most.
      type: str
    window:
      description: The times a restore can reach now, C(start) and C(end) in ISO-8601 UTC.
      type: dict
      contains:
        start:
          description: The earliest time a restore can reach, ISO-8601 UTC.
          type: str
        end:
          description: The latest (now, when the module ran), ISO-8601 UTC.
          type: str
queries:
  description: SQL that changed state (in check mode, that would), in order.
  returned: always
  type: list
  elements: str
  sample: ["CREATE PITR `pitr_acc1` FOR ACCOUNT `acc1` RANGE 7 'd'"]
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


from ansible_collections.matrixone.backup.plugins.module_utils import _pitr_task, _sql
from ansible_collections.matrixone.backup.plugins.module_utils._module import MoModule


def main():
    mo = MoModule(dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        level=dict(type="str", choices=list(_sql.LEVELS)),
        account=dict(type="str"),
        database=dict(type="str"),
        table=dict(type="str"),
        range_value=dict(type="int"),
        range_unit=dict(type="str", default="d", choices=list(_sql.PITR_UNITS)),
        replace=dict(type="bool", default=False),
        server_timezone=dict(type="str"),
    ), required_if=[("state", "present", ("range_value",))])
    mo.run(lambda: run(mo))


def run(mo):
    desired = _pitr_task.validate(mo.params, mo.login_account)
    mo.connect()
    changed, result = _pitr_task.ensure(mo, desired)
    mo.exit(changed, **result)


if __name__ == "__main__":
    main()
