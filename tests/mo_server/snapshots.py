"""Snapshots and restores: CREATE/DROP/SHOW SNAPSHOTS and RESTORE ... FROM SNAPSHOT / {SNAPSHOT = s}."""

import json
import re
import sqlite3

from . import ddl, errors, sqlrun
from .common import RESERVED_SNAPSHOT_CHARS, error_at, result, statement
from .errors import internal
from .lexer import Parser
from .queries import column_error
from .storage import CLUSTER_OBJ_ID, SYS_ACCOUNT_ID, SYSTEM_DATABASES, ns_to_mo_timestamp


class SnapshotStatements:
    """Mixin for engine.Session."""

    # pylint: disable=no-member
    # -- snapshots ------------------------------------------------------------------------------------------
    @statement("CREATE SNAPSHOT", own_txn=True)
    def create_snapshot(self, sql):
        self._refuse_in_txn()
        p = Parser.after(sql, "CREATE", "SNAPSHOT")
        if_not_exists = p.if_not_exists()
        name = p.ident()
        p.expect("FOR")
        level_tok = p.peek()
        level = p.expect("CLUSTER", "ACCOUNT", "DATABASE", "TABLE").lower()
        account = database = table = ""
        if level == "account":
            if not p.at_end():
                account = p.ident().lower()
            elif not self.version.db_table_snapshots:
                raise p.error()
        elif level in ("database", "table"):
            if not self.version.db_table_snapshots:
                raise error_at(p, level_tok)
            database = p.ident()
            if level == "table":
                table = p.ident()
        p.end()
        self._require_admin()
        if any(ch in name for ch in RESERVED_SNAPSHOT_CHARS):
            raise internal("invalid input")
        if len(name) > 64:
            raise errors.MoError(1406, "Data too long for column 'sname' at row 1")
        if self.version.quota and level != "cluster":
            self._check_quota(level)
        if level == "cluster" and not self.is_sys:
            raise internal("only sys tenant can create cluster level snapshot")
        if level == "account" and account and account != self.account_name and not self.is_sys:
            raise internal("only sys tenant can create tenant level snapshot for other tenant")
        if self.cluster.snapshot(self.account_id, name) is not None:
            if if_not_exists:
                return None
            raise internal("snapshot %s already exists" % name)
        if level == "cluster":
            ids = [r[0] for r in self.cluster.catalog.execute("SELECT id FROM accounts ORDER BY id")]
            self.cluster.take_snapshot(self.account_id, name, level, ids, obj_id=CLUSTER_OBJ_ID)
            return None
        if level == "account":
            acc = self.cluster.account_by_name(account or self.account_name)
            if acc is None:
                raise internal("account %s does not exist" % account)
            self.cluster.take_snapshot(self.account_id, name, level, [acc[0]], account_name=acc[1], obj_id=acc[0])
            return None
        if database.lower() in SYSTEM_DATABASES:
            if level == "table":  # sic: MatrixOne's text says pitr (BVT snapshot_database_level)
                raise internal("can not create pitr for system table %s.%s" % (database, table))
            raise internal("can not create snapshot for system database %s" % database)
        if level == "table" and (not self._db_exists(self.conn, database)
                                 or self._table_def(self.conn, database, table) is None):
            raise internal("table %s.%s does not exist" % (database, table))
        if not self._db_exists(self.conn, database):
            raise internal("database %s does not exist" % database)
        self.cluster.take_snapshot(self.account_id, name, level, [self.account_id], account_name=self.account_name,
                                   database_name=database, table_name=table)
        return None

    def _check_quota(self, scope):
        row = self.cluster.catalog.execute("SELECT quota FROM feature_limits WHERE account_id = ? AND scope = ?",
                                           (self.account_id, scope)).fetchone()
        quota = row[0] if row else (-1 if self.is_sys else self.cluster.tenant_snapshot_quota)
        if quota < 0:
            return
        if quota == 0:
            raise internal("feature SNAPSHOT with scope %s has disabled for account %s" % (scope, self.account_name))
        used = self.cluster.catalog.execute("SELECT count(*) FROM snapshots WHERE creator = ? AND level = ?",
                                            (self.account_id, scope)).fetchone()[0]
        if used >= quota:
            raise internal("feature SNAPSHOT with scope %s has reached the limit of %d" % (scope, quota))

    @statement("DROP SNAPSHOT", own_txn=True)
    def drop_snapshot(self, sql):
        self._refuse_in_txn()
        p = Parser.after(sql, "DROP", "SNAPSHOT")
        if_exists = p.if_exists()
        name = p.ident()
        p.end()
        self._require_admin()
        snap = self.cluster.snapshot(self.account_id, name)
        if snap is None:
            if if_exists:
                return None
            raise internal("snapshot %s does not exist" % name)
        self.cluster.drop_snapshot_data(snap["snapshot_id"])
        self.cluster.catalog.execute("DELETE FROM snapshots WHERE creator = ? AND sname = ?",
                                     (self.account_id, name))
        return None

    def _snapshot_rows_sql(self):
        hidden = " AND sname NOT LIKE 'ccpr_%' AND kind != 'branch'" if self.version.quota else ""
        return ("SELECT sname AS snapshot_name, mo_ts(ts) AS timestamp, level AS snapshot_level, "
                "account_name, database_name, table_name, ts AS __ts FROM snapshots WHERE creator = ?" + hidden)

    def _show_catalog(self, sql, keyword, base, columns):
        """SHOW <keyword> [WHERE expr] over a catalog query whose last column is the sort key __ts.

        As on MatrixOne, the statement becomes SELECT * FROM (...) WHERE expr; rows are newest first. Under WHERE
        real 3.0.18 answers lower-case labels and real 4.1.4 upper-case ones (both recorded with PyMySQL).
        """
        m = re.match(r"\s*show\s+%s\s*(?:where\s+(.*?))?\s*;?\s*$" % keyword, sql, re.I | re.S)
        if not m:
            p = Parser.after(sql, "SHOW")
            p.expect(keyword.upper())
            raise p.error()
        query = "SELECT * FROM (%s)" % base
        if m.group(1):
            cond = sqlrun.parse("SELECT 1 FROM x WHERE " + m.group(1)).args["where"].this.sql(dialect="sqlite")
            query += " WHERE %s" % cond
            if self.version.lower_case_where_labels:
                columns = tuple(c.lower() for c in columns)
        try:
            rows = [r[:len(columns)] for r in self.cluster.catalog.execute(query + " ORDER BY __ts DESC",
                                                                           (self.account_id,))]
        except sqlite3.OperationalError as exc:
            raise column_error(exc) from None
        return result(columns, rows)

    @statement("SHOW SNAPSHOTS", own_txn=True)
    def show_snapshots(self, sql):
        self._refuse_in_txn()
        self.cluster.catalog.create_function("mo_ts", 1, ns_to_mo_timestamp, deterministic=True)
        columns = ("SNAPSHOT_NAME", "TIMESTAMP", "SNAPSHOT_LEVEL", "ACCOUNT_NAME", "DATABASE_NAME", "TABLE_NAME")
        return self._show_catalog(sql, "snapshots", self._snapshot_rows_sql(), columns)

    # -- restore ------------------------------------------------------------------------------------------
    @statement("RESTORE", own_txn=True)
    def restore(self, sql):
        self._refuse_in_txn()
        p = Parser.after(sql, "RESTORE")
        words = [t.value.upper() for t in p.tokens if t.kind == "word"]
        if "PITR" in words and "FROM" in words:
            if not self.version.pitr:
                raise p.error()
            self.restore_pitr(p)
            return None
        if self.version.brace_restore:
            stmt = self._parse_brace_restore(p)
        else:
            stmt = self._parse_legacy_restore(p)
        p.end()
        self._require_admin()
        self._run_restore(**stmt)
        return None

    def _parse_brace_snapshot(self, p):
        p.expect_punct("{")
        p.expect("SNAPSHOT")
        p.expect_punct("=")
        tok = p.peek()
        name = p.ident_or_string()
        if tok.kind == "str":
            name = name.lower()
        p.expect_punct("}")
        return name

    def _parse_brace_restore(self, p):
        level = p.expect("CLUSTER", "ACCOUNT", "DATABASE", "TABLE").lower()
        stmt = {"level": level, "account": None, "database": None, "table": None, "to_account": None}
        if level == "account":
            stmt["account"] = p.ident().lower()
        elif level == "database":
            first = p.ident()
            if p.accept_punct("."):
                stmt["account"], stmt["database"] = first.lower(), p.ident()
            else:
                stmt["database"] = first
        elif level == "table":
            parts = [p.ident()]
            while p.accept_punct("."):
                parts.append(p.ident())
            if len(parts) == 3:
                stmt["account"], stmt["database"], stmt["table"] = parts[0].lower(), parts[1], parts[2]
            elif len(parts) == 2:
                stmt["database"], stmt["table"] = parts
            else:
                raise p.error()
        stmt["snapshot"] = self._parse_brace_snapshot(p)
        if p.accept("TO"):
            p.expect("ACCOUNT")
            stmt["to_account"] = p.ident().lower()
        return stmt

    def _parse_legacy_restore(self, p):
        stmt = {"level": None, "account": None, "database": None, "table": None, "to_account": None}
        if p.accept("CLUSTER"):
            stmt["level"] = "cluster"
        else:
            p.expect("ACCOUNT")
            stmt["account"] = p.ident().lower()
            stmt["level"] = "account"
            if p.accept("DATABASE"):
                stmt["database"] = p.ident()
                stmt["level"] = "database"
                if p.accept("TABLE"):
                    stmt["table"] = p.ident()
                    stmt["level"] = "table"
        p.expect("FROM")
        p.expect("SNAPSHOT")
        stmt["snapshot"] = p.ident()
        if stmt["level"] != "cluster" and p.peek() is not None and p.peek().is_word("TO"):
            if stmt["level"] != "account" and self.version.at_least(2, 0):
                raise p.error()
            p.expect("TO")
            p.expect("ACCOUNT")
            stmt["to_account"] = p.ident().lower()
        return stmt

    def _find_snapshot(self, name):
        snap = self.cluster.snapshot(self.account_id, name)
        if snap is None:
            raise internal("find 0 snapshot records by name(%s), expect only 1" % name)
        return snap

    def _run_restore(self, level, account, database, table, snapshot, to_account):
        snap = self._find_snapshot(snapshot)
        if level == "cluster":
            if not self.is_sys:
                raise internal("non-sys account can't restore cluster level snapshot")
            if snap["level"] != "cluster":
                raise internal("snapshot %s is not cluster level snapshot" % snapshot)
            if self.version.restore_cluster:
                self._restore_cluster(snap)
            return
        if level == "account":
            self._restore_account(snap, account, to_account)
            return
        # database / table: only the current account, from an account/db/table snapshot of it
        account = account or snap["account_name"] or self.account_name
        what = "database" if level == "database" else "table"
        if database.lower() in SYSTEM_DATABASES:
            raise internal("can't restore db: %s" % database)
        if snap["level"] == "cluster":
            if self.version.at_least(2, 1):
                raise internal("can't restore db from cluster level snapshot")
            raise internal("can't restore db or table from cluster level snapshot")
        if level == "database" and snap["level"] == "table":
            raise internal("can't restore db from table level snapshot")
        if account != self.account_name or snap["account_name"] != self.account_name:
            raise internal("can't restore %s from other account's snapshot" % what)
        if snap["level"] == "database" and snap["database_name"] != database:
            raise internal("databaseName(%s) does not match snapshot.databaseName(%s)"
                           % (database, snap["database_name"]))
        if snap["level"] == "table" and (snap["database_name"], snap["table_name"]) != (database, table):
            raise internal("tableName(%s) does not match snapshot.tableName(%s)" % (table, snap["table_name"]))
        uri = self.cluster.copy_uri(snap["snapshot_id"], self.account_name)
        copy_scope(self.conn, uri, databases=[database], table=table, snapshot_name=snapshot,
                   clone_source=clone_at(mo_ts=snap["ts"]), view_security=not self.version.at_least(4, 0))

    def _restore_account(self, snap, account, to_account):
        cluster = self.cluster
        if account == "sys" and not self.is_sys:
            raise internal("non-sys account can't restore sys account")
        if to_account and not self.is_sys:
            raise internal("non-sys account can't restore snapshot to another account")
        if snap["level"] in ("database", "table"):
            raise internal("can't restore account from db or table level snapshot")
        if snap["level"] == "account" and snap["account_name"] != account:
            raise internal("accountName(%s) does not match snapshot.accountName(%s)" % (account, snap["account_name"]))
        if to_account == "sys" and account != "sys":
            raise internal("non-sys account's snapshot can't restore to sys account")
        if account == "sys" and snap["level"] == "account":
            to_account = None  # getFromAccountIdAndToAccountId: a sys source restores into sys (real 3.0.18, 4.1.4)
        copies = {r[1]: r for r in cluster.snapshot_copies(snap["snapshot_id"])}
        if account not in copies:
            raise internal("account %s does not exist at snapshot %s" % (account, snap["sname"]))
        source = copies[account]
        uri = cluster.store.uri(source[3])
        target_name = to_account or account
        target = cluster.account_by_name(target_name)
        if target is None:
            if to_account:
                word = "no" if self.version.at_least(2, 1) else "new"
                raise internal("%s such account, account name: %s" % (word, to_account))
            if not self.version.at_least(2, 1):
                raise internal("account %s does not exist" % account)
            # a dropped account comes back with its admin, as createDroppedAccount does
            cluster.create_account_db(cluster.new_account_id(), account, source[2])
            target = cluster.account_by_name(account)
        # the users come too, into another account as well: its admin then has the source admin's password (v4.1.4)
        copy_scope(cluster.account_conn(target[0]), uri, databases=None, table=None, with_users=True,
                   snapshot_name=snap["sname"], clone_source=clone_at(snapshot=snap["sname"]),
                   view_security=not self.version.at_least(4, 0))

    def _restore_cluster(self, snap):
        cluster = self.cluster
        copies = cluster.snapshot_copies(snap["snapshot_id"])
        in_snapshot = {r[1] for r in copies}
        if self.version.at_least(2, 1):
            for acc_id, name in cluster.catalog.execute("SELECT id, name FROM accounts").fetchall():
                if name not in in_snapshot:
                    cluster.drop_account(acc_id)
        for _acc_id, name, admin, store in copies:
            target = cluster.account_by_name(name)
            if target is None:
                if not self.version.at_least(2, 1):
                    continue
                cluster.create_account_db(cluster.new_account_id() if name != "sys" else SYS_ACCOUNT_ID, name, admin)
                target = cluster.account_by_name(name)
            copy_scope(cluster.account_conn(target[0]), cluster.store.uri(store), databases=None, table=None,
                       with_users=True, snapshot_name=snap["sname"], clone_source=clone_at(snapshot=snap["sname"]),
                       view_security=not self.version.at_least(4, 0))


def clone_at(snapshot=None, mo_ts=None):
    """The source suffix MatrixOne writes into rel_createsql on restore (recorded from v4.1.4): an account
    restore names the snapshot, a database or table restore the timestamp."""
    if snapshot is not None:
        return "{SNAPSHOT = '%s'}" % snapshot
    return "{MO_TS = %d }" % int(mo_ts)


def copy_scope(conn, copy_uri, databases, table, with_users=False, snapshot_name="", clone_source="",
               view_security=False):
    """Make the live account database match a snapshot copy within a scope, in one transaction.

    databases=None: every database (account restore); table: only that table of databases[0].
    Objects created after the snapshot vanish; dropped ones return. As on MatrixOne, every restored
    table's mo_tables.rel_createsql becomes `create table ... clone ... <clone_source>` (SHOW CREATE TABLE
    keeps the definition): see clone_at().
    """
    conn.execute("ATTACH DATABASE ? AS snap", (copy_uri,))
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if table is not None:
                db = databases[0]
                if not conn.execute("SELECT 1 FROM snap.__mo_databases WHERE name = ?", (db,)).fetchone():
                    raise errors.MoError(errors.BAD_DB, "Unknown database %s" % db)
                if conn.execute("SELECT 1 FROM snap.__mo_tables WHERE db = ? AND name = ?", (db, table)).fetchone() \
                        is None:
                    raise internal("table %s not exists at snapshot %s" % (table, snapshot_name))
                scope_sql, args = "db = ? AND name = ?", (db, table)
            elif databases is not None:
                db = databases[0]
                if not conn.execute("SELECT 1 FROM snap.__mo_databases WHERE name = ?", (db,)).fetchone():
                    raise errors.MoError(errors.BAD_DB, "Unknown database %s" % db)
                scope_sql, args = "db = ?", (db,)
            else:
                scope_sql, args = "1 = 1", ()
            for db, name in conn.execute("SELECT db, name FROM main.__mo_tables WHERE " + scope_sql, args).fetchall():
                conn.execute("DROP TABLE main.%s" % ddl.sqlite_name(db, name))
            conn.execute("DELETE FROM main.__mo_tables WHERE " + scope_sql, args)
            for db, name, cols in conn.execute("SELECT db, name, columns FROM snap.__mo_tables WHERE " + scope_sql,
                                               args).fetchall():
                for stmt in ddl.sqlite_statements(db, name, json.loads(cols)):
                    conn.execute(stmt)
                conn.execute("INSERT INTO main.%s SELECT * FROM snap.%s" % (ddl.sqlite_name(db, name),
                                                                            ddl.sqlite_name(db, name)))
            conn.execute("INSERT INTO main.__mo_tables SELECT * FROM snap.__mo_tables WHERE " + scope_sql, args)
            conn.execute("UPDATE main.__mo_tables SET catalog_sql = 'create table `' || db || '`.`' || name || "
                         "'` clone `' || db || '`.`' || name || '` ' || ? WHERE " + scope_sql, (clone_source,) + args)
            if table is None:  # a database or account restore brings its views back too (real v4.1.4)
                db_sql = "name = ?" if databases is not None else "1 = 1"
                conn.execute("DELETE FROM main.__mo_databases WHERE " + db_sql, args)
                conn.execute("INSERT INTO main.__mo_databases SELECT * FROM snap.__mo_databases WHERE " + db_sql, args)
                conn.execute("DELETE FROM main.__mo_views WHERE " + scope_sql, args)
                conn.execute("INSERT INTO main.__mo_views SELECT * FROM snap.__mo_views WHERE " + scope_sql, args)
                if view_security:  # real v3.0.18 writes a restored view back as CREATE SQL SECURITY DEFINER VIEW ...
                    conn.execute("UPDATE main.__mo_views SET ddl = substr(ddl, 1, 6) || ' SQL SECURITY DEFINER' || "
                                 "substr(ddl, 7) WHERE " + scope_sql, args)
            if with_users:
                conn.execute("DELETE FROM main.__mo_users")
                conn.execute("INSERT INTO main.__mo_users SELECT * FROM snap.__mo_users")
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("DETACH DATABASE snap")
