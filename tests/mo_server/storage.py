"""State of the test server: the cluster catalog, one SQLite database per account, snapshot copies.

Layout inside an account database:
  __mo_databases(name, created_ns)          the account's databases
  __mo_tables(db, name, columns, ddl, ...)  MySQL definition of each table (JSON columns + DDL text);
                                            catalog_sql: what mo_tables.rel_createsql says when it is not
                                            the DDL (a restore rewrites it to a CLONE statement)
  __mo_users(name, auth, role, status)      users and their role; reverted by an in-place restore
  "db.t"                                    the rows of MySQL table db.t

A snapshot is a timestamp in MatrixOne; here it is additionally a page copy (SQLite backup API)
of every account it covers, taken at creation. Snapshot rows live in the cluster catalog, so
restores never remove them, as on MatrixOne.
"""

import datetime
import hashlib
import itertools
import json
import os
import sqlite3
import time
import uuid

from .backup import BackupWriter
from .common import now_ns, zone

SYSTEM_DATABASES_SYS = (
    "information_schema", "mo_catalog", "mo_debug", "mo_task", "mysql", "system", "system_metrics",
)
SYSTEM_DATABASES_TENANT = ("information_schema", "mo_catalog", "mysql", "system", "system_metrics")
SYSTEM_DATABASES = frozenset(SYSTEM_DATABASES_SYS)

ACCOUNT_SCHEMA = """
CREATE TABLE IF NOT EXISTS __mo_databases(name TEXT PRIMARY KEY, created_ns INTEGER);
CREATE TABLE IF NOT EXISTS __mo_tables(db TEXT, name TEXT, columns TEXT, ddl TEXT, created_ns INTEGER,
                                       catalog_sql TEXT, PRIMARY KEY(db, name));
CREATE TABLE IF NOT EXISTS __mo_users(name TEXT PRIMARY KEY, auth TEXT, role TEXT, status TEXT DEFAULT 'unlock');
CREATE TABLE IF NOT EXISTS __mo_views(db TEXT, name TEXT, query TEXT, ddl TEXT, created_ns INTEGER, columns TEXT,
                                      PRIMARY KEY(db, name));
"""

CATALOG_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts(id INTEGER PRIMARY KEY, name TEXT UNIQUE, admin_name TEXT,
                                    status TEXT DEFAULT 'open', created_ns INTEGER, comment TEXT DEFAULT '');
CREATE TABLE IF NOT EXISTS snapshots(creator INTEGER, sname TEXT, snapshot_id TEXT, ts INTEGER, level TEXT,
                                     account_name TEXT, database_name TEXT, table_name TEXT, obj_id INTEGER,
                                     kind TEXT DEFAULT 'user', PRIMARY KEY(creator, sname));
CREATE INDEX IF NOT EXISTS snapshots_ts ON snapshots(creator, ts);
CREATE TABLE IF NOT EXISTS snapshot_copies(snapshot_id TEXT, account_id INTEGER, account_name TEXT,
                                           admin_name TEXT, store TEXT, PRIMARY KEY(snapshot_id, account_id));
CREATE TABLE IF NOT EXISTS feature_limits(account_id INTEGER, scope TEXT, quota INTEGER,
                                          PRIMARY KEY(account_id, scope));
CREATE TABLE IF NOT EXISTS pitrs(creator INTEGER, name TEXT, pitr_id TEXT, created_ns INTEGER, modified_ns INTEGER,
                                 level TEXT, account_name TEXT, database_name TEXT, table_name TEXT,
                                 length INTEGER, unit TEXT, PRIMARY KEY(creator, name));
CREATE TABLE IF NOT EXISTS settings(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS history(account_id INTEGER, ts INTEGER, store TEXT);
CREATE INDEX IF NOT EXISTS history_ts ON history(account_id, ts);
"""

SYS_ACCOUNT_ID = 0
CLUSTER_OBJ_ID = 18446744073709551615


def _clock(timezone):
    """NOW() as MatrixOne answers it under time_zone SYSTEM: the server's local time, with microseconds."""
    local = zone(timezone)

    def now_text(*_precision):
        return datetime.datetime.now(local).strftime("%Y-%m-%d %H:%M:%S.%f")
    return now_text


def hash_value(*values):
    """MatrixOne's hash_value(a, b, ...): a 64-bit signed hash of its arguments, NULLs included. Not MatrixOne's hash
    function, but as stable: the same values give the same hash in every account and at every point."""
    digest = hashlib.blake2b(repr(values).encode("utf-8", "replace"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


class Store:
    """Where SQLite databases live: shared-cache memory (default) or files under --data-dir."""

    _seq = itertools.count(1)

    def __init__(self, data_dir=None, timezone="UTC"):
        self.data_dir = data_dir
        self.now_text = _clock(timezone)
        self.tag = "%d_%d" % (os.getpid(), next(self._seq))
        self._holders = {}
        if data_dir:
            os.makedirs(os.path.join(data_dir, "snapshots"), exist_ok=True)

    def uri(self, name):
        if self.data_dir:
            return "file:%s" % os.path.join(self.data_dir, name + ".db")
        return "file:mo_%s_%s?mode=memory&cache=shared" % (self.tag, name)

    def connect(self, name):
        conn = sqlite3.connect(self.uri(name), uri=True, isolation_level=None, check_same_thread=False)
        conn.create_function("now", -1, self.now_text)
        conn.create_function("sleep", 1, lambda seconds: 0)
        conn.create_function("hash_value", -1, hash_value, deterministic=True)
        conn.create_function("utc_timestamp", 0, lambda: time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()))
        if not self.data_dir:
            self._holders.setdefault(name, conn)
        else:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")
        return conn

    def exists(self, name):
        if self.data_dir:
            return os.path.exists(os.path.join(self.data_dir, name + ".db"))
        return name in self._holders

    def remove(self, name):
        conn = self._holders.pop(name, None)
        if conn is not None:
            conn.close()
        if self.data_dir:
            for suffix in (".db", ".db-wal", ".db-shm"):
                path = os.path.join(self.data_dir, name + suffix)
                if os.path.exists(path):
                    os.remove(path)


class Cluster(BackupWriter):
    """Accounts, their databases and the snapshots of the whole (single-node) cluster."""

    def __init__(self, version, data_dir=None, root_password="111", tenant_snapshot_quota=50, timezone="UTC"):
        self.version = version
        self.timezone = timezone
        self.store = Store(data_dir, timezone)
        self.tenant_snapshot_quota = tenant_snapshot_quota
        self.aws_ca_bundle = None  # as if the process had AWS_CA_BUNDLE: S3 backups fail (see backup.py)
        self.created_ns = now_ns()  # when this cluster was bootstrapped (mo_catalog.mo_version)
        self.catalog = self.store.connect("catalog")
        self.catalog.executescript(CATALOG_SCHEMA)
        self.questions = 0
        self.faults = []  # (kind, statement prefix, seconds): test-only fault injection
        self._accounts = {}  # id -> sqlite connection
        if self.catalog.execute("SELECT count(*) FROM accounts").fetchone()[0] == 0:
            self._bootstrap(root_password)

    # -- accounts ---------------------------------------------------------------------------------
    def _bootstrap(self, root_password):
        from mysql_mimic.auth import NativePasswordAuthPlugin  # pylint: disable=import-outside-toplevel

        conn = self.create_account_db(SYS_ACCOUNT_ID, "sys", "root")
        auth = NativePasswordAuthPlugin.create_auth_string(root_password)
        conn.executemany("INSERT INTO __mo_users(name, auth, role) VALUES (?, ?, 'moadmin')",
                         [("root", auth), ("dump", auth)])

    def create_account_db(self, account_id, name, admin_name, comment=""):
        self.catalog.execute("INSERT INTO accounts(id, name, admin_name, created_ns, comment) VALUES (?,?,?,?,?)",
                             (account_id, name, admin_name, now_ns(), comment))
        self.store.remove("acc_%d" % account_id)
        self._accounts.pop(account_id, None)
        return self.account_conn(account_id)

    def new_account_id(self):
        return (self.catalog.execute("SELECT coalesce(max(id), 0) FROM accounts").fetchone()[0] or 0) + 1

    def account_by_name(self, name):
        row = self.catalog.execute("SELECT id, name, admin_name, status FROM accounts WHERE name = ?",
                                   (name,)).fetchone()
        return row

    def account_conn(self, account_id):
        conn = self._accounts.get(account_id)
        if conn is None:
            conn = self.store.connect("acc_%d" % account_id)
            conn.executescript(ACCOUNT_SCHEMA)
            self._accounts[account_id] = conn
            conn.create_function("current_account_id", 0, lambda: account_id)
        return conn

    def drop_account(self, account_id):
        conn = self._accounts.pop(account_id, None)
        if conn is not None:
            conn.close()
        self.store.remove("acc_%d" % account_id)
        self.catalog.execute("DELETE FROM accounts WHERE id = ?", (account_id,))
        # the tenant's own mo_snapshots table goes with it (section 3.6)
        for (snapshot_id,) in self.catalog.execute("SELECT snapshot_id FROM snapshots WHERE creator = ?",
                                                   (account_id,)).fetchall():
            self.drop_snapshot_data(snapshot_id)
        self.catalog.execute("DELETE FROM snapshots WHERE creator = ?", (account_id,))
        self.catalog.execute("DELETE FROM pitrs WHERE creator = ?", (account_id,))
        for (store,) in self.catalog.execute("SELECT store FROM history WHERE account_id = ?", (account_id,)).fetchall():
            self.store.remove(store)
        self.catalog.execute("DELETE FROM history WHERE account_id = ?", (account_id,))

    # -- snapshots ----------------------------------------------------------------------------------
    def take_snapshot(self, creator, sname, level, account_ids, account_name="", database_name="",
                      table_name="", obj_id=0):
        snapshot_id = str(uuid.uuid4())
        ts = now_ns()
        for account_id in account_ids:
            row = self.catalog.execute("SELECT name, admin_name FROM accounts WHERE id = ?", (account_id,)).fetchone()
            store_name = "snapshots/%s_%d" % (snapshot_id, account_id) if self.store.data_dir else \
                "snap_%s_%d" % (snapshot_id.replace("-", ""), account_id)
            copy = self.store.connect(store_name)
            self.account_conn(account_id).backup(copy)
            if self.store.data_dir:
                copy.close()
            self.catalog.execute("INSERT INTO snapshot_copies VALUES (?,?,?,?,?)",
                                 (snapshot_id, account_id, row[0], row[1], store_name))
        self.catalog.execute(
            "INSERT INTO snapshots(creator, sname, snapshot_id, ts, level, account_name, database_name, table_name,"
            " obj_id) VALUES (?,?,?,?,?,?,?,?,?)",
            (creator, sname, snapshot_id, ts, level, account_name, database_name, table_name, str(obj_id)))
        return ts

    def drop_snapshot_data(self, snapshot_id):
        for (store_name,) in self.catalog.execute("SELECT store FROM snapshot_copies WHERE snapshot_id = ?",
                                                  (snapshot_id,)).fetchall():
            self.store.remove(store_name)
        self.catalog.execute("DELETE FROM snapshot_copies WHERE snapshot_id = ?", (snapshot_id,))

    def snapshot(self, creator, sname):
        cur = self.catalog.execute(
            "SELECT sname, snapshot_id, ts, level, account_name, database_name, table_name, obj_id"
            " FROM snapshots WHERE creator = ? AND sname = ?", (creator, sname))
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip(("sname", "snapshot_id", "ts", "level", "account_name", "database_name",
                         "table_name", "obj_id"), row))

    def snapshot_copies(self, snapshot_id):
        return self.catalog.execute(
            "SELECT account_id, account_name, admin_name, store FROM snapshot_copies WHERE snapshot_id = ?",
            (snapshot_id,)).fetchall()

    def copy_at(self, ts, account_name):
        """The account as it was at ts: a snapshot copy taken then (in the same microsecond: a time given with
        microseconds names the snapshot taken in it), else the latest PITR history copy."""
        row = self.catalog.execute(
            "SELECT c.store FROM snapshots s JOIN snapshot_copies c ON c.snapshot_id = s.snapshot_id"
            " WHERE s.ts >= ? AND s.ts < ? AND c.account_name = ? ORDER BY s.ts LIMIT 1",
            (ts, ts - ts % 1000 + 1000, account_name)).fetchone()
        if row is None:
            row = self.catalog.execute(
                "SELECT h.store FROM history h JOIN accounts a ON a.id = h.account_id WHERE a.name = ? AND h.ts <= ?"
                " ORDER BY h.ts DESC LIMIT 1", (account_name, ts)).fetchone()
        return self.store.uri(row[0]) if row else None

    # -- PITR history: a page copy after every change of an account a PITR covers ----------------------
    HISTORY_LIMIT = 400

    def pitr_covers(self, account_id, account_name):
        return self.catalog.execute(
            "SELECT 1 FROM pitrs WHERE level = 'cluster' OR (level = 'account' AND account_name = ?)"
            " OR (level IN ('database', 'table') AND creator = ?) LIMIT 1", (account_name, account_id)).fetchone() \
            is not None

    def record_history(self, account_id):
        row = self.catalog.execute("SELECT name FROM accounts WHERE id = ?", (account_id,)).fetchone()
        if row is None or not self.pitr_covers(account_id, row[0]):
            return
        ts = now_ns()
        store_name = ("snapshots/h_%d_%d" if self.store.data_dir else "hist_%d_%d") % (account_id, ts)
        copy = self.store.connect(store_name)
        self.account_conn(account_id).backup(copy)
        if self.store.data_dir:
            copy.close()
        self.catalog.execute("INSERT INTO history VALUES (?, ?, ?)", (account_id, ts, store_name))
        old = self.catalog.execute("SELECT ts, store FROM history WHERE account_id = ? ORDER BY ts DESC LIMIT -1 "
                                   "OFFSET ?", (account_id, self.HISTORY_LIMIT)).fetchall()
        for old_ts, old_store in old:
            self.store.remove(old_store)
            self.catalog.execute("DELETE FROM history WHERE account_id = ? AND ts = ?", (account_id, old_ts))

    def copy_uri(self, snapshot_id, account_name):
        row = self.catalog.execute(
            "SELECT store FROM snapshot_copies WHERE snapshot_id = ? AND account_name = ?",
            (snapshot_id, account_name)).fetchone()
        return self.store.uri(row[0]) if row else None


def table_columns(conn, schema, db, name):
    row = conn.execute('SELECT columns FROM %s.__mo_tables WHERE db = ? AND name = ?' % schema,
                       (db, name)).fetchone()
    return json.loads(row[0]) if row else None
