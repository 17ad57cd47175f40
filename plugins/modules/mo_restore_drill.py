#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mo_restore_drill
short_description: Prove that a MatrixOne snapshot or PITR time restores, beside the live data, and time it
version_added: 2.0.0
description:
  - Restores one point (a snapshot, or a PITR time) beside the live data as M(matrixone.backup.mo_restore) would,
    verifies the copy against the point, runs the O(checks) on the copy, times it, and removes the copy, always.
    The live data are never touched.
  - V(database) and V(table) level, the copy is a scratch database (C(CREATE DATABASE copy CLONE db {SNAPSHOT = s}),
    with C({MO_TS = n}) for a PITR time), verified by content (every row, both ways).
  - V(account) level (sys only), the copy is a new scratch account (C(RESTORE ACCOUNT a {SNAPSHOT = s} TO ACCOUNT
    copy); for sys itself one C(CREATE DATABASE d CLONE d {SNAPSHOT = s} TO ACCOUNT copy) per database), verified by
    row counts and checksums through the copy's admin, a generated password that is never shown. A PITR time cannot
    be drilled at this level (MatrixOne's PITR restore has no C(TO ACCOUNT)).
  - A point that cannot be restored (a dropped snapshot, a snapshot of another database, a time outside its PITR
    window), a copy that does not verify or a check that fails makes the drill fail, with the reason in
    RV(drill.why) and the task's message. The copy is removed in every case.
  - The copy is named O(scratch_prefix), the UTC time and 4 random characters. Each run first drops the databases
    (and, as sys, the accounts) named that way, which is what an interrupted drill left. Drills that run at the same
    time on one cluster need different prefixes.
  - The C(matrixone.backup.restore_drill) role runs this module for each point it drills and writes the reports.
  - MatrixOne 3.0 or later (C(CLONE)).
author:
  - matrixone.backup maintainers (@matrixone-backup)
extends_documentation_fragment:
  - matrixone.backup.connection
  - matrixone.backup.attributes
attributes:
  check_mode:
    support: full
    details:
      - The drill is the same in check mode and in a real run, because it never changes the live data. Its only write
        is the copy, which it removes.
  diff_mode:
    support: none
  idempotent:
    support: full
    details:
      - It leaves nothing behind and reports C(changed=false), unless it dropped what an interrupted drill left
        (RV(drill.leftovers_removed)).
options:
  snapshot:
    description: The snapshot to drill.
    type: str
  pitr:
    description: The PITR whose O(timestamp) is drilled (V(database) and V(table) level).
    type: str
  timestamp:
    description:
      - The time to drill with O(pitr), as for M(matrixone.backup.mo_restore) (ISO 8601 with a zone, a local time with
        O(timezone), or a duration back from the server's clock such as V(15m)).
    type: str
  timezone:
    description: The zone of a O(timestamp) given without one.
    type: str
  server_timezone:
    description: The zone MatrixOne reads PITR times in, as for M(matrixone.backup.mo_restore); read from the server's
      clock when not given.
    type: str
  level:
    description: What is restored and verified.
    type: str
    choices: [database, table, account]
    default: database
  account:
    description: With O(level=account), the account drilled (default the login account, so V(sys)).
    type: str
  database:
    description:
      - The database drilled (V(database), V(table)). With O(level=account), the default database of the O(checks).
    type: str
  table:
    description: The table drilled, with O(level=table).
    type: str
  checks:
    description:
      - Queries run on the copy after it verified, each C({name, sql, expect}) as the checks of the
        C(matrixone.backup.snapshot_guard) role (C(expect) the rows as a list of dicts; without it a check passes when
        it runs).
      - Database and table level, the copy is their default database, so write table names without the database.
        Account level, they run as the copy's admin with O(database) as the default database.
    type: list
    elements: dict
    default: []
  scratch_prefix:
    description: The start of the copy's name, 1-30 lower-case letters, digits and C(_), starting with a letter.
    type: str
    default: mo_drill_
  content_max_rows:
    description: Tables with more rows are verified by row count only, as in M(matrixone.backup.mo_restore).
    type: int
    default: 1000000
seealso:
  - module: matrixone.backup.mo_restore
  - module: matrixone.backup.mo_recovery_points
  - module: matrixone.backup.mo_rehearse
'''

EXAMPLES = r'''
- name: Prove last night's snapshot of shop restores, and how long it takes
  matrixone.backup.mo_restore_drill:
    snapshot: nightly_shop_20261204
    database: shop
    checks:
      - name: orders are there
        sql: SELECT count(*) > 0 AS ok FROM orders
        expect: [{ok: 1}]
  register: drill

- name: Drill tenant acc1 from its account snapshot, into a scratch account (as sys)
  matrixone.backup.mo_restore_drill:
    snapshot: acc1_nightly
    level: account
    account: acc1

- name: Drill a PITR time
  matrixone.backup.mo_restore_drill:
    pitr: pitr_shop
    timestamp: 2h
    database: shop
'''

RETURN = r'''
drill:
  description: What the drill did, also returned when it fails.
  returned: when the drill ran (not for bad input)
  type: dict
  contains:
    point:
      description: The snapshot name, or C(<pitr> at <timestamp>).
      type: str
    kind:
      description: V(snapshot) or V(pitr).
      type: str
    level:
      description: O(level).
      type: str
    target:
      description: What was drilled (C(db), C(db.table), or the account).
      type: str
    copy_name:
      description: The name of the scratch database or account the copy went to.
      type: str
    verified:
      description: True when the copy verified against the point and every check passed.
      type: bool
    why:
      description: Why the drill failed (empty when it passed).
      type: str
    point_time:
      description: The time of the point drilled, ISO 8601 UTC.
      type: str
    compared:
      description: "How each account's copy was compared, as text, for example V(sys: content)."
      type: str
    verified_by:
      description: The same as a dict, account to method, as M(matrixone.backup.mo_restore) returns it.
      type: dict
    checks:
      description: Each check run on the copy.
      type: list
      elements: dict
      contains:
        name:
          description: Its name, or its SQL.
          type: str
        sql:
          description: The query.
          type: str
        rows:
          description: The rows it returned.
          type: list
          elements: dict
        expect:
          description: The rows it expected, when given.
          type: list
          elements: dict
        passed:
          description: Whether it passed.
          type: bool
        error:
          description: MatrixOne's error, when the query failed.
          type: str
    seconds:
      description: Restore, verification and checks, the time a real restore of this point with its checks takes
        (null when it did not get that far).
      type: float
    restore_seconds:
      description: Restore and verification.
      type: float
    checks_seconds:
      description: The checks.
      type: float
    removed:
      description: True when no copy is left behind (dropped, or never created).
      type: bool
    remove_seconds:
      description: Dropping the copy.
      type: float
    leftovers_removed:
      description: What an interrupted drill had left and this run dropped (C(database <name>), C(account <name>)).
      type: list
      elements: str
  sample:
    point: nightly_shop_20261204
    kind: snapshot
    level: database
    target: shop
    copy_name: mo_drill_20261205020000_k3x9
    verified: true
    why: ""
    point_time: "2026-12-04T18:00:02.113Z"
    compared: "sys: content"
    seconds: 1.42
    removed: true
'''

from ansible_collections.matrixone.backup.plugins.module_utils import _drill, _errors
from ansible_collections.matrixone.backup.plugins.module_utils._module import MoModule


def main():
    mo = MoModule(dict(
        snapshot=dict(type="str"),
        pitr=dict(type="str"),
        timestamp=dict(type="str"),
        timezone=dict(type="str"),
        server_timezone=dict(type="str"),
        level=dict(type="str", choices=list(_drill.LEVELS), default="database"),
        account=dict(type="str"),
        database=dict(type="str"),
        table=dict(type="str"),
        checks=dict(type="list", elements="dict", default=[]),
        scratch_prefix=dict(type="str", default=_drill.DEFAULT_PREFIX),
        content_max_rows=dict(type="int", default=1000000),
    ), required_one_of=[("snapshot", "pitr")], mutually_exclusive=[("snapshot", "pitr")],
        required_together=[("pitr", "timestamp")])
    mo.run(lambda: run(mo))


def run(mo):
    when = _drill.validate(mo.params)
    mo.connect()
    _drill.refusal(mo.server, mo.login_account, mo.params["level"])
    drill = _drill.Drill(mo, when)
    record, warnings = drill.run()
    for warning in warnings:
        mo.module.warn(warning)
    if not record["verified"]:
        mo.failure_result = {}  # the restore job's own fields: the drill record says what happened
        raise _errors.MoError("restore drill of %s failed: %s" % (record["point"], record["why"]), drill=record)
    mo.exit(bool(record["leftovers_removed"]), drill=record)


if __name__ == "__main__":
    main()
