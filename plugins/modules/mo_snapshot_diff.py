#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mo_snapshot_diff
short_description: Show what changed in MatrixOne data since a snapshot or a point in time
version_added: 1.0.0
description:
  - Compares a database, a table or the login account's databases between a snapshot (or a point in time a PITR
    covers) and now, and returns what changed.
  - Databases and tables added or removed, tables whose definition changed (column by column), row counts, and the
    rows that differ. For tables with a primary key the rows are told apart as inserted, deleted and updated (by
    key); for others the set difference in both directions is returned.
  - Uses set operations (C(EXCEPT)) with snapshot reads, batched over tables (never a query per table). MatrixOne's
    C(DATA BRANCH DIFF) is not used, because it compares two differently named tables, not one table at two points in
    time.
  - Two past points cannot be compared with each other, because MatrixOne (seen on v3.0.18 and v4.1.4) answers a statement that reads
    one table at two snapshots as if both were the same snapshot, so such a comparison would report no change.
    Compare each snapshot with now instead.
  - Read-only; reports C(changed=false).
author:
  - matrixone.backup maintainers (@matrixone-backup)
extends_documentation_fragment:
  - matrixone.backup.connection
  - matrixone.backup.attributes.INFO_MODULE
options:
  snapshot:
    description:
      - The snapshot to compare from. It must be a snapshot the login account took (MatrixOne shows each account
        only its own); a cluster snapshot is read for the login account's part.
      - Exactly one of O(snapshot) and O(timestamp) is required.
    type: str
  timestamp:
    description:
      - Compare from this point in time instead of a snapshot, an ISO-8601 time with a zone (V(2026-01-31T12:00:00Z))
        or a duration before now (V(15m), V(2h)). The data of that time must still be kept, by a PITR or a snapshot;
        MatrixOne refuses the read otherwise.
    type: str
  database:
    description:
      - The database to compare; default the snapshot's database. Without a database (and for an account or cluster
        snapshot) every non-system database of the login account is compared.
    type: str
  table:
    description: Only this table of O(database); default the snapshot's table for a table snapshot.
    type: str
  sample_rows:
    description:
      - How many sample rows to return per table and kind of change (inserted, deleted, updated), for up to 20
        tables. V(0) returns counts only.
    type: int
    default: 20
  content_max_rows:
    description:
      - Tables with more rows than this on either side are compared by row count only and listed in
        RV(content_not_compared). V(0) compares every table by content.
    type: int
    default: 1000000
notes:
  - Equality of rows is the server's. C(EXCEPT) compares whole rows, so for tables without a primary key duplicate
    rows count once.
seealso:
  - module: matrixone.backup.mo_restore
  - module: matrixone.backup.mo_snapshot
'''

EXAMPLES = r'''
- name: What did the migration do to shop since the snapshot before it?
  matrixone.backup.mo_snapshot_diff:
    snapshot: pre_migration_20260131
    database: shop
  register: changes

- name: One table, counts only
  matrixone.backup.mo_snapshot_diff:
    snapshot: sp_daily
    database: shop
    table: orders
    sample_rows: 0

- name: What changed in the last 15 minutes (a PITR covers the account)
  matrixone.backup.mo_snapshot_diff:
    timestamp: 15m
    database: shop
'''

RETURN = r'''
before:
  description: The point compared from (C(snapshot) with its name and time, or C(timestamp)).
  returned: always
  type: dict
  contains:
    snapshot:
      description: The snapshot's name (absent when O(timestamp) was given).
      type: str
    timestamp:
      description: The snapshot's time, or the time given, ISO-8601 UTC.
      type: str
after:
  description: The point compared to, always now (C(now=true)).
  returned: always
  type: dict
  contains:
    now:
      description: Always true.
      type: bool
databases_added:
  description: Databases that exist after but not before.
  returned: success
  type: list
  elements: str
databases_removed:
  description: Databases that existed before but not after.
  returned: success
  type: list
  elements: str
tables_added:
  description: Tables (C(db.table)) that exist after but not before.
  returned: success
  type: list
  elements: str
tables_removed:
  description: Tables that existed before but not after.
  returned: success
  type: list
  elements: str
tables_redefined:
  description: Tables whose columns changed, with the C(before) and C(after) column definitions.
  returned: success
  type: list
  elements: dict
  contains:
    table:
      description: The table, C(db.table).
      type: str
    before:
      description: Its column definitions at the point compared from.
      type: str
    after:
      description: Its column definitions now.
      type: str
row_counts:
  description: Tables whose row count changed, with C(before) and C(after) counts.
  returned: success
  type: list
  elements: dict
  contains:
    table:
      description: The table, C(db.table).
      type: str
    before:
      description: Its row count at the point compared from.
      type: int
    after:
      description: Its row count now.
      type: int
views_added:
  description: Views (C(db.view)) that exist now but did not at the point compared with.
  returned: success
  type: list
  elements: str
views_removed:
  description: Views that existed at the point compared with and do not now.
  returned: success
  type: list
  elements: str
views_redefined:
  description: Views whose definition changed, with the C(before) and C(after) C(CREATE VIEW) text.
  returned: success
  type: list
  elements: dict
  contains:
    view:
      description: The view, C(db.view).
      type: str
    before:
      description: Its C(CREATE VIEW) text at the point compared from.
      type: str
    after:
      description: Its C(CREATE VIEW) text now.
      type: str
rows:
  description:
    - Tables whose rows differ. C(rows_only_after) and C(rows_only_before) count the set difference each way. With a
      primary key (C(key), its columns) also C(inserted), C(deleted) and C(updated) rows.
    - C(samples) holds up to O(sample_rows) rows per kind (C(inserted), C(deleted), C(updated) as before/after
      pairs, ordered by key; C(only_after) and C(only_before) without a key).
  returned: success
  type: list
  elements: dict
  contains:
    table:
      description: The table, C(db.table).
      type: str
    key:
      description: Its primary key columns, or null (no key, or a key that changed between the points).
      type: list
      elements: str
    rows_only_after:
      description: Distinct rows only the table has now.
      type: int
    rows_only_before:
      description: Distinct rows only the point compared from has.
      type: int
    inserted:
      description: With a key, rows whose key exists only now.
      type: int
    deleted:
      description: With a key, rows whose key existed only at the point compared from.
      type: int
    updated:
      description: With a key, rows whose key exists at both points with other values.
      type: int
    samples:
      description: For up to 20 tables, up to O(sample_rows) rows of each kind (absent with O(sample_rows=0)).
      type: dict
      contains:
        inserted:
          description: With a key, inserted rows, ordered by key.
          type: list
          elements: dict
        deleted:
          description: With a key, deleted rows, ordered by key.
          type: list
          elements: dict
        updated:
          description: With a key, C(before) and C(after) versions of updated rows, ordered by key.
          type: list
          elements: dict
        only_after:
          description: Without a key, rows only the table has now.
          type: list
          elements: dict
        only_before:
          description: Without a key, rows only the point compared from has.
          type: list
          elements: dict
  sample:
    - table: shop.orders
      key: [id]
      rows_only_after: 3
      rows_only_before: 2
      inserted: 1
      deleted: 0
      updated: 2
      samples:
        inserted: [{id: 101, status: new}]
        deleted: []
        updated: [{before: {id: 2, status: open}, after: {id: 2, status: paid}}]
content_not_compared:
  description: Tables compared by row count only because they exceed O(content_max_rows).
  returned: success
  type: list
  elements: str
tables_unchanged:
  description: Tables present on both sides with no difference found.
  returned: success
  type: int
changes:
  description: Number of databases and tables that differ.
  returned: success
  type: int
identical:
  description: Whether the two points are provably equal; null when a table was compared by count only and none differed.
  returned: success
  type: bool
summary:
  description: The changes in one line, for messages and reports.
  returned: success
  type: str
  sample: "tables added: shop.audit; shop.orders: 1 inserted, 0 deleted, 2 updated"
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

from ansible_collections.matrixone.backup.plugins.module_utils import _diff
from ansible_collections.matrixone.backup.plugins.module_utils._module import MoModule


def main():
    mo = MoModule(dict(
        snapshot=dict(type="str"),
        timestamp=dict(type="str"),
        database=dict(type="str"),
        table=dict(type="str"),
        sample_rows=dict(type="int", default=20),
        content_max_rows=dict(type="int", default=1000000),
    ), mutually_exclusive=[("snapshot", "timestamp")], required_one_of=[("snapshot", "timestamp")])
    mo.run(lambda: run(mo))


def run(mo):
    _diff.validate(mo.params)
    mo.connect()
    before, report = _diff.compare_with_now(mo, mo.params)
    mo.exit(False, before=before, after={"now": True}, summary=_diff.summary(report), **report)


if __name__ == "__main__":
    main()
