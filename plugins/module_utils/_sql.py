# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Identifier validation/quoting and every SQL statement the collection sends.

This is the only place SQL text is written. It imports nothing of ours, so it is pure and
unit-tested without a server. A Statement carries the text, its parameters (bound by PyMySQL's
client-side escaping) and a display form in which secrets are masked.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

MASK = "********"

# MatrixOne stores names as varchar(64) and refuses space, tab, backtick and quotes in snapshot
# names; it lower-cases unquoted identifiers. We accept a strict, portable subset.
_NAME_RULES = {
    "snapshot": (re.compile(r"^[a-z0-9_][a-z0-9_\-]*$"), 64),
    "pitr": (re.compile(r"^[a-z0-9_][a-z0-9_\-]*$"), 64),
    "account": (re.compile(r"^[a-z0-9_][a-z0-9_\-]*$"), 300),
    "database": (re.compile(r"^[A-Za-z0-9_$][A-Za-z0-9_$\-]*$"), 64),
    "table": (re.compile(r"^[A-Za-z0-9_$][A-Za-z0-9_$\-]*$"), 64),
    "user": (re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$"), 64),
}
_HIDDEN_PREFIXES = ("ccpr_", "__mo_branch_")
SYSTEM_DATABASES = ("information_schema", "mo_catalog", "mo_debug", "mo_task", "mysql", "system",
                    "system_metrics")
LEVELS = ("cluster", "account", "database", "table")


class InvalidInput(ValueError):
    """Bad input, found before any SQL runs; the message names the parameter."""


def validate_name(value, kind, param):
    """Return value if it is a safe MatrixOne name of this kind, else raise InvalidInput naming param."""
    rule, max_len = _NAME_RULES[kind]
    if value is None or value == "":
        raise InvalidInput("%s must not be empty" % param)
    if not isinstance(value, str):
        raise InvalidInput("%s must be a string, got %r" % (param, value))
    if len(value) > max_len:
        raise InvalidInput("%s is %d characters long; MatrixOne allows at most %d for a %s name"
                           % (param, len(value), max_len, kind))
    if not rule.match(value):
        if kind in ("snapshot", "pitr", "account") and rule.match(value.lower()):
            raise InvalidInput("%s=%r: use lower case (MatrixOne lower-cases %s names, so %r would be "
                               "stored as %r)" % (param, value, kind, value, value.lower()))
        raise InvalidInput("%s=%r is not a valid %s name: use ASCII letters, digits, '_' and '-' only "
                           "(no spaces, quotes, backticks, dots or semicolons)" % (param, value, kind))
    if kind == "snapshot" and value.startswith(_HIDDEN_PREFIXES):
        raise InvalidInput("%s=%r starts with a prefix MatrixOne hides or reserves (%s)"
                           % (param, value, ", ".join(_HIDDEN_PREFIXES)))
    if kind == "database" and value.lower() in SYSTEM_DATABASES:
        raise InvalidInput("%s=%r is a MatrixOne system database; it cannot be snapshotted or restored"
                           % (param, value))
    return value


def quote_ident(value):
    """Backquote a name that validate_name accepted (no backtick can occur in it)."""
    if "`" in value:
        raise InvalidInput("refusing to quote %r" % value)
    return "`%s`" % value


class Statement:
    """One SQL statement: text with %s placeholders, parameters, and a secret-free display."""

    def __init__(self, sql, params=(), display=None):
        self.sql = sql
        self.params = tuple(params)
        self.display = display if display is not None else render(sql, params)

    def __repr__(self):
        return "Statement(%r)" % self.display


def _literal(value):
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'%s'" % str(value).replace("\\", "\\\\").replace("'", "\\'")


def render(sql, params):
    """Human-readable SQL for logs (only for non-secret parameters)."""
    if not params:
        return sql
    return sql % tuple(_literal(p) for p in params)


# -- server facts -------------------------------------------------------------------------------
def select_version():
    return Statement("SELECT version()")


def restore_grammar_probe(account):
    """v4 answers 20101 (no such snapshot), v1.2-v3.0 answer 1064: nothing is restored either way."""
    return Statement("RESTORE ACCOUNT %s {SNAPSHOT = %s}" % (quote_ident(account),
                                                             quote_ident("mo_backup_grammar_probe")))


def questions():
    return Statement("SHOW GLOBAL STATUS LIKE 'Questions'")


# -- snapshots ------------------------------------------------------------------------------------
def create_snapshot(name, level, account=None, database=None, table=None):
    target = {
        "cluster": "CLUSTER",
        "account": "ACCOUNT %s" % quote_ident(account) if account else "ACCOUNT",
        "database": "DATABASE %s" % quote_ident(database or ""),
        "table": "TABLE %s %s" % (quote_ident(database or ""), quote_ident(table or "")),
    }[level]
    return Statement("CREATE SNAPSHOT %s FOR %s" % (quote_ident(name), target))


def drop_snapshot(name, if_exists=False):
    return Statement("DROP SNAPSHOT %s%s" % ("IF EXISTS " if if_exists else "", quote_ident(name)))


SNAPSHOT_FILTER_COLUMNS = {
    "name": "snapshot_name",
    "level": "snapshot_level",
    "account": "account_name",
    "database": "database_name",
    "table": "table_name",
}


def show_snapshots(exact=None, prefix=None, newer_than=None, older_than=None):
    """SHOW SNAPSHOTS filtered in SQL (MatrixOne orders by timestamp, newest first).

    exact: {filter key: value}; prefix: name prefix (matched exactly, no LIKE wildcards);
    newer_than/older_than: 'YYYY-MM-DD HH:MM:SS[.f]' UTC strings compared with TIMESTAMP.
    Labels come back lower-case under WHERE: read rows case-insensitively.
    """
    conds, params = [], []
    for key in ("name", "level", "account", "database", "table"):
        value = (exact or {}).get(key)
        if value is not None:
            conds.append("%s = %%s" % SNAPSHOT_FILTER_COLUMNS[key])
            params.append(value)
    if prefix:
        conds.append("SUBSTRING(snapshot_name, 1, %d) = %%s" % len(prefix))
        params.append(prefix)
    if newer_than:
        conds.append("timestamp >= %s")
        params.append(newer_than)
    if older_than:
        conds.append("timestamp < %s")
        params.append(older_than)
    if not conds:
        return Statement("SHOW SNAPSHOTS")
    return Statement("SHOW SNAPSHOTS WHERE " + " AND ".join(conds), params)


# -- accounts -------------------------------------------------------------------------------------
def show_accounts(name):
    return Statement("SHOW ACCOUNTS LIKE %s", (name,))


def create_account(name, admin_name, admin_password):
    sql = "CREATE ACCOUNT %s ADMIN_NAME %%s IDENTIFIED BY %%s" % quote_ident(name)
    return Statement(sql, (admin_name, admin_password),
                     display=render(sql, (admin_name, MASK)))


# -- schema objects ---------------------------------------------------------------------------------
def count_databases(database):
    return Statement("SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s", (database,))


def count_tables(database, table):
    return Statement("SELECT count(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
                     (database, table))
