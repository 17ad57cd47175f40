#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mo_sql
short_description: Run SQL statements or .sql files against MatrixOne
version_added: 1.0.0
description:
  - Runs the statements of O(sql) or of an O(file) in order, split safely on C(;) (quotes, backquotes and
    comments are respected), and returns the rows of queries and the affected-row counts of the others.
  - Stops at the first failing statement and reports which one failed, with MatrixOne's error code and text.
  - Meant for migrations and checks (the C(matrixone.backup.snapshot_guard) role uses it) and useful alone.
author:
  - matrixone.backup maintainers (@matrixone-backup)
extends_documentation_fragment:
  - matrixone.backup.connection
  - matrixone.backup.attributes
attributes:
  check_mode:
    support: partial
    details:
      - When every statement only reads (C(SELECT), C(SHOW), ...), runs them and returns their rows, as a real run
        would. Otherwise executes nothing and returns the statements that would run, with C(changed=true), because it
        cannot know whether an C(UPDATE) or C(DELETE) will match rows, or whether C(CREATE ... IF NOT EXISTS) finds
        the object.
  idempotent:
    support: partial
    details:
      - Reads, and C(INSERT), C(UPDATE), C(DELETE) and C(REPLACE) that affect no row, report C(changed=false).
        Other statements (DDL) always report a change; whether running them again changes something depends on
        the SQL (use C(IF [NOT] EXISTS)).
  diff_mode:
    support: none
options:
  sql:
    description:
      - One or more SQL statements separated by C(;), or a list of them (each item may hold several, as the text
        does). Mutually exclusive with O(file).
    type: raw
  file:
    description:
      - Path of a C(.sql) file on the host running the module, split like O(sql). Mutually exclusive with O(sql).
    type: path
  database:
    description: Database to C(USE) before the statements.
    type: str
  parameters:
    description:
      - Values bound to C(%s) placeholders (escaped by PyMySQL, never pasted into the text).
      - For one statement, its values. For several, one list of values per statement, in order (V([]) for a
        statement without placeholders).
    type: list
    elements: raw
  single_transaction:
    description:
      - Run all statements in one transaction, rolled back when one fails. MatrixOne commits DDL and refuses
        snapshot and restore statements inside a transaction, so use it for data changes.
    type: bool
    default: false
notes:
  - C(changed) is true when a statement other than C(SELECT), C(SHOW), C(DESCRIBE), C(EXPLAIN), C(USE) or C(SET) ran,
    except an C(INSERT), C(UPDATE), C(DELETE) or C(REPLACE) that affected no row (the server's affected-rows count).
  - C(DELIMITER) lines are refused; they are a command of the mysql client, not SQL.
'''

EXAMPLES = r'''
- name: Apply a migration file
  matrixone.backup.mo_sql:
    file: migrations/0042_add_status.sql
    database: shop

- name: Statements as a list
  matrixone.backup.mo_sql:
    sql:
      - CREATE DATABASE IF NOT EXISTS shop
      - CREATE TABLE IF NOT EXISTS shop.orders (id INT PRIMARY KEY, status VARCHAR(20))

- name: Check a row count with a bound parameter
  matrixone.backup.mo_sql:
    sql: SELECT count(*) AS n FROM shop.orders WHERE status = %s
    parameters: [open]
  register: open_orders

- name: Several statements, each with its own values
  matrixone.backup.mo_sql:
    sql:
      - INSERT INTO shop.audit (who, what) VALUES (%s, %s)
      - UPDATE shop.orders SET status = %s WHERE id = %s
    parameters: [[deploy, migration 42], [closed, 7]]
'''

RETURN = r'''
results:
  description: One entry per statement, in order.
  returned: always
  type: list
  elements: dict
  contains:
    statement:
      description: The statement.
      type: str
    rows:
      description: Rows of a query, as dicts keyed by lower-case column label; empty for other statements.
      type: list
      elements: dict
    rowcount:
      description: Affected rows of a data change, or the number of rows returned.
      type: int
rows:
  description: The rows of the last statement (shortcut for the usual one-query task).
  returned: always
  type: list
  elements: dict
queries:
  description: The statements run (in check mode, that would run).
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

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _sql, _user_sql
from ansible_collections.matrixone.backup.plugins.module_utils._module import MoModule


def load_statements(params):
    if params["database"] is not None:
        _sql.validate_name(params["database"], "database", "database")
    return _user_sql.load(params["sql"], [params["file"]] if params["file"] is not None else [], params["parameters"])


def main():
    mo = MoModule(dict(
        sql=dict(type="raw"),
        file=dict(type="path"),
        database=dict(type="str"),
        parameters=dict(type="list", elements="raw"),
        single_transaction=dict(type="bool", default=False),
    ), mutually_exclusive=[("sql", "file")], required_one_of=[("sql", "file")])
    mo.run(lambda: run(mo))


def run(mo):
    params = mo.params
    statements = load_statements(params)
    writes = any(not _sql.is_read_only(s.display) for s, _where in statements)
    mo.connect()
    if writes:  # reads run in check mode too (they are safe); anything that writes is only listed
        mo.check_mode_exit([s for s, _where in statements], results=[], rows=[])
    if params["database"] is not None:
        mo.query(_sql.use_database(params["database"]), record=False)
    single = params["single_transaction"]
    if single:
        mo.conn.begin()
    results = []
    mo.failure_result["results"] = results
    try:
        for stmt, where in statements:
            mo.doing = "statement %d (%s)%s [%d of %d statements ran before it%s]" % (
                len(results) + 1, stmt.display[:200], " at " + where if where else "", len(results), len(statements),
                " and were rolled back" if single else "")
            mo.failure_result["changed"] = _user_sql.changed(results) and not single
            cursor_rows = mo.query(stmt)
            results.append({"statement": stmt.display, "rows": cursor_rows,
                            "rowcount": len(cursor_rows) if cursor_rows else mo.last_rowcount})
        if single:
            mo.conn.commit()
    except (_errors.SqlError, _errors.ConnectionLost):
        if single:  # undo what ran, then fail as any other error does
            try:
                mo.conn.rollback()
            except Exception:  # pylint: disable=broad-except
                pass
        raise
    mo.exit(_user_sql.changed(results), results=results, rows=results[-1]["rows"] if results else [])


if __name__ == "__main__":
    main()
