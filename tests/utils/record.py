# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Record what a real MatrixOne answers to the statements of the collection's flows, and replay them.

  python -m tests.utils.record --port 6001 --out tests/fixtures/recorded/v4.1.4.json   (against a real server)

The flows are the integration examples of the mo_br page (table, database, account into a new
account) plus the behaviours the collection depends on (catalog text after a restore, account
look-ups, restores into a missing account, refused logins, snapshot statements inside a transaction). Statements
the modules send are built with the collection's own `_sql` builders, so the recording holds their
exact text.

A recording is JSON: a header (the server's `version()`, the date, the flows' grammar) and, per
statement, the session, the text and the answer (columns and rows, or error code and text),
normalized by `normalize()` so that values that change from run to run compare equal:

- a time `YYYY-MM-DD HH:MM:SS[.f]` (with `T` or a trailing `Z` too) -> `<time>`;
- an integer of 16 or more digits (MO_TS, nanosecond times, catalog ids) -> `<n>`;
- a UUID -> `<uuid>`;
- in the column rows of `scope_objects`, the hex-encoded binary type -> `<type>` and the protobuf default ->
  its written text (see `column_row()`).

tests/server/test_recorded.py replays every recording against the test server at the recorded
version and fails on any difference. docs/test-server.md says how to re-record.
"""

import argparse
import datetime
import importlib.util
import json
import os
import re
import sys

import pymysql

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RECORDINGS = os.path.join(REPO, "tests", "fixtures", "recorded")


def _load_sql():
    """The collection's `_sql` (it imports only `_errors`), loaded from this checkout under its collection name: no
    ansible_collections tree needed."""
    import types  # pylint: disable=import-outside-toplevel
    base = "ansible_collections.matrixone.backup"
    paths = {"ansible_collections": [], "ansible_collections.matrixone": [], base: [REPO],
             base + ".plugins": [os.path.join(REPO, "plugins")],
             base + ".plugins.module_utils": [os.path.join(REPO, "plugins", "module_utils")]}
    for name, path in paths.items():
        module = sys.modules.get(name)
        if module is None:
            module = sys.modules[name] = types.ModuleType(name)
            module.__path__ = []
        if path and path[0] not in module.__path__:
            module.__path__ = list(path) + list(module.__path__)
    return importlib.import_module(base + ".plugins.module_utils._sql")


sql = _load_sql()
_time = importlib.import_module("ansible_collections.matrixone.backup.plugins.module_utils._time")
_state = importlib.import_module("ansible_collections.matrixone.backup.plugins.module_utils._state")
NOW = _time.NOW


def at(snapshot):
    return _time.Point(snapshot=snapshot)


PASSWORD = "Rec0rd_pw"
# session -> None (the sys login given on the command line) or (account, user, password)
SESSIONS = {"sys": None, "tenant": ("it_rec_acc", "admin", PASSWORD), "tenant2": ("it_rec_acc2", "admin", PASSWORD),
            "tenant3": ("it_rec_acc3", "admin", PASSWORD), "tenant4": ("it_rec_acc4", "admin", PASSWORD),
            "tenant6": ("it_rec_acc6", "admin", PASSWORD), "scratch": ("it_rec_scr_20261205000000_aaaa", "admin", PASSWORD),
            "tenant7": ("it_rec_acc7", "admin", PASSWORD), "tenant8_own": ("it_rec_acc8", "admin", "Own-" + PASSWORD),
            "tenant8_source": ("it_rec_acc8", "admin", PASSWORD),
            "no_tenant": ("it_rec_none", "admin", PASSWORD), "no_user": ("it_rec_acc", "nobody", PASSWORD),
            "bad_password": ("it_rec_acc", "admin", "not-" + PASSWORD)}
# Statement texts may name values known only when they run, resolved by the runner through the sys session and
# recorded as written: @ts(s) is the nanosecond timestamp of snapshot s, @id(a) the id of account a.
_LATE = re.compile(r"@(ts|id)\((\w+)\)")
# builders need numbers where the flows write @ts(...) / @id(...): these stand for them, replaced in the text
LATE_TS, LATE_ID = 7777777777777777777, 777777

_TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?Z?")
_LONG = re.compile(r"(?<!\d)\d{16,}(?!\d)")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def normalize(value):
    """A value in the form recordings keep (see the module docstring)."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "<time>"
    if isinstance(value, int) and not isinstance(value, bool):
        return "<n>" if abs(value) >= 10 ** 15 else value
    text = str(value)
    text = _UUID.sub("<uuid>", _TIME.sub("<time>", text))
    return _LONG.sub("<n>", text)


def checksum_row(columns, row):
    """A row of row_checksums with its sums left out: the test server's hash_value is not MatrixOne's. Whether equal
    rows give equal checksums is recorded by the flows that compare two checksums in one statement."""
    if columns == ["db", "tbl", "n", "hi", "lo"]:
        row[3] = row[4] = "<sum>"
    return row


def account_ids(columns, row):
    """Account ids depend on how many accounts a server has ever made: recorded as <id>."""
    for index, name in enumerate(columns):
        if name in ("acct", "account_id"):
            row[index] = "<id>"
    return row


def column_row(columns, row):
    """A column row of `scope_objects` with its binary type left out and its default decoded: MatrixOne's type
    encoding is not modelled by the test server; names, order, nullability, keys, defaults and comments are."""
    if columns == ["side", "acct", "kind", "db", "tbl", "def"] and row[2] == "column":
        parts = row[5].split("|", 7)
        parts[2], parts[6] = "<type>", _state.default_text(parts[6])
        row[5] = "|".join(parts)
    return row


def flows(brace):
    """[(flow, session, statement text)]: the same list for the recorder and the replay."""
    def restore(level, snapshot, account=None, database=None, table=None, to_account=None):
        return sql.restore(brace, level, snapshot, account, database, table, to_account)

    def definitions(db, snapshot):
        return sql.scope_objects([("now", NOW, None), ("snap", at(snapshot), None)], [db])

    catalog_text = "SELECT relname, rel_createsql FROM mo_catalog.mo_tables WHERE reldatabase = '%s' ORDER BY relname"
    out = []

    def add(flow, session, *statements):
        for stmt in statements:
            out.append((flow, session, sql.render(stmt.sql, stmt.params) if isinstance(stmt, sql.Statement) else stmt))

    add("server", "sys", sql.select_version())
    # example 1: a table, changed rows (same count), restored
    add("table", "sys", "DROP DATABASE IF EXISTS it_rec_t", "CREATE DATABASE it_rec_t",
        "CREATE TABLE it_rec_t.orders (id INT PRIMARY KEY, status VARCHAR(20))",
        "INSERT INTO it_rec_t.orders VALUES (1, 'open'), (2, 'open'), (3, 'closed')",
        sql.drop_snapshot("it_rec_sp_t", if_exists=True),
        sql.create_snapshot("it_rec_sp_t", "table", database="it_rec_t", table="orders"),
        sql.show_snapshots(exact={"name": "it_rec_sp_t"}),
        "UPDATE it_rec_t.orders SET status = 'hacked' WHERE id = 2",
        "SELECT sum(status = 'open') AS n FROM it_rec_t.orders",
        "SELECT sum(CASE WHEN status = 'open' THEN 1 ELSE 0 END) AS n FROM it_rec_t.orders",
        definitions("it_rec_t", "it_rec_sp_t"),
        sql.row_counts([("now", NOW, [("it_rec_t", "orders")]), ("snap", at("it_rec_sp_t"), [("it_rec_t", "orders")])]),
        sql.content_differences(at("it_rec_sp_t"), [("it_rec_t", "orders")]),
        sql.content_sample(at("it_rec_sp_t"), "it_rec_t", "orders", "now", 5),
        sql.content_sample(at("it_rec_sp_t"), "it_rec_t", "orders", "snap", 5),
        restore("table", "it_rec_sp_t", "sys", "it_rec_t", "orders"),
        catalog_text % "it_rec_t", "SHOW CREATE TABLE it_rec_t.orders",
        "SELECT id, status FROM it_rec_t.orders ORDER BY id",
        sql.content_differences(at("it_rec_sp_t"), [("it_rec_t", "orders")]),
        definitions("it_rec_t", "it_rec_sp_t"),
        sql.drop_snapshot("it_rec_sp_t"), "DROP DATABASE it_rec_t")
    # example 2: a database, a table dropped and one added, restored
    add("database", "sys", "DROP DATABASE IF EXISTS it_rec_d", "CREATE DATABASE it_rec_d",
        "CREATE TABLE it_rec_d.a (id INT PRIMARY KEY, v VARCHAR(10))", "INSERT INTO it_rec_d.a VALUES (1, 'x'), (2, 'y')",
        "CREATE TABLE it_rec_d.b (n INT)", "INSERT INTO it_rec_d.b VALUES (7)",
        sql.drop_snapshot("it_rec_sp_d", if_exists=True), sql.create_snapshot("it_rec_sp_d", "database", database="it_rec_d"),
        "DROP TABLE it_rec_d.b", "CREATE TABLE it_rec_d.c (n INT)", "ALTER TABLE it_rec_d.a ADD COLUMN w INT",
        definitions("it_rec_d", "it_rec_sp_d"),
        definitions("it_rec_d", "it_rec_sp_d"),
        restore("database", "it_rec_sp_d", "sys", "it_rec_d"),
        "SHOW TABLES FROM it_rec_d", catalog_text % "it_rec_d", "SELECT * FROM it_rec_d.a ORDER BY id",
        definitions("it_rec_d", "it_rec_sp_d"),
        sql.drop_snapshot("it_rec_sp_d"), "DROP DATABASE it_rec_d")
    # example 3: a tenant account, restored in place and into a new account; look-ups of a missing account
    add("account", "sys", "DROP ACCOUNT IF EXISTS it_rec_acc", "DROP ACCOUNT IF EXISTS it_rec_acc2",
        sql.create_account("it_rec_acc", "admin", PASSWORD))
    add("account", "tenant", "CREATE DATABASE shop", "CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(20))",
        "INSERT INTO shop.items VALUES (1, 'pen'), (2, 'ink')")
    add("account", "sys", sql.drop_snapshot("it_rec_sp_a", if_exists=True),
        sql.create_snapshot("it_rec_sp_a", "account", "it_rec_acc"),
        sql.account_exists("it_rec_acc"), sql.account_exists("it_rec_none"), "SHOW ACCOUNTS LIKE 'it_rec_none'",
        restore("account", "it_rec_sp_a", "it_rec_acc", to_account="it_rec_none"), sql.account_exists("it_rec_none"),
        sql.drop_snapshot("it_rec_sp_sys", if_exists=True), sql.create_snapshot("it_rec_sp_sys", "account", "sys"),
        restore("account", "it_rec_sp_sys", "sys", to_account="it_rec_none"), sql.account_exists("it_rec_none"),
        sql.drop_snapshot("it_rec_sp_sys"))
    add("account", "no_tenant", "SELECT 1")  # logins MatrixOne refuses, and how
    add("account", "no_user", "SELECT 1")
    add("account", "bad_password", "SELECT 1")
    add("account", "tenant", "DELETE FROM shop.items WHERE id = 1", "CREATE TABLE shop.later (n INT)")
    add("account", "sys", restore("account", "it_rec_sp_a", "it_rec_acc"))
    add("account", "tenant", "SHOW TABLES FROM shop", "SELECT * FROM shop.items ORDER BY id", catalog_text % "shop")
    add("account", "sys", sql.create_account("it_rec_acc2", "admin", PASSWORD),
        restore("account", "it_rec_sp_a", "it_rec_acc", to_account="it_rec_acc2"))
    add("account", "tenant2", "SHOW DATABASES LIKE 'shop'", "SELECT * FROM shop.items ORDER BY id")
    add("account", "sys", sql.drop_snapshot("it_rec_sp_a"), "DROP ACCOUNT it_rec_acc", "DROP ACCOUNT it_rec_acc2")
    # mo_snapshot_diff: keys (single, composite, none), rows counted by key in one pass, and samples; one table at two past points
    at1, at2 = at("it_rec_sp_x1"), at("it_rec_sp_x2")
    add("diff", "sys", "DROP DATABASE IF EXISTS it_rec_x", "CREATE DATABASE it_rec_x",
        "CREATE TABLE it_rec_x.o (id INT PRIMARY KEY, s VARCHAR(10))",
        "CREATE TABLE it_rec_x.l (a INT, b INT, q INT, PRIMARY KEY (b, a))", "CREATE TABLE it_rec_x.e (w VARCHAR(10))",
        "INSERT INTO it_rec_x.o VALUES (1, 'open'), (2, 'open'), (3, 'paid')",
        "INSERT INTO it_rec_x.l VALUES (1, 1, 5), (1, 2, 6)", "INSERT INTO it_rec_x.e VALUES ('a'), ('b')",
        sql.drop_snapshot("it_rec_sp_x1", if_exists=True), sql.create_snapshot("it_rec_sp_x1", "account", "sys"),
        "UPDATE it_rec_x.o SET s = 'hacked' WHERE id = 2", "DELETE FROM it_rec_x.o WHERE id = 3",
        "INSERT INTO it_rec_x.o VALUES (9, 'new')", "UPDATE it_rec_x.l SET q = 60 WHERE a = 1 AND b = 2",
        "UPDATE it_rec_x.e SET w = 'c' WHERE w = 'b'",
        sql.drop_snapshot("it_rec_sp_x2", if_exists=True), sql.create_snapshot("it_rec_sp_x2", "account", "sys"),
        sql.content_differences(at1, [("it_rec_x", "e"), ("it_rec_x", "l"), ("it_rec_x", "o")]),
        sql.content_differences(at1, [("it_rec_x", "e"), ("it_rec_x", "l"), ("it_rec_x", "o")], NOW, None,
                                {("it_rec_x", "e"): ["w"], ("it_rec_x", "l"): ["a", "b", "q"],
                                 ("it_rec_x", "o"): ["id", "s"]},
                                {("it_rec_x", "l"): ["b", "a"], ("it_rec_x", "o"): ["id"]}),
        *[sql.sample_keys("it_rec_x", "o", ["id", "s"], ["id"], kind, at1, NOW, 5) for kind in sql.KEY_SAMPLE_KINDS],
        *[sql.sample_keys("it_rec_x", "l", ["a", "b", "q"], ["b", "a"], kind, at1, NOW, 5)
          for kind in sql.KEY_SAMPLE_KINDS],
        sql.rows_by_key("it_rec_x", "o", ["id"], NOW, [(2,), (9,)]),
        sql.rows_by_key("it_rec_x", "o", ["id"], at1, [(2,), (3,)]),
        sql.rows_by_key("it_rec_x", "l", ["b", "a"], at1, [(2, 1), (1, 1)]),
        "SELECT 7 % 3 AS m, 'a%b' AS p",  # a percent sign, as the collection sends it: once
        sql.content_sample(at1, "it_rec_x", "e", "now", 5),
        "SELECT (SELECT count(*) FROM it_rec_x.o%s) a, (SELECT count(*) FROM it_rec_x.o%s) b"
        % (sql.at(at1), sql.at(at2)),
        "SELECT * FROM it_rec_x.o%s EXCEPT SELECT * FROM it_rec_x.o%s" % (sql.at(at2), sql.at(at1)),
        sql.drop_snapshot("it_rec_sp_x1"), sql.drop_snapshot("it_rec_sp_x2"), "DROP DATABASE it_rec_x")
    # restore beside live data: CLONE of a database and a table at a snapshot, the copy compared with the snapshot
    at_c = at("it_rec_sp_c")
    add("clone", "sys", "DROP DATABASE IF EXISTS it_rec_c", "DROP DATABASE IF EXISTS it_rec_c2", "CREATE DATABASE it_rec_c",
        "CREATE TABLE it_rec_c.o (id INT PRIMARY KEY, s VARCHAR(10))", "INSERT INTO it_rec_c.o VALUES (1, 'a'), (2, 'b')",
        sql.drop_snapshot("it_rec_sp_c", if_exists=True), sql.create_snapshot("it_rec_sp_c", "account", "sys"),
        "UPDATE it_rec_c.o SET s = 'x' WHERE id = 1",
        sql.clone("database", at_c, "it_rec_c", None, "it_rec_c2"),
        sql.clone("table", at_c, "it_rec_c", "o", "it_rec_c", "o_then"),
        sql.clone("database", at_c, "it_rec_c", None, "it_rec_c2"),
        sql.clone("table", at_c, "it_rec_c", "o", "it_rec_c", "o_then"),
        sql.count_databases("it_rec_c2"),
        "SELECT * FROM it_rec_c2.o ORDER BY id", "SELECT * FROM it_rec_c.o_then ORDER BY id",
        "SELECT * FROM it_rec_c.o ORDER BY id", catalog_text % "it_rec_c2",
        sql.content_differences(at_c, [("it_rec_c", "o")], now_names={("it_rec_c", "o"): ("it_rec_c2", "o")}),
        sql.content_differences(at_c, [("it_rec_c", "o")], now_names={("it_rec_c", "o"): ("it_rec_c", "o_then")}),
        sql.drop_snapshot("it_rec_sp_c"), "DROP DATABASE it_rec_c", "DROP DATABASE it_rec_c2")
    # sys copied into another account: one CLONE per database (MatrixOne ignores TO ACCOUNT for sys); MatrixOne's own
    # answers where CLONE cannot; checksums of the same rows read through two logins, and in one statement
    at_k = at("it_rec_sp_k")
    k_tables = [("it_rec_k", "t", ["id", "v", "n"]), ("it_rec_k", "e", ["a", "b"])]

    def same_checksum(first, second, columns):
        row = "hash_value(%s)" % ", ".join(columns)
        return "SELECT (SELECT sum(%s >> 32) FROM %s) = (SELECT sum(%s >> 32) FROM %s) AS hi_same, " \
               "(SELECT sum(%s & 4294967295) FROM %s) = (SELECT sum(%s & 4294967295) FROM %s) AS lo_same" % (
                   row, first, row, second, row, first, row, second)
    add("copy", "sys", "DROP ACCOUNT IF EXISTS it_rec_acc3", "DROP DATABASE IF EXISTS it_rec_k",
        "DROP DATABASE IF EXISTS it_rec_k_empty", "DROP DATABASE IF EXISTS it_rec_k_copy", "CREATE DATABASE it_rec_k",
        "CREATE TABLE it_rec_k.t (id INT PRIMARY KEY, v VARCHAR(10), n INT)",
        "INSERT INTO it_rec_k.t VALUES (1, 'a', NULL), (2, NULL, 5), (3, 'c', 7)",
        "CREATE TABLE it_rec_k.e (a INT, b VARCHAR(5))", "INSERT INTO it_rec_k.e VALUES (1, 'x'), (1, 'x'), (2, NULL)",
        "CREATE DATABASE it_rec_k_empty",
        sql.drop_snapshot("it_rec_sp_k", if_exists=True), sql.create_snapshot("it_rec_sp_k", "account", "sys"),
        "UPDATE it_rec_k.t SET v = 'z' WHERE id = 3",
        sql.create_account("it_rec_acc3", "admin", PASSWORD),
        sql.clone("database", at_k, "it_rec_k", None, "it_rec_k", to_account="it_rec_acc3"),
        sql.clone("database", at_k, "it_rec_k_empty", None, "it_rec_k_empty", to_account="it_rec_acc3"),
        sql.clone("database", at_k, "it_rec_k", None, "it_rec_k", to_account="it_rec_acc3"),
        sql.clone("database", NOW, "it_rec_k", None, "it_rec_k2", to_account="it_rec_acc3"),
        sql.clone("table", NOW, "it_rec_k", "t", "it_rec_k", "t2", to_account="it_rec_acc3"),
        sql.clone("database", at_k, "it_rec_k", None, "it_rec_k", to_account="it_rec_nowhere"),
        sql.clone("database", at_k, "it_rec_nodb", None, "it_rec_k3"), "SHOW TABLES FROM it_rec_k3",
        "DROP DATABASE IF EXISTS it_rec_k3", sql.clone("table", at_k, "it_rec_k", "nope", "it_rec_k", "t3"),
        sql.clone("database", at_k, "it_rec_k", None, "it_rec_k_copy"),
        sql.row_checksums(at_k, k_tables),
        same_checksum("it_rec_k.t" + sql.at(at_k), "it_rec_k_copy.t", ["id", "v", "n"]),
        same_checksum("it_rec_k.t" + sql.at(at_k), "it_rec_k.t", ["id", "v", "n"]),
        same_checksum("it_rec_k.e" + sql.at(at_k), "it_rec_k_copy.e", ["a", "b"]),
        "SELECT hash_value(1, NULL) = hash_value(1, NULL) AS same, hash_value(1, NULL) = hash_value(1, 0) AS null_zero, "
        "hash_value(NULL) IS NULL AS null_hash, hash_value(2) = hash_value(3) AS clash")
    add("copy", "tenant3", "SHOW DATABASES", sql.row_checksums(NOW, k_tables), "SELECT * FROM it_rec_k.t ORDER BY id",
        "SHOW TABLES FROM it_rec_k_empty")
    add("copy", "sys", sql.drop_snapshot("it_rec_sp_k"), "DROP ACCOUNT it_rec_acc3", "DROP DATABASE it_rec_k",
        "DROP DATABASE it_rec_k_empty", "DROP DATABASE it_rec_k_copy")
    # a cluster restore as sys sees it: every account's catalog (by id) now and at the cluster snapshot, the accounts
    # then and now; a tenant reads its own rows at the snapshot's time, not by the snapshot's name
    at_cl, at_ts = at("it_rec_sp_cl"), _time.Point(ts_ns=LATE_TS)

    def late(stmt, name):
        return sql.render(stmt.sql, stmt.params).replace(str(LATE_TS), "@ts(it_rec_sp_cl)").replace(
            str(LATE_ID), "@id(%s)" % name)
    add("cluster", "sys", "DROP ACCOUNT IF EXISTS it_rec_acc4", "DROP ACCOUNT IF EXISTS it_rec_acc5",
        sql.create_account("it_rec_acc4", "admin", PASSWORD), sql.create_account("it_rec_acc5", "admin", PASSWORD))
    add("cluster", "tenant4", "CREATE DATABASE it_rec_db1", "CREATE TABLE it_rec_db1.t (a INT PRIMARY KEY, b VARCHAR(5))",
        "INSERT INTO it_rec_db1.t VALUES (1, 'x'), (2, 'y')")
    add("cluster", "sys", sql.drop_snapshot("it_rec_sp_cl", if_exists=True), sql.create_snapshot("it_rec_sp_cl", "cluster"),
        "SELECT account_name FROM mo_catalog.mo_account WHERE account_id = @id(it_rec_acc5)", "DROP ACCOUNT it_rec_acc5")
    add("cluster", "tenant4", "UPDATE it_rec_db1.t SET b = 'z' WHERE a = 2", "CREATE TABLE it_rec_db1.later (n INT)",
        late(sql.content_differences(at_ts, [("it_rec_db1", "t")]), "it_rec_acc4"),
        late(sql.scope_objects([("now", NOW, None), ("snap", at_ts, None)], ["it_rec_db1"]), "it_rec_acc4"),
        "SELECT * FROM it_rec_db1.t {SNAPSHOT = 'it_rec_sp_cl'}")
    add("cluster", "sys", sql.accounts_at(at_cl),
        late(sql.scope_objects([("now", NOW, [LATE_ID]), ("snap", at_cl, [LATE_ID])], ["it_rec_db1"]), "it_rec_acc4"),
        late(sql.scope_objects([("snap", at_cl, [LATE_ID])], None), "it_rec_acc5"),
        "SELECT count(*) FROM it_rec_db1.t", "SELECT count(*) FROM it_rec_db1.t" + sql.at(at_cl),
        sql.drop_snapshot("it_rec_sp_cl"), "DROP ACCOUNT it_rec_acc4")
    # restores of what the snapshot does not hold (MatrixOne refuses them, each its own way)
    add("missing", "sys", "DROP DATABASE IF EXISTS it_rec_m", "CREATE DATABASE it_rec_m", "CREATE TABLE it_rec_m.t (a INT)",
        "CREATE VIEW it_rec_m.v1 AS SELECT a FROM it_rec_m.t",
        sql.drop_snapshot("it_rec_sp_m", if_exists=True), sql.create_snapshot("it_rec_sp_m", "account", "sys"),
        "CREATE TABLE it_rec_m.t_new (a INT)", "CREATE DATABASE it_rec_m_later", "DROP VIEW it_rec_m.v1",
        "CREATE VIEW it_rec_m.v2 AS SELECT a * 2 AS b FROM it_rec_m.t",
        definitions("it_rec_m", "it_rec_sp_m"),
        restore("table", "it_rec_sp_m", "sys", "it_rec_m", "t_new"), restore("table", "it_rec_sp_m", "sys", "it_rec_m", "nope"),
        restore("database", "it_rec_sp_m", "sys", "it_rec_nodb"), restore("database", "it_rec_sp_m", "sys", "it_rec_m_later"),
        restore("table", "it_rec_sp_m", "sys", "it_rec_nodb", "nope"), "SHOW TABLES FROM it_rec_m",
        restore("table", "it_rec_sp_m", "sys", "it_rec_m", "t"), "SHOW FULL TABLES FROM it_rec_m",
        restore("database", "it_rec_sp_m", "sys", "it_rec_m"), "SHOW FULL TABLES FROM it_rec_m",
        "SELECT * FROM it_rec_m.v1", definitions("it_rec_m", "it_rec_sp_m"),
        sql.drop_snapshot("it_rec_sp_m"), "DROP DATABASE it_rec_m", "DROP DATABASE it_rec_m_later")
    # reads at a snapshot in the shapes users write them, and the reads MatrixOne refuses
    r = sql.at(at("it_rec_sp_r"))
    add("reads", "sys", "DROP DATABASE IF EXISTS it_rec_r", "CREATE DATABASE it_rec_r",
        "CREATE TABLE it_rec_r.o (id INT PRIMARY KEY, c INT, amount DECIMAL(10,2), s VARCHAR(10))",
        "CREATE TABLE it_rec_r.c (id INT PRIMARY KEY, name VARCHAR(10))",
        "INSERT INTO it_rec_r.o VALUES (1, 1, 10.50, 'open'), (2, 1, 20.00, 'paid'), (3, 2, 5.25, 'open'), (4, 3, NULL, NULL)",
        "INSERT INTO it_rec_r.c VALUES (1, 'ann'), (2, 'bob')",
        "CREATE VIEW it_rec_r.v AS SELECT id, s FROM it_rec_r.o WHERE s = 'open'",
        sql.drop_snapshot("it_rec_sp_r", if_exists=True), sql.create_snapshot("it_rec_sp_r", "account", "sys"),
        "UPDATE it_rec_r.o SET s = 'paid' WHERE id = 3", "DELETE FROM it_rec_r.o WHERE id = 1",
        "INSERT INTO it_rec_r.o VALUES (5, 2, 1.00, 'open')", "INSERT INTO it_rec_r.c VALUES (3, 'cy')",
        "CREATE TABLE it_rec_r.later (a INT)",
        "SELECT id, s FROM it_rec_r.o%s ORDER BY id" % r,
        "SELECT count(*), sum(amount), min(s), max(id), avg(c) FROM it_rec_r.o%s" % r,
        "SELECT s, count(*) AS n FROM it_rec_r.o%s GROUP BY s ORDER BY s" % r,
        "SELECT c, sum(amount) AS total FROM it_rec_r.o%s WHERE s IS NOT NULL GROUP BY c HAVING sum(amount) > 6 ORDER BY c" % r,
        "SELECT o.id, c.name FROM it_rec_r.o%s o JOIN it_rec_r.c%s c ON o.c = c.id ORDER BY o.id" % (r, r),
        "SELECT o.id, c.name FROM it_rec_r.o%s o LEFT JOIN it_rec_r.c c ON o.c = c.id ORDER BY o.id" % r,
        "SELECT id FROM it_rec_r.o WHERE id IN (SELECT id FROM it_rec_r.o%s) ORDER BY id" % r,
        "SELECT id FROM it_rec_r.o%s WHERE id NOT IN (SELECT id FROM it_rec_r.o) ORDER BY id" % r,
        "SELECT count(*) FROM (SELECT * FROM it_rec_r.o%s WHERE s = 'open') d" % r,
        "SELECT (SELECT count(*) FROM it_rec_r.o%s) AS then_n, (SELECT count(*) FROM it_rec_r.o) AS now_n" % r,
        "SELECT id, s FROM it_rec_r.o%s UNION ALL SELECT id, s FROM it_rec_r.o ORDER BY id, s" % r,
        "SELECT id, s FROM it_rec_r.o%s UNION SELECT id, s FROM it_rec_r.o ORDER BY id, s" % r,
        "SELECT id FROM it_rec_r.o%s WHERE s = 'open' ORDER BY id DESC LIMIT 1" % r,
        "SELECT DISTINCT c FROM it_rec_r.o%s ORDER BY c" % r,
        "SELECT id, CASE WHEN amount > 10 THEN 'big' ELSE 'small' END AS size FROM it_rec_r.o%s ORDER BY id" % r,
        "SELECT * FROM it_rec_r.v%s ORDER BY id" % r, "SELECT * FROM it_rec_r.v ORDER BY id",
        "SELECT relname FROM mo_catalog.mo_tables%s WHERE reldatabase = 'it_rec_r' ORDER BY relname" % r,
        "SELECT datname FROM mo_catalog.mo_database%s WHERE datname = 'it_rec_r'" % r,
        "SELECT count(*) FROM mo_catalog.mo_columns%s WHERE att_database = 'it_rec_r' AND att_relname = 'o' "
        "AND att_is_hidden = 0" % r,
        "SHOW TABLES FROM it_rec_r%s" % r, "SHOW CREATE TABLE it_rec_r.c%s" % r,
        "INSERT INTO it_rec_r.later SELECT id FROM it_rec_r.o%s WHERE id < 3" % r, "SELECT a FROM it_rec_r.later ORDER BY a",
        "SELECT * FROM it_rec_r.later%s" % r,
        "SELECT * FROM it_rec_r.o {SNAPSHOT = 'it_rec_no_such_sp'}",
        "SELECT * FROM it_rec_r.o {MO_TS = 0}",
        "DELETE FROM it_rec_r.o%s WHERE id = 2" % r,
        "SELECT * FROM it_rec_r.nope%s" % r,
        sql.drop_snapshot("it_rec_sp_r"), "DROP DATABASE it_rec_r")
    # mo_rehearse: a scratch account cloned at a temporary snapshot (sys's and a tenant's databases), the change run
    # there through the scratch admin, compared with its own snapshot; what a tenant may not do; the clean-up
    scratch, temp, tenant_temp = "it_rec_scr_20261205000000_aaaa", "it_rec_scr_20261205000000_aaaa", "it_rec_scr_t"

    def late_id(stmt, name):
        return sql.render(stmt.sql, stmt.params).replace(str(LATE_ID), "@id(%s)" % name)
    add("rehearsal", "sys", sql.drop_account(scratch), sql.drop_account("it_rec_acc6"), sql.drop_snapshot(temp, True),
        sql.drop_snapshot(tenant_temp, True), "DROP DATABASE IF EXISTS it_rec_h", "CREATE DATABASE it_rec_h",
        "CREATE TABLE it_rec_h.o (id INT PRIMARY KEY, s VARCHAR(10))", "INSERT INTO it_rec_h.o VALUES (1, 'open'), (2, 'paid')",
        sql.accounts_with_prefix("it_rec_scr_"), sql.show_snapshots(prefix="it_rec_scr_"),
        sql.create_snapshot(temp, "account", account="sys"), sql.account_exists("sys"), sql.databases_at(at(temp), 0),
        sql.create_account(scratch, "admin", PASSWORD),
        sql.clone("database", at(temp), "it_rec_h", None, "it_rec_h", to_account=scratch),
        sql.clone("database", NOW, "it_rec_h", None, "it_rec_h2", to_account=scratch),
        sql.accounts_with_prefix("it_rec_scr_"), sql.show_snapshots(prefix="it_rec_scr_"),
        sql.create_account("it_rec_acc6", "admin", PASSWORD))
    add("rehearsal", "tenant6", "CREATE DATABASE tshop", "CREATE TABLE tshop.t (id INT PRIMARY KEY)",
        "INSERT INTO tshop.t VALUES (1)", sql.create_account("it_rec_scr_x", "admin", PASSWORD),
        sql.clone("database", NOW, "tshop", None, "tshop2", to_account=scratch))
    add("rehearsal", "sys", sql.create_snapshot(tenant_temp, "account", account="it_rec_acc6"),
        sql.account_exists("it_rec_acc6"), late_id(sql.databases_at(at(tenant_temp), LATE_ID), "it_rec_acc6"),
        sql.clone("database", at(tenant_temp), "tshop", None, "tshop", to_account=scratch))
    add("rehearsal", "scratch", sql.create_snapshot("rehearsal_start", "account", account=scratch),
        "SHOW DATABASES", sql.use_database("it_rec_h"), "UPDATE o SET s = 'closed' WHERE s = 'open'",
        "INSERT INTO missing VALUES (1)", "ALTER TABLE o ADD COLUMN n INT", "SELECT * FROM o ORDER BY id",
        "INSERT INTO tshop.t VALUES (2)",
        sql.content_differences(at("rehearsal_start"), [("it_rec_h", "o"), ("tshop", "t")]),
        sql.show_snapshots())
    add("rehearsal", "sys", "SELECT * FROM it_rec_h.o ORDER BY id", sql.drop_account(scratch),
        sql.accounts_with_prefix("it_rec_scr_"), sql.drop_snapshot(temp, True), sql.drop_snapshot(tenant_temp, True),
        sql.show_snapshots(prefix="it_rec_scr_"), sql.drop_account("it_rec_acc6"), "DROP DATABASE it_rec_h")
    # a tenant restored into another account brings its users: the new account's admin logs in with the source
    # admin's password until sys sets it again (ALTER ACCOUNT ... ADMIN_NAME, which needs a user of that name)
    sp_tc = "it_rec_sp_tc"
    add("tenant_copy", "sys", sql.drop_account("it_rec_acc7"), sql.drop_account("it_rec_acc8"),
        sql.drop_snapshot(sp_tc, if_exists=True), sql.create_account("it_rec_acc7", "admin", PASSWORD))
    add("tenant_copy", "tenant7", "CREATE DATABASE tc", "CREATE TABLE tc.t (id INT PRIMARY KEY)",
        "INSERT INTO tc.t VALUES (1), (2)")
    add("tenant_copy", "sys", sql.create_snapshot(sp_tc, "account", account="it_rec_acc7"), sql.users_at(at(sp_tc)),
        sql.create_account("it_rec_acc8", "admin", "Own-" + PASSWORD),
        restore("account", sp_tc, "it_rec_acc7", to_account="it_rec_acc8"))
    add("tenant_copy", "tenant8_own", "SELECT count(*) FROM tc.t")
    add("tenant_copy", "tenant8_source", "SELECT count(*) FROM tc.t")
    add("tenant_copy", "sys", sql.reset_account_admin("it_rec_acc8", "nobody", "Own-" + PASSWORD),
        sql.reset_account_admin("it_rec_acc8", "admin", "Own-" + PASSWORD))
    add("tenant_copy", "tenant8_own", "SELECT count(*) FROM tc.t")
    add("tenant_copy", "sys", sql.drop_snapshot(sp_tc), sql.drop_account("it_rec_acc7"), sql.drop_account("it_rec_acc8"))
    # snapshot statements inside an explicit transaction
    add("transaction", "sys", "BEGIN", sql.show_snapshots(exact={"name": "it_rec_none"}), "ROLLBACK")
    return out


class Runner:
    """Runs flow statements on one connection per session; answers in recording form."""

    def __init__(self, host, port, user, password):
        self.addr, self.root = dict(host=host, port=port), (user, password)
        self.conns = {}
        self.late = {}  # @ts(...) / @id(...) -> the value it had when first named

    def conn(self, session):
        if session not in self.conns:
            who = SESSIONS[session]
            user, password = self.root if who is None else ("%s#%s" % who[:2], who[2])
            self.conns[session] = pymysql.connect(user=user, password=password, autocommit=True, **self.addr)
        return self.conns[session]

    def resolve(self, text):
        """The text with @ts(snapshot) and @id(account) replaced by their values when first named (see _LATE)."""
        def value(m):
            if m.group(0) in self.late:
                return self.late[m.group(0)]
            with self.conn("sys").cursor() as cur:
                if m.group(1) == "ts":
                    cur.execute("SELECT ts FROM mo_catalog.mo_snapshots WHERE sname = %s", (m.group(2),))
                else:
                    cur.execute("SELECT account_id FROM mo_catalog.mo_account WHERE account_name = %s", (m.group(2),))
                row = cur.fetchone()
            self.late[m.group(0)] = str(row[0]) if row else "0"
            return self.late[m.group(0)]
        return _LATE.sub(value, text)

    def answer(self, session, text):
        try:
            with self.conn(session).cursor() as cur:
                cur.execute(self.resolve(text))
                if cur.description is None:
                    return {"ok": True}
                columns = [d[0] for d in cur.description]
                return {"columns": columns, "rows": [[normalize(v) for v in account_ids(columns, checksum_row(
                    columns, column_row(columns, list(row))))] for row in cur.fetchall()]}
        except pymysql.err.MySQLError as exc:
            code, message = (exc.args + ("",))[:2] if exc.args else (0, str(exc))
            if session in self.conns and code in (0, 2006, 2013):
                self.conns.pop(session)
            return {"error": [code, normalize(message)]}

    def close(self):
        for conn in self.conns.values():
            conn.close()
        self.conns = {}


def run_flows(host, port, user, password, brace):
    runner = Runner(host, port, user, password)
    try:
        return [{"flow": flow, "session": session, "sql": text, "answer": runner.answer(session, text)}
                for flow, session, text in flows(brace)]
    finally:
        runner.close()


def server_version(host, port, user, password):
    conn = pymysql.connect(host=host, port=port, user=user, password=password)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT version()")
            return cur.fetchone()[0]
    finally:
        conn.close()


def version_of(version_string):
    return re.search(r"MatrixOne-v([\d.]+)", version_string).group(1)


def brace_grammar(version):
    return int(version.split(".")[0]) >= 4


def main(argv=None):
    ap = argparse.ArgumentParser(description="Record a real MatrixOne's answers to the collection's flows.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=6001)
    ap.add_argument("--user", default="root")
    ap.add_argument("--password", default="111")
    ap.add_argument("--out", help="default: tests/fixtures/recorded/v<version>.json")
    args = ap.parse_args(argv)
    version_string = server_version(args.host, args.port, args.user, args.password)
    version = version_of(version_string)
    steps = run_flows(args.host, args.port, args.user, args.password, brace_grammar(version))
    out = args.out or os.path.join(RECORDINGS, "v%s.json" % version)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"server": version_string, "version": version, "recorded": datetime.date.today().isoformat(),
                   "steps": steps}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("%d statements recorded from %s into %s" % (len(steps), version_string, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
