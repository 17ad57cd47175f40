# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Identifier validation/quoting and every SQL statement the collection sends.

This is the only place SQL text is written. It imports nothing of ours but the error classes, so it is pure
and unit-tested without a server. A Statement carries the text, its parameters (bound by PyMySQL's
client-side escaping) and a display form in which secrets are masked.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.matrixone.backup.plugins.module_utils import _errors

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


def validate_names(params, kinds):
    """validate_name for each (option, kind) whose option is set."""
    for param, kind in kinds:
        if params.get(param) is not None:
            validate_name(params[param], kind, param)


def validate_name(value, kind, param):
    """Return value if it is a safe MatrixOne name of this kind, else raise _errors.InvalidInput naming param."""
    rule, max_len = _NAME_RULES[kind]
    if value is None or value == "":
        raise _errors.InvalidInput("%s must not be empty" % param)
    if not isinstance(value, str):
        raise _errors.InvalidInput("%s must be a string, got %r" % (param, value))
    if len(value) > max_len:
        raise _errors.InvalidInput("%s is %d characters long; MatrixOne allows at most %d for a %s name"
                                   % (param, len(value), max_len, kind))
    if not rule.match(value):
        if kind in ("snapshot", "pitr", "account") and rule.match(value.lower()):
            raise _errors.InvalidInput("%s=%r: use lower case (MatrixOne lower-cases %s names, so %r would be "
                                       "stored as %r)" % (param, value, kind, value, value.lower()))
        raise _errors.InvalidInput("%s=%r is not a valid %s name: use ASCII letters, digits, '_' and '-' only "
                                   "(no spaces, quotes, backticks, dots or semicolons)" % (param, value, kind))
    if kind == "snapshot" and value.startswith(_HIDDEN_PREFIXES):
        raise _errors.InvalidInput("%s=%r starts with a prefix MatrixOne hides or reserves (%s)"
                                   % (param, value, ", ".join(_HIDDEN_PREFIXES)))
    if kind == "database" and value.lower() in SYSTEM_DATABASES:
        raise _errors.InvalidInput("%s=%r is a MatrixOne system database; it cannot be snapshotted or restored"
                                   % (param, value))
    return value


def quote_ident(value):
    """Backquote a name that validate_name accepted (no backtick can occur in it)."""
    if "`" in value:
        raise _errors.InvalidInput("refusing to quote %r" % value)
    return "`%s`" % value


class Statement:
    """One SQL statement: a format string (%s placeholders, %% for a percent sign), parameters, and a secret-free
    display."""

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
    """Human-readable SQL for logs (only for non-secret parameters). A Statement's text is always a format string,
    with or without parameters: a literal percent sign is written %%, as PyMySQL reads it (_module.query passes the
    parameters, even none, so that it always formats)."""
    return sql % tuple(_literal(p) for p in params)


# -- server facts -------------------------------------------------------------------------------
def select_version():
    return Statement("SELECT version()")


def restore_grammar_probe(account):
    """v4 answers 20101 (no such snapshot), v1.2-v3.0 answer 1064: nothing is restored either way."""
    return Statement("RESTORE ACCOUNT %s {SNAPSHOT = %s}" % (quote_ident(account),
                                                             quote_ident("mo_backup_grammar_probe")))


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
def snapshot_object_id(name):
    """The id of what a snapshot covers (the account id of an account snapshot), from the sys catalog."""
    return Statement("SELECT obj_id FROM mo_catalog.mo_snapshots WHERE sname = %s", (name,))


def account_exists(name):
    """Rows only when the account exists (sys only). `SHOW ACCOUNTS LIKE` fails with 'no account info' instead."""
    return Statement("SELECT account_name, account_id FROM mo_catalog.mo_account WHERE account_name = %s", (name,))


def accounts_with_prefix(prefix):
    """The accounts whose name starts with `prefix` (matched exactly, no LIKE wildcards; sys only)."""
    return Statement("SELECT account_name FROM mo_catalog.mo_account WHERE SUBSTRING(account_name, 1, %d) = %%s"
                     % len(prefix), (prefix,))


def drop_account(name):
    return Statement("DROP ACCOUNT IF EXISTS %s" % quote_ident(name))


def databases_at(point, account_id):
    """The user databases of an account at a point (sys reads any account's catalog at a snapshot covering it)."""
    excluded = ", ".join("'%s'" % d for d in SYSTEM_DATABASES)
    return Statement("SELECT datname FROM mo_catalog.mo_database%s WHERE account_id = %d AND datname NOT IN (%s)"
                     % (at(point), int(account_id), excluded))


def create_account(name, admin_name, admin_password):
    sql = "CREATE ACCOUNT %s ADMIN_NAME %%s IDENTIFIED BY %%s" % quote_ident(name)
    return Statement(sql, (admin_name, admin_password),
                     display=render(sql, (admin_name, MASK)))


def users_at(point):
    """The users of the account a point belongs to (sys reading a tenant's account snapshot sees the tenant's)."""
    return Statement("SELECT user_name FROM mo_catalog.mo_user%s" % at(point))


def reset_account_admin(name, admin_name, admin_password):
    """The admin's password of an account set again (sys): after RESTORE ACCOUNT a ... TO ACCOUNT b, b has a's users."""
    sql = "ALTER ACCOUNT %s ADMIN_NAME %%s IDENTIFIED BY %%s" % quote_ident(name)
    return Statement(sql, (admin_name, admin_password), display=render(sql, (admin_name, MASK)))


# -- schema objects ---------------------------------------------------------------------------------
def count_databases(database):
    return Statement("SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s", (database,))


def count_tables(database, table):
    return Statement("SELECT count(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
                     (database, table))


# -- restore ----------------------------------------------------------------------------------------
def restore(brace, level, snapshot, account=None, database=None, table=None, to_account=None):
    """RESTORE in the grammar of the server: legacy `... FROM SNAPSHOT s` (<= 3.0.x) or `{SNAPSHOT = s}` (4.x)."""
    snap = quote_ident(snapshot)
    if brace:
        target = {
            "cluster": "CLUSTER",
            "account": "ACCOUNT %s" % quote_ident(account or ""),
            "database": "DATABASE %s" % quote_ident(database or ""),
            "table": "TABLE %s.%s" % (quote_ident(database or ""), quote_ident(table or "")),
        }[level]
        sql = "RESTORE %s {SNAPSHOT = %s}" % (target, snap)
    else:
        target = {
            "cluster": "CLUSTER",
            "account": "ACCOUNT %s" % quote_ident(account or ""),
            "database": "ACCOUNT %s DATABASE %s" % (quote_ident(account or ""), quote_ident(database or "")),
            "table": "ACCOUNT %s DATABASE %s TABLE %s" % (quote_ident(account or ""), quote_ident(database or ""),
                                                          quote_ident(table or "")),
        }[level]
        sql = "RESTORE %s FROM SNAPSHOT %s" % (target, snap)
    if to_account:
        sql += " TO ACCOUNT %s" % quote_ident(to_account)
    return Statement(sql)


# -- reading a scope now or at a point in time (restore preview and verification, mo_snapshot_diff) ------------
def at(point):
    """The read suffix of a point (a _time.Point): '' now, ` {SNAPSHOT = s}` for the account holding the snapshot,
    ` {MO_TS = n}` for any account whose data a snapshot or PITR keeps at that time."""
    if point is None or (point.snapshot is None and point.ts_ns is None):
        return ""
    if point.snapshot is not None:
        return " {SNAPSHOT = %s}" % quote_ident(point.snapshot)
    return " {MO_TS = %d}" % int(point.ts_ns)


def clone(level, point, database, table, new_database, new_table=None, to_account=None):
    """Restore beside live data: CREATE DATABASE new CLONE db{point} or CREATE TABLE ndb.nt CLONE db.t{point},
    optionally TO ACCOUNT a (sys only; MatrixOne needs a snapshot point then)."""
    if level == "database":
        sql = "CREATE DATABASE %s CLONE %s%s" % (quote_ident(new_database), quote_ident(database), at(point))
    else:
        sql = "CREATE TABLE %s.%s CLONE %s.%s%s" % (quote_ident(new_database), quote_ident(new_table),
                                                    quote_ident(database), quote_ident(table), at(point))
    if to_account:
        sql += " TO ACCOUNT %s" % quote_ident(to_account)
    return Statement(sql)


def create_database(name):
    return Statement("CREATE DATABASE %s" % quote_ident(name))


def show_databases():
    return Statement("SHOW DATABASES")


def drop_database(name):
    return Statement("DROP DATABASE IF EXISTS %s" % quote_ident(name))


def drop_table(database, table):
    return Statement("DROP TABLE IF EXISTS %s.%s" % (quote_ident(database), quote_ident(table)))


# The mo_catalog tables an account-level RESTORE rewrites besides the account's databases, for a tenant (MatrixOne's
# needSkipTablesInMocatalog entries marked 0, the same in v3.0.18 and v4.1.4: pkg/frontend/snapshot.go). For sys it
# rewrites every mo_catalog table not skipped there, which is why an account restore of sys is always done whole.
ACCOUNT_SYSTEM_TABLES = ("mo_user", "mo_role", "mo_user_grant", "mo_role_grant", "mo_role_privs", "mo_role_rule",
                         "mo_user_defined_function", "mo_stored_procedure", "mo_stages")


def server_ident(name):
    """Quote a name that came from the server (it may contain anything, so backticks are doubled, and percent signs
    too: every Statement's text is a format string, see render)."""
    return "`%s`" % str(name).replace("`", "``").replace("%", "%%")


def _scope_filter(column, databases):
    excluded = ", ".join("'%s'" % d for d in SYSTEM_DATABASES)
    if databases is None:
        return "%s NOT IN (%s)" % (column, excluded), []
    return "%s IN (%s)" % (column, ", ".join(["%s"] * len(databases))), list(databases)


# One column of a table definition, as mo_columns keeps it across a restore (mo_tables.rel_createsql
# does not: a restore rewrites it to `create table ... clone ...`). Names, types and defaults come hex-encoded
# (types and defaults are binary), the comment last: "attnum|name|type|not null|constraint|auto inc|default|comment".
COLUMN_DEFINITION = ("concat(attnum, '|', hex(attname), '|', hex(atttyp), '|', attnotnull, '|', att_constraint_type, "
                     "'|', att_is_auto_increment, '|', hex(att_default), '|', att_comment)")


# One column of one index (mo_indexes, its hidden index table's name left out: a restore renames it):
# "name|type|position|column".
INDEX_DEFINITION = "concat(i.name, '|', i.type, '|', i.ordinal_position, '|', i.column_name)"


def _account_filter(account_ids):
    if account_ids is None:
        return "account_id = current_account_id()"
    return "account_id IN (%s)" % ", ".join("%d" % int(a) for a in account_ids)


def scope_objects(parts, databases=None):
    """One statement listing databases, tables and table columns, now and/or at points in time.

    parts: [(label, point, account ids)]: read at `point`, the catalog of the login's own account (ids None) or of
    the given accounts (sys only: sys sees every account's catalog, now and at a cluster or tenant snapshot).
    rows: (side, acct, kind, db, tbl, def): side the part's label, acct the account id, kind 'database', 'table' or
    'sequence' (def ''), 'view' (def: its CREATE VIEW text), 'column' (def: COLUMN_DEFINITION of one visible column
    of a table or view), and for the login's own account 'index' (def: INDEX_DEFINITION) and 'foreign_key' (db, tbl:
    the referencing table, def: the referenced database and table, hex, '|' between). databases=None means every
    non-system one.
    """
    sql, params = [], []
    for label, point, account_ids in parts:
        suffix, accounts = at(point), _account_filter(account_ids)
        db_cond, db_params = _scope_filter("datname", databases)
        sql.append("SELECT %%s AS side, account_id AS acct, 'database' AS kind, datname AS db, '' AS tbl, '' AS def "
                   "FROM mo_catalog.mo_database%s WHERE %s AND %s" % (suffix, accounts, db_cond))
        params += [label] + db_params
        tb_cond, tb_params = _scope_filter("reldatabase", databases)
        sql.append("SELECT %%s AS side, account_id AS acct, CASE relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' "
                   "ELSE 'sequence' END AS kind, reldatabase AS db, relname AS tbl, CASE relkind WHEN 'v' THEN "
                   "rel_createsql ELSE '' END AS def FROM mo_catalog.mo_tables%s WHERE %s AND relkind IN ('r', 'v', "
                   "'S') AND %s" % (suffix, accounts, tb_cond))
        params += [label] + tb_params
        col_cond, col_params = _scope_filter("att_database", databases)
        sql.append("SELECT %%s AS side, account_id AS acct, 'column' AS kind, att_database AS db, att_relname AS tbl, "
                   "%s AS def FROM mo_catalog.mo_columns%s WHERE %s AND att_is_hidden = 0 AND attisdropped = 0 AND %s"
                   % (COLUMN_DEFINITION, suffix, accounts, col_cond))
        params += [label] + col_params
        if account_ids is None:  # mo_indexes and mo_foreign_keys show a login its own account only
            idx_cond, idx_params = _scope_filter("t.reldatabase", databases)
            sql.append("SELECT %%s AS side, t.account_id AS acct, 'index' AS kind, t.reldatabase AS db, t.relname "
                       "AS tbl, %s AS def FROM mo_catalog.mo_indexes%s i JOIN mo_catalog.mo_tables%s t ON i.table_id "
                       "= t.rel_id WHERE t.account_id = current_account_id() AND %s"
                       % (INDEX_DEFINITION, suffix, suffix, idx_cond))
            params += [label] + idx_params
            child_cond, child_params = _scope_filter("db_name", databases)
            parent_cond, parent_params = _scope_filter("refer_db_name", databases)
            sql.append("SELECT %%s AS side, current_account_id() AS acct, 'foreign_key' AS kind, db_name AS db, "
                       "table_name AS tbl, concat(hex(refer_db_name), '|', hex(refer_table_name)) AS def FROM "
                       "mo_catalog.mo_foreign_keys%s WHERE (%s OR %s)" % (suffix, child_cond, parent_cond))
            params += [label] + child_params + parent_params
    return Statement(" UNION ALL ".join(sql), params)


def row_counts(parts):
    """One statement counting rows of many tables: parts [(label, point, [(db, t)])]; rows: (side, db, tbl, n).
    None when there is nothing to count."""
    sql, params = [], []
    for label, point, tables in parts:
        for db, table in tables:
            sql.append("SELECT %%s AS side, %%s AS db, %%s AS tbl, count(*) AS n FROM %s.%s%s"
                       % (server_ident(db), server_ident(table), at(point)))
            params += [label, db, table]
    if not sql:
        return None
    return Statement(" UNION ALL ".join(sql), params)


def row_checksums(point, tables):
    """One statement giving, per table, its row count and a checksum of its rows that does not depend on their order:
    the sums of the high and the low 32 bits of MatrixOne's 64-bit hash_value of each row (NULLs hashed as such).
    tables: [(db, table, [column names])]; rows: (db, tbl, n, hi, lo). Used where two sides cannot be compared by a
    set difference because different logins read them. None when there is nothing to read."""
    sql, params = [], []
    for db, table, columns in tables:
        row = "hash_value(%s)" % ", ".join(server_ident(c) for c in columns)
        sql.append("SELECT %%s AS db, %%s AS tbl, count(*) AS n, sum(%s >> 32) AS hi, sum(%s & 4294967295) AS lo "
                   "FROM %s.%s%s" % (row, row, server_ident(db), server_ident(table), at(point)))
        params += [db, table]
    if not sql:
        return None
    return Statement(" UNION ALL ".join(sql), params)


def _except(first, second, columns="*"):
    """Rows (or key columns) of `first` not in `second`, each once. MatrixOne v4.1.4 returns a row of EXCEPT
    twice on larger tables (a 10^6-row table with 10,000 changed rows gave 20,000), so the result is made distinct."""
    return "SELECT DISTINCT * FROM (SELECT %s FROM %s EXCEPT SELECT %s FROM %s) e" % (columns, first, columns, second)


def _ref(db, table, point=None, names=None):
    """A table at a point; `names` maps (db, table) to the table actually read (the copy of a restore beside live
    data)."""
    db, table = (names or {}).get((db, table), (db, table))
    return "%s.%s%s" % (server_ident(db), server_ident(table), at(point))


def _free_alias(columns, alias):
    while alias in columns:
        alias += "_"
    return alias


def _symmetric_difference(now, ref, columns, key=None):
    """How many distinct rows are only in `now` and only in `ref`, in one pass: both sides tagged and grouped by
    every column. Measured on real v4.1.4 over 1,000 tables: 0.7 to 1.0 s where EXCEPT both ways took 1.4 to 1.7 s;
    NULLs group together and duplicates count once, as EXCEPT's set semantics have it. With the primary key `key`,
    the rows found on one side only are grouped by key too: a key with such a row on both sides is an update, on
    one side an insert (now) or a delete (ref), counted in the same statement (inserted, deleted).

    A row is on one side when min(side) = max(side) in its group. count(DISTINCT side) = 1 says the same, but real
    v3.0.18 kept a set per group for it: over a 10^6-row table with 100,000 rows updated it passed 6 GB and was
    killed, where min = max peaked at 0.8 GB and took 0.67 s (EXCEPT both ways: 0.76 GB, 1.55 s)."""
    cols = ", ".join(server_ident(c) for c in columns)
    side = server_ident(_free_alias(columns, "mo_side"))
    one_sided = ("SELECT %smin(%s) AS %s FROM (SELECT %s, 'n' AS %s FROM %s UNION ALL SELECT %s, 's' AS %s FROM %s) "
                 "u GROUP BY %s HAVING min(%s) = max(%s)"
                 % ("".join(server_ident(c) + ", " for c in key or []), side, side, cols, side, now, cols, side, ref,
                    cols, side, side))
    if not key:
        return ("SELECT sum(CASE WHEN %s = 'n' THEN 1 ELSE 0 END) AS only_now, sum(CASE WHEN %s = 's' THEN 1 ELSE 0 "
                "END) AS only_snap FROM (%s) g" % (side, side, one_sided))
    both = server_ident(_free_alias(columns, "mo_sides"))
    return ("SELECT sum(CASE WHEN %s = 2 OR %s = 'n' THEN 1 ELSE 0 END) AS only_now, sum(CASE WHEN %s = 2 OR %s = 's' "
            "THEN 1 ELSE 0 END) AS only_snap, sum(CASE WHEN %s = 1 AND %s = 'n' THEN 1 ELSE 0 END) AS inserted, "
            "sum(CASE WHEN %s = 1 AND %s = 's' THEN 1 ELSE 0 END) AS deleted FROM (SELECT count(*) AS %s, min(%s) AS "
            "%s FROM (%s) g GROUP BY %s) k"
            % (both, side, both, side, both, side, both, side, both, side, side, one_sided,
               ", ".join(server_ident(c) for c in key)))


def content_differences(point, tables, current=None, now_names=None, columns=None, keys=None):
    """One statement giving, per table, the distinct rows only present now and only present at `point` (rows: db,
    tbl, only_now, only_snap; NULL counts as 0). `current`: the point the "now" side is read at (None: now);
    now_names: the tables read on the "now" side when they have other names; columns: {(db, table): [column
    names]}, both sides grouped by them in one pass (_symmetric_difference), else EXCEPT both ways (tables whose
    columns are not known, such as mo_catalog's). keys: {(db, table): [primary key columns]}: the rows also carry
    inserted and deleted, counted by key (0 for a table without a key or without known columns). None when there
    is nothing to compare."""
    sql, params = [], []
    for db, table in tables:
        ref, now = _ref(db, table, point), _ref(db, table, current, now_names)
        names = (columns or {}).get((db, table))
        key = (keys or {}).get((db, table)) if names else None
        # 0, not NULL, for a table without a key: real MatrixOne types a union column that is NULL in its first part
        # as text
        by_key = "" if keys is None else (", d.inserted, d.deleted" if key else ", 0 AS inserted, 0 AS deleted")
        if names:
            sql.append("SELECT %%s AS db, %%s AS tbl, d.only_now, d.only_snap%s FROM (%s) d"
                       % (by_key, _symmetric_difference(now, ref, names, key)))
        else:
            sql.append("SELECT %%s AS db, %%s AS tbl, (SELECT count(*) FROM (%s) a) AS only_now, "
                       "(SELECT count(*) FROM (%s) b) AS only_snap%s" % (_except(now, ref), _except(ref, now), by_key))
        params += [db, table]
    if not sql:
        return None
    return Statement(" UNION ALL ".join(sql), params)


def content_sample(point, db, table, side, limit, current=None, now_names=None):
    """Up to `limit` rows of one table present only now (side 'now') or only at `point` (side 'snap')."""
    ref, now = _ref(db, table, point), _ref(db, table, current, now_names)
    first, second = (now, ref) if side == "now" else (ref, now)
    return Statement("%s LIMIT %d" % (_except(first, second), int(limit)))


KEY_SAMPLE_KINDS = ("inserted", "deleted", "updated")


def sample_keys(db, table, columns, key, kind, before, after, limit):
    """The primary keys of up to `limit` rows of one table, in key order, that were inserted (the key is only at
    `after`), deleted (only at `before`) or updated (at both points, another value in a non-key column, compared
    NULL-safe), found by joining the two points on the key. Real v4.1.4, 10^6 rows, 10,000 updated: 0.15 s for the
    updated keys and 0.05 s for the inserted ones, where grouping both sides by every column took 0.42 and 0.94 s."""
    cols = ", ".join("t.%s" % server_ident(c) for c in key)
    on = " AND ".join("t.%s = o.%s" % (server_ident(c), server_ident(c)) for c in key)
    if kind == "updated":
        same = " AND ".join("t.%s <=> o.%s" % (server_ident(c), server_ident(c)) for c in columns if c not in key)
        sql = "SELECT %s FROM %s t JOIN %s o ON %s WHERE NOT (%s)" % (
            cols, _ref(db, table, after), _ref(db, table, before), on, same or "TRUE")
    else:
        this, other = (after, before) if kind == "inserted" else (before, after)
        sql = "SELECT %s FROM %s t LEFT JOIN %s o ON %s WHERE o.%s IS NULL" % (
            cols, _ref(db, table, this), _ref(db, table, other), on, server_ident(key[0]))
    return Statement("%s ORDER BY %s LIMIT %d" % (sql, cols, int(limit)))


def rows_by_key(db, table, key, point, values):
    """The rows of one table at `point` whose primary key `key` is one of `values` (tuples, bound as parameters);
    None for no values."""
    if not values:
        return None
    if len(key) == 1:
        cond = "%s IN (%s)" % (server_ident(key[0]), ", ".join(["%s"] * len(values)))
    else:
        match = "(%s)" % " AND ".join("%s = %%s" % server_ident(c) for c in key)
        cond = " OR ".join([match] * len(values))
    return Statement("SELECT * FROM %s WHERE %s" % (_ref(db, table, point), cond),
                     [v for value in values for v in value])


def catalog_versions(point):
    """MatrixOne's catalog version (mo_catalog.mo_version, written by each upgrade) now and at a point: rows (side,
    version, create_at), finished upgrades only (state 2). sys only; a tenant has no such table."""
    return Statement("SELECT 'now' AS side, version, create_at FROM mo_catalog.mo_version WHERE state = 2 UNION ALL "
                     "SELECT 'snap' AS side, version, create_at FROM mo_catalog.mo_version%s WHERE state = 2" % at(point))


def accounts_at(point):
    """Accounts (name and id) now and at a point in time (sys only): rows (side, account_name, account_id)."""
    return Statement("SELECT 'now' AS side, account_name, account_id FROM mo_catalog.mo_account UNION ALL "
                     "SELECT 'snap' AS side, account_name, account_id FROM mo_catalog.mo_account%s" % at(point))


# -- user SQL (mo_sql) --------------------------------------------------------------------------------
_READ_ONLY = ("SELECT", "SHOW", "DESC", "DESCRIBE", "EXPLAIN", "WITH", "USE", "SET")
_SPLIT = re.compile(r"""'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|`(?:[^`]|``)*`|--[^\n]*|\#[^\n]*|/\*.*?\*/|;""",
                    re.S)


def split_statements(text, lines=False):
    """Split SQL text on `;` outside quotes, backquotes and comments; drop empty statements. With lines=True,
    (line number where the statement starts, statement) pairs.

    A `DELIMITER` line (a client-side command, not SQL) is refused rather than misread.
    """
    if re.search(r"^\s*DELIMITER\s", text, re.I | re.M):
        raise _errors.InvalidInput("DELIMITER is a mysql client command, not SQL; write one statement per `;`")
    statements, start = [], 0
    for m in _SPLIT.finditer(text):
        if m.group() == ";":
            statements.append((start, text[start:m.start()]))
            start = m.end()
    statements.append((start, text[start:]))
    out = []
    for offset, stmt in statements:
        stripped = re.sub(r"/\*.*?\*/|--[^\n]*|\#[^\n]*", "", stmt, flags=re.S).strip()
        if stripped:
            code = re.match(r"(?:\s|/\*.*?\*/|--[^\n]*|\#[^\n]*)*", stmt, re.S).end()  # after leading comments
            line = text.count("\n", 0, offset + code) + 1
            out.append((line, stmt.strip()) if lines else stmt.strip())
    if re.search(r"""['"`]""", _SPLIT.sub(" ", text)):
        raise _errors.InvalidInput("the SQL text has an unterminated quote or backquote")
    return out


_ROW_CHANGES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _first_word(statement):
    stripped = re.sub(r"^(?:\s|/\*.*?\*/|--[^\n]*\n|\#[^\n]*\n)*", "", statement, flags=re.S)
    first = re.match(r"[A-Za-z]+", stripped)
    return first.group().upper() if first else ""


def is_read_only(statement):
    """True for statements that do not change data (SELECT, SHOW, DESCRIBE, EXPLAIN, USE, SET)."""
    return _first_word(statement) in _READ_ONLY


def changes_rows_only(statement):
    """True for INSERT, UPDATE, DELETE and REPLACE: they changed something only when they affected rows."""
    return _first_word(statement) in _ROW_CHANGES


def user_statement(text, params=None):
    """A statement the user wrote (mo_sql): sent as given, with optional bound parameters."""
    if params:
        return Statement(text, params)
    return Statement(text.replace("%", "%%"), (), display=text)


def use_database(database):
    return Statement("USE %s" % quote_ident(database))


# -- PITR -------------------------------------------------------------------------------------------------
PITR_UNITS = ("h", "d", "mo", "y")


def _pitr_target(level, account=None, database=None, table=None):
    return {
        "cluster": " FOR CLUSTER",
        "account": " FOR ACCOUNT %s" % quote_ident(account or ""),
        "database": " FOR DATABASE %s" % quote_ident(database or ""),
        # FOR DATABASE d TABLE t is accepted from 2.0 (FOR TABLE d t only from 2.1)
        "table": " FOR DATABASE %s TABLE %s" % (quote_ident(database or ""), quote_ident(table or "")),
    }[level]


def create_pitr(name, level, value, unit, account=None, database=None, table=None):
    return Statement("CREATE PITR %s%s RANGE %d %s" % (quote_ident(name), _pitr_target(level, account, database, table),
                                                       int(value), _literal(unit)))


def alter_pitr(name, value, unit):
    return Statement("ALTER PITR %s RANGE %d %s" % (quote_ident(name), int(value), _literal(unit)))


def drop_pitr(name, if_exists=False):
    return Statement("DROP PITR %s%s" % ("IF EXISTS " if if_exists else "", quote_ident(name)))


def server_clock():
    """The session's time_zone and the server's clock read both ways: NOW() minus UTC_TIMESTAMP() is its offset."""
    return Statement("SELECT @@time_zone AS time_zone, NOW() AS now_local, UTC_TIMESTAMP() AS now_utc")


def show_pitr(name=None):
    if name is None:
        return Statement("SHOW PITR")
    return Statement("SHOW PITR WHERE pitr_name = %s", (name,))


def restore_pitr(level, pitr, timestamp, account=None, database=None, table=None):
    """RESTORE ... FROM PITR p 'YYYY-MM-DD HH:MM:SS[.f]' (the server reads the time in its own zone)."""
    if level == "cluster":
        target = "CLUSTER "
    elif level == "account":
        target = "ACCOUNT %s " % quote_ident(account or "")
    else:
        target = "DATABASE %s " % quote_ident(database or "")
        if level == "table":
            target += "TABLE %s " % quote_ident(table or "")
    return Statement("RESTORE %sFROM PITR %s %s" % (target, quote_ident(pitr), _literal(timestamp)))


# -- physical backups ----------------------------------------------------------------------------
# The S3OPTION keys MatrixOne reads (pkg/backup/utils.go getS3Config), in the order we send them.
_S3_OPTION_KEYS = ("endpoint", "region", "bucket", "filepath", "access_key_id", "secret_access_key", "is_minio",
                   "role_arn", "external_id", "parallelism")
_S3_SECRET_KEYS = ("access_key_id", "secret_access_key", "external_id")


def backup(parallelism, directory=None, s3=None, backup_type="full", base_ts=None):
    """BACKUP '0' FILESYSTEM 'dir' PARALLELISM 'n' [TYPE 'incremental' TIMESTAMP 'ts'] or BACKUP '0' S3OPTION {...}.

    s3: the S3OPTION keys (filepath is the prefix in the bucket); credentials are masked in the display.
    Every value is a bound string literal: MatrixOne's grammar takes strings only.
    """
    params, shown = ["0"], ["0"]
    if s3 is None:
        sql = "BACKUP %s FILESYSTEM %s PARALLELISM %s"
        params += [directory, str(parallelism)]
        shown += [directory, str(parallelism)]
    else:
        options = dict(s3, parallelism=str(parallelism))
        keys = [k for k in _S3_OPTION_KEYS if options.get(k) not in (None, "")]
        sql = "BACKUP %s S3OPTION {" + ", ".join("'%s'=%%s" % k for k in keys) + "}"
        params += [str(options[k]) for k in keys]
        shown += [MASK if k in _S3_SECRET_KEYS else str(options[k]) for k in keys]
    if backup_type == "incremental":
        sql += " TYPE %s TIMESTAMP %s"
        params += ["incremental", base_ts]
        shown += ["incremental", base_ts]
    return Statement(sql, params, display=render(sql, shown))
