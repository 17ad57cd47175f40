# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SQL the user wrote (mo_sql, mo_rehearse): statements from text and files with where each starts, bound values,
and whether the statements that ran changed something."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _sql


def load(sql=None, files=(), parameters=None, sql_param="sql"):
    """[(Statement, where)] of the statements of `sql` (a string or a list of strings) then of each file, in order;
    where: 'line N of FILE' for a file's statement, else None. sql_param names the option in messages."""
    statements = []
    for item in (sql if isinstance(sql, list) else [sql]) if sql is not None else []:
        if not isinstance(item, str):
            raise _errors.InvalidInput("%s must be a string or a list of strings, got %r" % (sql_param, item))
        statements += [(s, None) for s in _sql.split_statements(item)]
    for path in files:
        try:
            with io.open(path, encoding="utf-8") as handle:
                text = handle.read()
        except (IOError, OSError, UnicodeDecodeError) as exc:
            raise _errors.InvalidInput("file %s cannot be read: %s" % (path, exc))
        statements += [(s, "line %d of %s" % (line, path)) for line, s in _sql.split_statements(text, lines=True)]
    if not statements:
        raise _errors.InvalidInput("%s contains no SQL statement" % ("file" if files and sql is None else sql_param))
    values = statement_values(parameters, len(statements))
    return [(_sql.user_statement(s, v), where) for (s, where), v in zip(statements, values)]


def statement_values(parameters, count):
    """The values of each statement: one statement takes the list, several take one list each."""
    if not parameters:
        return [None] * count
    if count > 1 and all(isinstance(v, list) for v in parameters):
        if len(parameters) != count:
            raise _errors.InvalidInput("parameters has %d lists for %d statements; give one list per statement"
                                       % (len(parameters), count))
        return [v or None for v in parameters]
    if count != 1:
        raise _errors.InvalidInput("parameters for %d statements must be one list of values per statement" % count)
    return [parameters]


def changed(results):
    """Whether the statements that ran changed something: any write, but a row change only when it affected rows.
    results: [{'statement': text, 'rowcount': n}]."""
    return any(not _sql.is_read_only(r["statement"]) and (r["rowcount"] > 0 or not _sql.changes_rows_only(
        r["statement"])) for r in results)
