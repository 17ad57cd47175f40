#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mo_rehearse
short_description: Rehearse a MatrixOne change on a zero-copy clone before it touches production
version_added: 2.0.0
description:
  - Runs SQL (a migration) and its checks on a copy of an account's databases and reports what happened, without
    changing them. The copy is a scratch account that the module creates, fills with
    C(CREATE DATABASE d CLONE d {SNAPSHOT = s} TO ACCOUNT scratch) (same database names, storage shared, so a
    10^6-row table clones in about 0.01 s) and drops afterwards.
  - The SQL runs in the scratch account, logged in as its admin with a generated password that is never shown,
    statement by statement as M(matrixone.backup.mo_sql) runs it (same splitting, same default O(database)). The
    first failing statement stops the change; the module then fails, naming the statement, its line in the file and
    MatrixOne's error.
  - After the change the O(checks) run there too, and the scratch account's data are compared with its own snapshot
    taken before the change, as M(matrixone.backup.mo_snapshot_diff) compares (tables added, removed, redefined; rows
    inserted, deleted, updated with samples).
  - The clone needs a snapshot (MatrixOne refuses to clone across accounts without one). Without O(snapshot) the
    module takes a temporary account snapshot and drops it at the end. That snapshot is the only write outside the
    scratch account, and RV(queries) lists it.
  - The scratch account and the temporary snapshot are named O(scratch_prefix), the UTC time and 4 random
    characters. Each run first drops the accounts and snapshots named that way, which is what an interrupted run
    left. Two rehearsals that run at the same time on one cluster need different prefixes.
  - Only sys can rehearse, because a tenant admin cannot create accounts or clone into another one. Sys rehearses a tenant's
    databases with O(account). MatrixOne 3.0 or later (C(CLONE)).
  - The C(matrixone.backup.snapshot_guard) role runs this module before a guarded change when its
    C(snapshot_guard_rehearse) option is on.
author:
  - matrixone.backup maintainers (@matrixone-backup)
extends_documentation_fragment:
  - matrixone.backup.connection
  - matrixone.backup.attributes
attributes:
  check_mode:
    support: full
    details:
      - The rehearsal is the same in check mode and in a real run, because it never changes the rehearsed databases. Its
        writes are the scratch account and the temporary snapshot, and it drops both (unless O(keep_account)).
  diff_mode:
    support: full
    details:
      - The rehearsed databases before the change (tables and row counts) and after it, with the changed rows.
  idempotent:
    support: full
    details:
      - It leaves nothing behind and reports C(changed=false), unless O(keep_account=true) keeps the scratch
        account or it dropped what an interrupted rehearsal left (RV(rehearsal.leftovers_removed)).
options:
  sql:
    description:
      - The change, as SQL text or a list of texts, split on C(;) as M(matrixone.backup.mo_sql) splits it. These
        statements run before those of O(files).
      - At least one of O(sql) and O(files) is required.
    type: raw
  files:
    description: Files of SQL statements, run in order after O(sql). A failure names the file and line.
    type: list
    elements: path
  database:
    description: The default database of the change and the checks (C(USE)) in the scratch account.
    type: str
  account:
    description: The account whose databases are rehearsed. The default is the login account (sys).
    type: str
  databases:
    description:
      - The databases copied into the scratch account. The change can only read and write these.
      - The default is every non-system database of O(account) at the snapshot.
    type: list
    elements: str
  snapshot:
    description:
      - Clone at this existing snapshot instead of taking a temporary one. Use a cluster snapshot, an account snapshot of
        O(account), or, for sys, a database snapshot of the one database in O(databases). The login (sys) must
        have taken it.
    type: str
  checks:
    description:
      - Queries that run in the scratch account after the change. Each is a dict with C(sql), an optional C(name),
        and an optional C(expect), the rows the query must return (a list of dicts keyed by lower-case column label;
        dates and decimals compare as text).
      - A check that fails, or that returns other rows than C(expect), fails the rehearsal.
    type: list
    elements: dict
    default: []
  keep_account:
    description:
      - Keep the scratch account for a look instead of dropping it. RV(rehearsal.account) names it, and its admin
        password is not returned. Drop it with C(DROP ACCOUNT), or let the next rehearsal with the same prefix drop it.
    type: bool
    default: false
  scratch_prefix:
    description:
      - The start of the scratch account's and the temporary snapshot's names. It must be 1-30 lower-case letters,
        digits and C(_), starting with a letter.
      - At the start of every run, accounts and snapshots named like a scratch account of this prefix
        (O(scratch_prefix), 14 digits, C(_), 4 lower-case letters or digits) are dropped as leftovers. Other names
        that start with the prefix are left alone.
    type: str
    default: mo_rehearsal_
  sample_rows:
    description: How many sample rows of each kind of row change to return per table (up to 20 tables).
    type: int
    default: 5
  content_max_rows:
    description: Tables with more rows than this are compared by row count only. V(0) compares every table by content.
    type: int
    default: 1000000
notes:
  - The rehearsal copies the data as they are when it starts. Writes made to production afterwards are not in it.
  - Statements that reach outside the copied databases (other databases, accounts, users, the cluster) run in the
    scratch account, where they find other objects than in production.
seealso:
  - module: matrixone.backup.mo_sql
  - module: matrixone.backup.mo_snapshot_diff
'''

EXAMPLES = r'''
- name: Rehearse the migration on a copy of shop; fail here if it would fail in production
  matrixone.backup.mo_rehearse:
    databases: [shop]
    database: shop
    files: [migrations/042_split_orders.sql]
    checks:
      - name: no order lost
        sql: SELECT count(*) AS n FROM orders
        expect: [{n: 1000}]
  register: rehearsal

- name: What the migration would change (row samples included)
  ansible.builtin.debug:
    msg: "{{ rehearsal.rehearsal.summary }} in {{ rehearsal.rehearsal.seconds.change }} s"

- name: Rehearse a tenant's change from sys, keeping the scratch account for a look
  matrixone.backup.mo_rehearse:
    login_user: root
    login_password: "{{ vault_mo_root_password }}"
    account: acc1
    sql: ALTER TABLE shop.orders ADD COLUMN note varchar(64)
    keep_account: true
'''

RETURN = r'''
rehearsal:
  description: What the rehearsal did. It is also returned when the rehearsal fails.
  returned: always
  type: dict
  contains:
    passed:
      description: Whether every statement and every check succeeded.
      type: bool
    account:
      description: The scratch account's name.
      type: str
    kept:
      description: Whether the scratch account was kept (O(keep_account)).
      type: bool
    source:
      description: What was cloned.
      type: dict
      contains:
        account:
          description: The rehearsed account.
          type: str
        snapshot:
          description: The snapshot the databases were cloned at.
          type: str
        timestamp:
          description: Its time, as SHOW SNAPSHOTS gives it (UTC).
          type: str
        temporary:
          description: Whether the module took it for the rehearsal and dropped it afterwards.
          type: bool
    databases:
      description: The databases cloned into the scratch account.
      type: list
      elements: str
    leftovers_removed:
      description: Accounts and snapshots of O(scratch_prefix) that an earlier, interrupted rehearsal left and this one dropped.
      type: list
      elements: str
    statements:
      description: The statements that succeeded, in order, with their durations.
      type: list
      elements: dict
      contains:
        statement:
          description: The statement.
          type: str
        where:
          description: C(line N of FILE) for a statement of O(files), else null.
          type: str
        seconds:
          description: How long it ran.
          type: float
        rowcount:
          description: Affected rows of a data change, or the number of rows returned.
          type: int
    failed:
      description: The statement that failed (null when none did). The statements after it did not run.
      type: dict
      contains:
        index:
          description: Its position among all statements, from 1.
          type: int
        statement:
          description: The statement.
          type: str
        where:
          description: C(line N of FILE), or null.
          type: str
        error_code:
          description: MatrixOne's error code.
          type: int
        error:
          description: MatrixOne's error text.
          type: str
        connection_lost:
          description: Whether the connection was lost instead (then nothing was compared).
          type: bool
    checks:
      description: Each check's outcome (none run when a statement failed).
      type: list
      elements: dict
      contains:
        name:
          description: The check's name, or its SQL.
          type: str
        sql:
          description: The query.
          type: str
        rows:
          description: The rows it returned, as dicts keyed by lower-case column label.
          type: list
          elements: dict
        expect:
          description: The rows it had to return, when given.
          type: list
          elements: dict
        passed:
          description: Whether it ran and returned C(expect) (when given).
          type: bool
        error:
          description: MatrixOne's error, when the query failed.
          type: str
    changes:
      description:
        - What the change did in the scratch account, compared with its state before the change. It has the same
          keys as the result of M(matrixone.backup.mo_snapshot_diff), listed here. It is null when the connection
          was lost.
      type: dict
      contains:
        databases_added:
          description: Databases the change created.
          type: list
          elements: str
        databases_removed:
          description: Databases the change dropped.
          type: list
          elements: str
        tables_added:
          description: Tables (C(db.table)) the change created.
          type: list
          elements: str
        tables_removed:
          description: Tables the change dropped.
          type: list
          elements: str
        tables_redefined:
          description: Tables whose columns changed (C(table), C(before), C(after) column definitions).
          type: list
          elements: dict
          contains:
            table:
              description: The table.
              type: str
            before:
              description: Its definition before the change.
              type: list
              elements: str
            after:
              description: Its definition after the change.
              type: list
              elements: str
        row_counts:
          description: Tables whose row count changed.
          type: list
          elements: dict
          contains:
            table:
              description: The table.
              type: str
            before:
              description: Rows before the change.
              type: int
            after:
              description: Rows after it.
              type: int
        views_added:
          description: Views the change created.
          type: list
          elements: str
        views_removed:
          description: Views the change dropped.
          type: list
          elements: str
        views_redefined:
          description: Views whose definition changed.
          type: list
          elements: dict
          contains:
            view:
              description: The view.
              type: str
            before:
              description: Its C(CREATE VIEW) text before.
              type: str
            after:
              description: Its C(CREATE VIEW) text after.
              type: str
        rows:
          description: Tables whose rows differ, with C(samples) of up to O(sample_rows) rows per kind.
          type: list
          elements: dict
          contains:
            table:
              description: The table.
              type: str
            key:
              description: Its primary key columns, or null.
              type: list
              elements: str
            rows_only_after:
              description: Distinct rows only after the change.
              type: int
            rows_only_before:
              description: Distinct rows only before it.
              type: int
            inserted:
              description: With a key, rows inserted.
              type: int
            deleted:
              description: With a key, rows deleted.
              type: int
            updated:
              description: With a key, rows updated.
              type: int
            samples:
              description: Sample rows.
              type: dict
              contains:
                inserted:
                  description: With a key, inserted rows.
                  type: list
                  elements: dict
                deleted:
                  description: With a key, deleted rows.
                  type: list
                  elements: dict
                updated:
                  description: With a key, C(before) and C(after) versions of updated rows.
                  type: list
                  elements: dict
                only_after:
                  description: Without a key, rows only after the change.
                  type: list
                  elements: dict
                only_before:
                  description: Without a key, rows only before it.
                  type: list
                  elements: dict
        content_not_compared:
          description: Tables compared by row count only (over O(content_max_rows)).
          type: list
          elements: str
        tables_unchanged:
          description: Tables with no difference found.
          type: int
        changes:
          description: Number of databases and tables that differ.
          type: int
        identical:
          description: Whether the change left the data provably equal; null when a table was compared by count only.
          type: bool
    summary:
      description: The changes in one line (null when not compared).
      type: str
      sample: "tables added: shop.audit; shop.orders: 0 inserted, 0 deleted, 1000 updated"
    seconds:
      description: Durations of the steps in seconds.
      type: dict
      contains:
        clone:
          description: Creating the scratch account and cloning the databases.
          type: float
        change:
          description: Running the statements.
          type: float
        checks:
          description: Running the checks.
          type: float
        compare:
          description: Comparing the scratch account before and after.
          type: float
        clean_up:
          description: Dropping the scratch account and the temporary snapshot (MatrixOne drops a table in about
            19 ms, so 1,000 cloned tables take about 19 s).
          type: float
        total:
          description: The whole rehearsal, clean-up included.
          type: float
    warnings:
      description: What could not be dropped at the end (the next rehearsal with the same prefix drops it).
      type: list
      elements: str
queries:
  description: Every statement sent, in order, passwords masked. This includes the temporary snapshot, the scratch
    account and the rehearsed change. Only C(CREATE SNAPSHOT) and C(DROP SNAPSHOT) of the temporary snapshot write
    outside the scratch account.
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

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _rehearse, _user_sql
from ansible_collections.matrixone.backup.plugins.module_utils._module import MoModule


def main():
    mo = MoModule(dict(
        sql=dict(type="raw"),
        files=dict(type="list", elements="path"),
        database=dict(type="str"),
        account=dict(type="str"),
        databases=dict(type="list", elements="str"),
        snapshot=dict(type="str"),
        checks=dict(type="list", elements="dict", default=[]),
        keep_account=dict(type="bool", default=False),
        scratch_prefix=dict(type="str", default=_rehearse.DEFAULT_PREFIX),
        sample_rows=dict(type="int", default=5),
        content_max_rows=dict(type="int", default=1000000),
    ), required_one_of=[("sql", "files")])
    mo.run(lambda: run(mo))


def run(mo):
    params = mo.params
    _rehearse.validate(params)
    statements = _user_sql.load(params["sql"], params["files"] or [])
    mo.connect()
    _rehearse.refusal(mo.server, mo.login_account)
    rehearsal = _rehearse.Rehearsal(mo, params, statements)
    mo.failure_result["rehearsal"] = rehearsal.report
    report = rehearsal.run()
    for warning in report["warnings"]:
        mo.module.warn(warning)
    failure = rehearsal.failure_message()
    if failure is not None:
        raise _errors.MoError(failure)
    mo.exit(report["kept"] or bool(report["leftovers_removed"]), rehearsal=report, diff=rehearsal.diff())


if __name__ == "__main__":
    main()
