#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mo_pitr_info
short_description: List MatrixOne PITRs and the windows they can restore to
version_added: 1.0.0
description:
  - Lists the PITRs the login account created (C(mo_br pitr show)), with their level, target, range, creation and
    change times, and the window a restore can reach now ("what can I restore to?").
author:
  - matrixone.backup maintainers (@matrixone-backup)
extends_documentation_fragment:
  - matrixone.backup.connection
  - matrixone.backup.attributes.INFO_MODULE
options:
  name:
    description: Only the PITR with this name.
    type: str
  level:
    description: Only PITRs of this level.
    type: str
    choices: [cluster, account, database, table]
  account:
    description: Only PITRs covering this account.
    type: str
  database:
    description: Only PITRs of this database.
    type: str
  table:
    description: Only PITRs of this table.
    type: str
  server_timezone:
    description:
      - The MatrixOne server's local time zone (IANA name such as V(Asia/Shanghai), or an offset like V(+08:00)).
      - By default it is read from the server (C(NOW()) against C(UTC_TIMESTAMP()), as a fixed offset). A given zone
        must show the offset the server's clock shows now, otherwise the task fails before anything changes. Give an
        IANA name for a zone with daylight saving time, so that times before a change of offset convert correctly.
    type: str
seealso:
  - module: matrixone.backup.mo_pitr
  - module: matrixone.backup.mo_restore
'''

EXAMPLES = r'''
- name: What can account acc1 be restored to?
  matrixone.backup.mo_pitr_info:
    account: acc1
  register: acc1_pitrs

- name: Show the windows
  ansible.builtin.debug:
    msg: "{{ acc1_pitrs.pitrs | map(attribute='window') | list }}"
'''

RETURN = r'''
pitrs:
  description: Matching PITRs, newest first, as M(matrixone.backup.mo_pitr) returns them (with C(window)).
  returned: always
  type: list
  elements: dict
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
count:
  description: Number of matching PITRs.
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
'''


from ansible_collections.matrixone.backup.plugins.module_utils import _pitr, _sql, _time
from ansible_collections.matrixone.backup.plugins.module_utils._module import MoModule


def main():
    mo = MoModule(dict(
        name=dict(type="str"),
        level=dict(type="str", choices=list(_sql.LEVELS)),
        account=dict(type="str"),
        database=dict(type="str"),
        table=dict(type="str"),
        server_timezone=dict(type="str"),
    ))
    mo.run(lambda: run(mo))


def run(mo):
    params = mo.params
    _sql.validate_names(params, (("name", "pitr"), ("account", "account"), ("database", "database"),
                                 ("table", "table")))
    _time.zone(params["server_timezone"], "server_timezone")
    mo.connect()
    mo.doing = "listing PITRs"
    mo.server.require("pitr")
    clock = mo.server_clock(params["server_timezone"])
    pitrs = [_pitr.from_row(r, clock.shown_zone, clock.now)
             for r in mo.query(_sql.show_pitr(params["name"]), record=False)]
    pitrs = [p for p in pitrs if all(params[k] is None or p[k] == params[k]
                                     for k in ("level", "account", "database", "table"))]
    mo.exit(False, pitrs=pitrs, count=len(pitrs))


if __name__ == "__main__":
    main()
