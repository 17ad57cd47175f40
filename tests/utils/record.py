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
            "no_tenant": ("it_rec_none", "admin", PASSWORD), "no_user": ("it_rec_acc", "nobody", PASSWORD),
            "bad_password": ("it_rec_acc", "admin", "not-" + PASSWORD)}

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


def column_row(columns, row):
    """A column row of `scope_objects` with its binary type left out and its default decoded: MatrixOne's type
    encoding is not modelled by the test server; names, order, nullability, keys, defaults and comments are."""
    if columns == ["side", "kind", "db", "tbl", "def"] and row[1] == "column":
        parts = row[4].split("|", 7)
        parts[2], parts[6] = "<type>", _state.default_text(parts[6])
        row[4] = "|".join(parts)
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
    # mo_snapshot_diff: keys (single, composite, none), key differences and samples; one table at two past points
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
        sql.primary_keys({"before": at1, "after": NOW}, ["it_rec_x"]),
        sql.content_differences(at1, [("it_rec_x", "e"), ("it_rec_x", "l"), ("it_rec_x", "o")]),
        sql.key_differences([(("it_rec_x", "l"), ["b", "a"]), (("it_rec_x", "o"), ["id"])], at1, NOW),
        *[sql.key_sample("it_rec_x", "o", ["id"], kind, at1, NOW, 5) for kind in sql.KEY_SAMPLE_KINDS],
        *[sql.key_sample("it_rec_x", "l", ["b", "a"], kind, at1, NOW, 5) for kind in sql.KEY_SAMPLE_KINDS],
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
    # snapshot statements inside an explicit transaction
    add("transaction", "sys", "BEGIN", sql.show_snapshots(exact={"name": "it_rec_none"}), "ROLLBACK")
    return out


class Runner:
    """Runs flow statements on one connection per session; answers in recording form."""

    def __init__(self, host, port, user, password):
        self.addr, self.root = dict(host=host, port=port), (user, password)
        self.conns = {}

    def conn(self, session):
        if session not in self.conns:
            who = SESSIONS[session]
            user, password = self.root if who is None else ("%s#%s" % who[:2], who[2])
            self.conns[session] = pymysql.connect(user=user, password=password, autocommit=True, **self.addr)
        return self.conns[session]

    def answer(self, session, text):
        try:
            with self.conn(session).cursor() as cur:
                cur.execute(text)
                if cur.description is None:
                    return {"ok": True}
                columns = [d[0] for d in cur.description]
                return {"columns": columns, "rows": [[normalize(v) for v in column_row(columns, list(row))]
                                                     for row in cur.fetchall()]}
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
