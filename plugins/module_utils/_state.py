# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The state of a scope at a point in time, read through a login, and the comparison of two states.

A state is what one account holds in the scope at one point:
  {"databases": {names}, "tables": {(db, t): definition}, "columns": {(db, t): [column names]},
   "rows": {(db, t): row count},      (rows only where the login can read them)
   "views": {(db, v): definition}, "sequences": {(db, s)},
   "indexes": {(db, t): definition of its indexes}, "foreign_keys": {(db, t) referencing or referenced},
   "keys": {(db, t): [its primary key's columns, in order]}}
   (indexes, foreign keys and keys are None where another account's login read the state: only its own login sees
   them)
Reading never costs a query per table, nor one giant statement: one statement lists the objects of every side read
through one login; row counts, set differences and checksums are read in batches of tables.

Rows are compared three ways, the strongest the logins allow (COMPARED_BY):
  content    a set difference both ways (EXCEPT), where one login reads both sides;
  checksums  row count and an order-independent checksum of every row, where two logins read the sides;
  objects    databases, tables and column definitions only, where a login cannot read the rows (sys cannot read a
             tenant's rows now).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import threading

from ansible_collections.matrixone.backup.plugins.module_utils import _sql, _time

# Tables per statement, chosen by measuring a real v3.0.18 over 1,000 tables (docs/performance.md): per table is
# slow (1,000 statements), one giant UNION ALL slower still; 25 to 50 tables per statement was fastest for both.
COUNT_BATCH = 50
CONTENT_BATCH = 50
COMPARED_BY = ("content", "checksums", "objects")


def empty(own=True):
    """A state holding nothing. own: read through the account's own login, which alone sees its indexes and foreign
    keys (None where they were not read)."""
    return {"databases": set(), "tables": {}, "columns": {}, "rows": {}, "views": {}, "sequences": set(),
            "indexes": {} if own else None, "foreign_keys": set() if own else None, "keys": {} if own else None}


_VIEW_SECURITY = re.compile(r"\bsql\s+security\s+(?:definer|invoker)\s+", re.I)


def view_definition(text):
    """A view's CREATE VIEW text as compared: real v3.0.18 writes it back after a restore with `SQL SECURITY DEFINER`
    added (v4.1.4 keeps it as written); spacing and that clause do not make another view."""
    return " ".join(_VIEW_SECURITY.sub("", text or "").split())


class Reader:
    """Where one side is read: a login (its query function), a _time.Point, whose catalog (account_id: another
    account's, which only sys may read; None: the login's own) and whether the login can read that account's rows
    there (sys cannot read a tenant's rows now, only at a snapshot of that tenant)."""

    def __init__(self, query, point, account_id=None, rows=True):
        self.query = query
        self.point = point
        self.account_id = account_id
        self.rows = rows

    def same_login(self, other):
        return other is not None and self.query == other.query  # bound methods: equal, not identical


def compared_by(now, snap):
    """How rows can be compared between two readers (one of COMPARED_BY)."""
    if not (now.rows and snap.rows):
        return "objects"
    if now.same_login(snap) and now.account_id is None and snap.account_id is None:
        return "content"
    return "checksums"


# -- catalog definitions ---------------------------------------------------------------------------------------
def _varint(data, i):
    value = shift = 0
    while True:
        byte = data[i]
        value |= (byte & 0x7F) << shift
        i += 1
        if byte < 0x80:
            return value, i
        shift += 7


def default_text(hex_value):
    """A column default as written. MatrixOne keeps it in mo_columns.att_default as a protobuf whose expression part
    a restore rewrites: field 2 is the default's original text, field 3 whether the column is nullable (a nullable
    column without a written default defaults to null, which a restore spells out). Anything else is compared as it
    is. Decoded here (a dozen lines) rather than with a protobuf library, which the modules would need on every
    controller and execution environment."""
    try:
        data = bytearray.fromhex(hex_value or "")
        i, origin, nullable = 0, None, False
        while i < len(data):
            key, i = _varint(data, i)
            field, wire = key >> 3, key & 7
            if wire == 0:
                value, i = _varint(data, i)
                nullable = nullable or (field == 3 and value == 1)
            elif wire == 2:
                size, i = _varint(data, i)
                if field == 2:
                    origin = data[i:i + size].decode("utf-8", "replace")
                i += size
            else:
                return hex_value
    except (ValueError, IndexError):
        return hex_value
    if origin is None:
        return "null" if nullable else ""
    return "null" if origin.lower() == "null" else origin


def column_definition(text):
    """A _sql.COLUMN_DEFINITION row -> (attnum, column name, comparable text)."""
    num, name, typ, not_null, constraint, auto_inc, default, comment = text.split("|", 7)
    name = bytearray.fromhex(name).decode("utf-8", "replace")
    return int(num), name, "%s %s%s%s%s default=%s%s" % (
        name, typ, " not null" if not_null == "1" else "", " primary" if constraint == "p" else "",
        " auto_increment" if auto_inc == "1" else "", default_text(default), (" comment=" + comment) if comment else "")


def index_text(columns):
    """[(index, position, type, column)] -> "PRIMARY PRIMARY (a, b); ik MULTIPLE (k)", one index after another."""
    by_index = {}
    for name, position, kind, column in sorted(columns):
        by_index.setdefault((name, kind), []).append(column)
    return "; ".join("%s %s (%s)" % (name, kind, ", ".join(cols)) for (name, kind), cols in sorted(by_index.items()))


def definition(state, key, indexes=True):
    """A table's definition as compared: its columns, and its indexes where `indexes` (both sides read them)."""
    text = state["tables"].get(key)
    if indexes and text is not None and state.get("indexes") and state["indexes"].get(key):
        text += "; indexes: " + state["indexes"][key]
    return text


def redefined(now, snap):
    """Tables on both sides whose definitions differ (indexes included where both sides read them), sorted."""
    indexes = now.get("indexes") is not None and snap.get("indexes") is not None
    return sorted(k for k in snap["tables"] if k in now["tables"]
                  and definition(now, k, indexes) != definition(snap, k, indexes))


# -- reading -----------------------------------------------------------------------------------------------------
def read(readers, databases=None, table=None, uncounted=()):
    """{key: state} for {key: Reader}. The readers of one login are listed in one statement (those at one point
    together, whatever their accounts); rows are counted per reader in batches of COUNT_BATCH tables where the login
    can read them, but for the keys in `uncounted` (counted later: rows_from_content, count_missing_rows).
    databases: the databases in scope (None: every non-system one); table: only that table of databases[0]."""
    states = dict((key, empty(reader.account_id is None)) for key, reader in readers.items())
    for query, members in _by_login(readers):
        parts, owners = _parts(members)
        columns, indexes = {}, {}
        for row in query(_sql.scope_objects(parts, databases)):
            key = owners.get((row["side"], None)) if row["kind"] in ("index", "foreign_key") else None
            key = key or owners.get((row["side"], int(row["acct"]))) or owners.get((row["side"], None))
            if key is None:
                continue
            db, tbl = row["db"], row["tbl"]
            if row["kind"] == "database":
                states[key]["databases"].add(db)
            elif row["kind"] == "foreign_key":
                parent = tuple(bytearray.fromhex(part).decode("utf-8", "replace") for part in row["def"].split("|"))
                states[key]["foreign_keys"].update([(db, tbl), parent])
            elif table is not None and (db, tbl) != (databases[0], table):
                continue
            elif row["kind"] == "index":
                name, kind, position, column = row["def"].split("|", 3)
                if not column.startswith("__mo_"):  # the hidden key columns MatrixOne appends
                    indexes.setdefault(key, {}).setdefault((db, tbl), []).append((name, int(position), kind, column))
            elif row["kind"] == "table":
                states[key]["tables"][(db, tbl)] = ""
            elif row["kind"] == "view":
                states[key]["views"][(db, tbl)] = view_definition(row["def"])
            elif row["kind"] == "sequence":
                states[key]["sequences"].add((db, tbl))
            else:
                columns.setdefault(key, {}).setdefault((db, tbl), []).append(column_definition(row["def"]))
        for key, _reader in members:
            by_table = columns.get(key, {})
            for name in states[key]["tables"]:
                defined = sorted(by_table.get(name, []))
                states[key]["tables"][name] = "; ".join(text for _num, _col, text in defined)
                states[key]["columns"][name] = [col for _num, col, _text in defined]
                if states[key]["indexes"] is not None and indexes.get(key, {}).get(name):
                    states[key]["indexes"][name] = index_text(indexes[key][name])
                    # mo_indexes lists real primary keys only (not MatrixOne's hidden one)
                    primary = sorted((pos, col) for index, pos, _kind, col in indexes[key][name] if index == "PRIMARY")
                    if primary:
                        states[key]["keys"][name] = [col for _pos, col in primary]
    for key, reader in readers.items():
        if reader.rows and key not in uncounted:
            states[key]["rows"] = count_rows(reader, sorted(states[key]["tables"]))
    return states


def _by_login(readers):
    groups = []
    for key, reader in readers.items():
        for query, members in groups:
            if query == reader.query:
                members.append((key, reader))
                break
        else:
            groups.append((reader.query, [(key, reader)]))
    return groups


def _parts(members):
    """scope_objects parts for one login's readers, and {(label, account id or None): reader key}."""
    parts, owners = [], {}
    own = [(key, r) for key, r in members if r.account_id is None]
    for index, (key, reader) in enumerate(own):
        label = "o%d" % index
        parts.append((label, reader.point, None))
        owners[(label, None)] = key
    by_point = []
    for key, reader in members:
        if reader.account_id is None:
            continue
        for point, ids in by_point:
            if point == reader.point:
                ids.append((reader.account_id, key))
                break
        else:
            by_point.append((reader.point, [(reader.account_id, key)]))
    for index, (point, ids) in enumerate(by_point):
        label = "a%d" % index
        parts.append((label, point, [account for account, _key in ids]))
        for account, key in ids:
            owners[(label, int(account))] = key
    return parts, owners


def run_all(query, statements):
    """The rows of each statement, in order. A query function with parallel() (_module.ReadQuery) runs them spread
    over that many connections of its login at once, from 3 statements on; any other runs them one by one."""
    if len(statements) < 3 or not hasattr(query, "parallel"):
        return [query(stmt) for stmt in statements]
    return run_spread(query.parallel(), statements)


def run_spread(pool, statements):
    """The rows of each statement, in order, the statements spread over the query functions of `pool` (one thread
    each, every len(pool)-th statement); the first error is raised once every thread has stopped."""
    results, errors = [None] * len(statements), []

    def work(run, indexes):
        try:
            for index in indexes:
                results[index] = run(statements[index])
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(run, range(k, len(statements), len(pool))))
               for k, run in enumerate(pool)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def count_rows(reader, tables, batch=COUNT_BATCH, names=None):
    """{(db, t): rows} in batches of `batch` tables; names: the tables read when they have other names ({(db, t):
    (db, t) read}, the copy of a restore beside live data)."""
    out, read_as = {}, dict(((names or {}).get(key, key), key) for key in tables)
    read = sorted(read_as)
    statements = [_sql.row_counts([("n", reader.point, read[start:start + batch])])
                  for start in range(0, len(read), batch)]
    for rows in run_all(reader.query, statements):
        for row in rows:
            out[read_as[(row["db"], row["tbl"])]] = int(row["n"])
    return out


def rows_from_content(now, snap, content):
    """Fill now["rows"] for the tables compared by content that have a primary key on both sides, from the rows at
    the point: such a table holds no duplicate row, so its rows now are those at the point plus the distinct rows
    only now minus those only at the point. Spares the rows now a count pass (the verification after a restore)."""
    for key, (only_now, only_snap) in content.items():
        if key in (now.get("keys") or {}) and key in (snap.get("keys") or {}) and key in snap["rows"] and only_now is not None and key not in now["rows"]:
            now["rows"][key] = snap["rows"][key] + only_now - only_snap


def count_missing_rows(reader, state, names=None):
    """Count the rows of the tables of `state` that have none yet (read uncounted); names as for count_rows."""
    missing = [key for key in sorted(state["tables"]) if key not in state["rows"]]
    if missing and reader.rows:
        state["rows"].update(count_rows(reader, missing, names=names))


# -- rows --------------------------------------------------------------------------------------------------------
def content_scope(now, snap, max_rows):
    """Tables whose rows can be compared: on both sides with one definition, and at most max_rows rows on either side
    (0 = no limit). Returns (tables to compare, tables left to counts)."""
    compare_, too_big = [], []
    for key in sorted(snap["tables"]):
        if key not in now["tables"] or now["tables"][key] != snap["tables"][key]:
            continue
        rows = max(now["rows"].get(key) or 0, snap["rows"].get(key) or 0)
        (too_big if max_rows and rows > max_rows else compare_).append(key)
    return compare_, too_big


def content_changes(query, point, tables, batch=CONTENT_BATCH, current=None, now_names=None, columns=None, keys=None,
                    key_counts=None):
    """{(db, table): (rows only now, rows only at `point`)} by set difference, in batches of `batch` tables.
    current: the point the "now" side is read at (None: now); now_names: the tables read on the "now" side when they
    have other names (the copy of a restore beside live data); columns: {(db, table): [column names]} (both sides
    have them: content_scope compares only tables of one definition), for the one-pass comparison; keys: {(db,
    table): [primary key columns]}, whose rows are also counted by key into `key_counts` ({(db, table): (keys only
    now, keys only at `point`)}) in the same statements."""
    tables = sorted(tables)
    out = {}
    columns_and_keys = set(k for k in (keys or {}) if (columns or {}).get(k))  # the tables counted by key
    statements = [_sql.content_differences(point, tables[start:start + batch], current, now_names, columns, keys)
                  for start in range(0, len(tables), batch)]
    for rows in run_all(query, statements):
        for row in rows:
            out[(row["db"], row["tbl"])] = (int(row["only_now"] or 0), int(row["only_snap"] or 0))
            if key_counts is not None and (row["db"], row["tbl"]) in columns_and_keys:
                key_counts[(row["db"], row["tbl"])] = (int(row["inserted"] or 0), int(row["deleted"] or 0))
    return out


def checksums(reader, state, tables, batch=CONTENT_BATCH):
    """{(db, table): (rows, checksum high, checksum low)} of the tables read through `reader`, in batches."""
    tables = sorted(tables)
    out = {}
    statements = [_sql.row_checksums(reader.point, [(db, t, state["columns"][(db, t)])
                                                    for db, t in tables[start:start + batch]])
                  for start in range(0, len(tables), batch)]
    for rows in run_all(reader.query, statements):
        for row in rows:
            out[(row["db"], row["tbl"])] = (int(row["n"]), int(row["hi"] or 0), int(row["lo"] or 0))
    return out


def checksum_changes(now_reader, now, snap_reader, snap, tables):
    """{(db, table): (0, 0) when the checksums match, (None, None) when they differ (how many rows differ is not
    known)} for tables read through two logins."""
    mine, theirs = checksums(now_reader, now, tables), checksums(snap_reader, snap, tables)
    return dict((key, (0, 0) if mine.get(key) == theirs.get(key) else (None, None)) for key in tables)


def content_samples(query, point, changes, limit, max_tables=20, now_names=None, keys=None, columns=None,
                    current=None):
    """{'now': {'db.t': [rows]}, 'snap': {...}}: up to `limit` differing rows each way of the first tables (those
    compared by set difference). keys, columns: {(db, table): primary key columns / columns}; a table with a key
    is sampled by key (samples: the rows only now are the inserted and the updated ones, the rows only at `point`
    the deleted and the updated ones; real v3.0.18, 10^6 rows with 10,000 updated: check mode with --diff in 2.1 s
    instead of 2.6 to 3.2 s by EXCEPT both ways); current: the point the "now" side is read at. now_names (a copy
    read under other names): by set difference."""
    out = {"now": {}, "snap": {}}
    if limit <= 0:
        return out
    changed = sorted(k for k, (a, b) in changes.items() if a or b)[:max_tables]
    tables = []
    for key in changed:
        after, before = changes[key]
        entry = {"rows_only_after": after, "rows_only_before": before, "inserted": None if after else 0,
                 "deleted": None if before else 0, "updated": None if after and before else 0}
        tables.append((key, entry, None if now_names else (keys or {}).get(key), (columns or {}).get(key)))
    for key, found in zip(changed, samples(query, point, current or _time.NOW, tables, limit, now_names)):
        if "only_after" in found:
            now_rows, snap_rows = found["only_after"], found["only_before"]
        else:
            now_rows = found["inserted"] + [pair["after"] for pair in found["updated"]]
            snap_rows = found["deleted"] + [pair["before"] for pair in found["updated"]]
        for side, rows in (("now", now_rows), ("snap", snap_rows)):
            if changes[key][side == "snap"]:
                out[side][table_name(key)] = rows[:limit]
    return out


def common_keys(before, after, tables):
    """{(db, table): [key columns]} for those of `tables` whose primary key is the same in both states (as read)."""
    old, new = before.get("keys") or {}, after.get("keys") or {}
    return dict((key, new[key]) for key in tables if old.get(key) and old.get(key) == new.get(key))


def samples(query, before, after, tables, limit, now_names=None):
    """Sample rows of each of `tables` ([((db, table), its row_report entry, primary key or None, columns)]), in two
    rounds of statements run together (run_all). With a key: first the keys of each kind that has rows
    (inserted, deleted, updated; in key order; _sql.sample_keys), then those keys' rows on each side, looked up by
    key (real v4.1.4, a 10^6-row table with 10,000 rows updated: 0.15 s and 0.001 s, where joining EXCEPT with the
    keys took 1.1 s per kind). Without a key: rows only after and only before, for each side that has some (now_names:
    the tables read on the `after` side when they have other names, as in content_changes)."""
    first, plans = [], []
    for (db, table), entry, key, columns in tables:
        key = key if columns else None
        if key:  # a kind not counted (None) is asked for too
            kinds = [kind for kind in _sql.KEY_SAMPLE_KINDS if entry.get(kind) is None or entry[kind]]
            first += [_sql.sample_keys(db, table, columns, key, kind, before, after, limit) for kind in kinds]
        else:
            kinds = [side for side, count in (("now", entry["rows_only_after"]), ("snap", entry["rows_only_before"]))
                     if count]
            first += [_sql.content_sample(before, db, table, side, limit, current=after, now_names=now_names)
                      for side in kinds]
        plans.append((db, table, key, kinds))
    answers = iter(run_all(query, first))
    found = [dict((kind, next(answers)) for kind in kinds) for _db, _t, _key, kinds in plans]
    second = []
    for (db, table, key, _kinds), rows in zip(plans, found):
        if key:
            wanted = {"after": rows.get("inserted", []) + rows.get("updated", []),
                      "before": rows.get("deleted", []) + rows.get("updated", [])}
            for side, point in (("after", after), ("before", before)):
                stmt = _sql.rows_by_key(db, table, key, point, [key_of(r, key) for r in wanted[side]])
                if stmt is not None:
                    second.append(stmt)
    looked_up = iter(run_all(query, second))
    out = []
    for (db, table, key, _kinds), rows in zip(plans, found):
        if not key:
            out.append({"only_after": [plain_row(r) for r in rows.get("now", [])],
                        "only_before": [plain_row(r) for r in rows.get("snap", [])]})
            continue
        by_key = {}
        for side, kinds in (("after", ("inserted", "updated")), ("before", ("deleted", "updated"))):
            if any(rows.get(kind) for kind in kinds):
                by_key[side] = dict((key_of(r, key), plain_row(r)) for r in next(looked_up))
            else:
                by_key[side] = {}
        keys = dict((kind, [key_of(r, key) for r in rows.get(kind, [])]) for kind in _sql.KEY_SAMPLE_KINDS)
        out.append({"inserted": [by_key["after"][k] for k in keys["inserted"] if k in by_key["after"]],
                    "deleted": [by_key["before"][k] for k in keys["deleted"] if k in by_key["before"]],
                    "updated": [{"before": by_key["before"][k], "after": by_key["after"][k]} for k in keys["updated"]
                                if k in by_key["before"] and k in by_key["after"]]})
    return out


def key_of(row, key):
    """A row's primary key as a tuple (result labels are lower case)."""
    return tuple(row[column] if column in row else row[column.lower()] for column in key)


def plain_row(row):
    """A result row as JSON can carry it."""
    return dict((k, _plain(v)) for k, v in row.items())


def _plain(value):
    """A row value as JSON can carry it (dates, decimals and bytes as text)."""
    if value is None or isinstance(value, (int, float, str, bool)):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


# -- comparing ---------------------------------------------------------------------------------------------------
def table_name(key):
    """(db, table) -> 'db.table'."""
    return "%s.%s" % key


def compare(now, snap, level, content=None):
    """What makes `now` equal `snap`: the restore preview (also the verification report when `now` is after the
    restore). level: the scope's level (a table scope has no database changes).

    content: {(db, table): (rows only now, rows only at the snapshot)} for the tables whose rows were compared; a
    pair of None means the checksums differ.
    """
    content = content or {}
    tables_now, tables_snap = now["tables"], snap["tables"]
    report = {
        "tables_restored": sorted(table_name(k) for k in tables_snap if k not in tables_now),
        "tables_removed": sorted(table_name(k) for k in tables_now if k not in tables_snap),
        "tables_redefined": [table_name(k) for k in redefined(now, snap)],
        "row_changes": [{"table": table_name(k), "now": now["rows"].get(k), "snapshot": snap["rows"].get(k)}
                        for k in sorted(tables_snap) if k in tables_now and k in now["rows"] and k in snap["rows"]
                        and now["rows"][k] != snap["rows"][k]],
    }
    report["content_changes"] = [{"table": table_name(k), "rows_only_now": a, "rows_only_in_snapshot": b}
                                 for k, (a, b) in sorted(content.items()) if a or b or a is None]
    whole = level != "table"  # a table restore touches no database and no view
    report["databases_restored"] = sorted(snap["databases"] - now["databases"]) if whole else []
    report["databases_removed"] = sorted(now["databases"] - snap["databases"]) if whole else []
    views_now, views_snap = (now["views"], snap["views"]) if whole else ({}, {})
    report["views_restored"] = sorted(table_name(k) for k in views_snap if k not in views_now)
    report["views_removed"] = sorted(table_name(k) for k in views_now if k not in views_snap)
    report["views_redefined"] = sorted(table_name(k) for k in views_snap if k in views_now
                                       and views_now[k] != views_snap[k])
    # MatrixOne's RESTORE and CLONE bring no sequence back and a restore drops the scope's sequences (measured on
    # real v3.0.18 and v4.1.4): said, not counted as changes (no restore can make them equal)
    report["sequences_not_restored"] = sorted(table_name(k) for k in snap["sequences"]) if whole else []
    report["sequences_dropped"] = sorted(table_name(k) for k in now["sequences"]) if whole else []
    changed = set(report["tables_restored"]) | set(report["tables_removed"]) | set(report["tables_redefined"]) | \
        set(r["table"] for r in report["row_changes"]) | set(r["table"] for r in report["content_changes"]) | \
        set(report["views_restored"]) | set(report["views_removed"]) | set(report["views_redefined"])
    report["tables_unchanged"] = len([k for k in tables_snap if table_name(k) not in changed])
    report["changes"] = len(report["databases_restored"]) + len(report["databases_removed"]) + len(changed)
    return report


REPORT_LISTS = ("databases_restored", "databases_removed", "tables_restored", "tables_removed", "tables_redefined",
                "views_restored", "views_removed", "views_redefined", "content_not_compared", "sequences_not_restored",
                "sequences_dropped")
REPORT_ROWS = ("row_changes", "content_changes")


def qualified(report, account):
    """A report of one account with its names qualified as MatrixOne writes them across accounts (acc.db,
    acc.db.table), for a cluster restore."""
    out = dict(report)
    for key in REPORT_LISTS:
        if key in report:
            out[key] = ["%s.%s" % (account, name) for name in report[key]]
    for key in REPORT_ROWS:
        if key in report:
            out[key] = [dict(r, table="%s.%s" % (account, r["table"])) for r in report[key]]
    return out


def merged(reports):
    """The reports of several accounts (already qualified) as one."""
    out = dict((key, []) for key in REPORT_LISTS + REPORT_ROWS)
    out.update(tables_unchanged=0, changes=0)
    for report in reports:
        for key in REPORT_LISTS + REPORT_ROWS:
            out[key] += report.get(key, [])
        out["tables_unchanged"] += report.get("tables_unchanged", 0)
        out["changes"] += report.get("changes", 0)
    for key in REPORT_LISTS:
        out[key] = sorted(out[key])
    return out


def describe_differences(report):
    """Human summary of a comparison, for messages."""
    parts = []
    labels = (("accounts_restored", "accounts missing"), ("accounts_removed", "accounts not in the snapshot"),
              ("databases_restored", "databases missing"), ("databases_removed", "databases not in the snapshot"),
              ("tables_restored", "tables missing"), ("tables_removed", "tables not in the snapshot"),
              ("tables_redefined", "tables with another definition"), ("views_restored", "views missing"),
              ("views_removed", "views not in the snapshot"), ("views_redefined", "views with another definition"))
    for key, label in labels:
        if report.get(key):
            parts.append("%s: %s" % (label, ", ".join(report[key][:10])))
    if report.get("row_changes"):
        parts.append("row counts: " + ", ".join("%s %s (snapshot %s)" % (r["table"], r["now"], r["snapshot"])
                                                for r in report["row_changes"][:10]))
    if report.get("content_changes"):
        parts.append("row contents: " + ", ".join(_content_text(r) for r in report["content_changes"][:10]))
    return "; ".join(parts) or "no differences"


def _content_text(change):
    if change["rows_only_now"] is None:
        return "%s rows differ (checksums)" % change["table"]
    return "%s %d rows not in the snapshot, %d snapshot rows missing" % (
        change["table"], change["rows_only_now"], change["rows_only_in_snapshot"])


def diff_view(state, samples=None):
    """--diff form of one side: {database: {table: rows}} (empty databases as {}; rows null where not read), and the
    sample of rows that only this side has, per table."""
    view = dict((db, {}) for db in state["databases"])
    for (db, table) in state["tables"]:
        view.setdefault(db, {})[table] = state["rows"].get((db, table))
    out = {"databases": view}
    if state["views"]:
        out["views"] = dict((table_name(k), v) for k, v in sorted(state["views"].items()))
    if samples:
        out["differing_rows"] = samples
    return out
