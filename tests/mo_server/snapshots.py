"""Snapshots and restores: CREATE/DROP/SHOW SNAPSHOTS and RESTORE ... FROM SNAPSHOT / {SNAPSHOT = s}."""

import re
import sqlite3

from . import errors, sqlrun
from .common import RESERVED_SNAPSHOT_CHARS, Statements, error_at, ns_to_mo_timestamp, result, statement
from .errors import internal
from .lexer import Parser
from .queries import column_error
from .storage import CLUSTER_OBJ_ID, SYSTEM_DATABASES


class SnapshotStatements(Statements):
    """CREATE/DROP/SHOW SNAPSHOTS (RESTORE is in restore.py)."""

    # -- snapshots ------------------------------------------------------------------------------------------
    @statement("CREATE SNAPSHOT", own_txn=True)
    def create_snapshot(self, sql):
        self.session.refuse_in_txn()
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
        self.session.require_admin()
        if any(ch in name for ch in RESERVED_SNAPSHOT_CHARS):
            raise internal("invalid input")
        if len(name) > 64:
            raise errors.MoError(1406, "Data too long for column 'sname' at row 1")
        if self.version.quota and level != "cluster":
            self._check_quota(level)
        if level == "cluster" and not self.session.is_sys:
            raise internal("only sys tenant can create cluster level snapshot")
        if level == "account" and account and account != self.session.account_name and not self.session.is_sys:
            raise internal("only sys tenant can create tenant level snapshot for other tenant")
        if self.cluster.snapshot(self.session.account_id, name) is not None:
            if if_not_exists:
                return None
            raise internal("snapshot %s already exists" % name)
        if level == "cluster":
            ids = [r[0] for r in self.cluster.catalog.execute("SELECT id FROM accounts ORDER BY id")]
            self.cluster.take_snapshot(self.session.account_id, name, level, ids, obj_id=CLUSTER_OBJ_ID)
            return None
        if level == "account":
            acc = self.cluster.account_by_name(account or self.session.account_name)
            if acc is None:
                raise internal("account %s does not exist" % account)
            self.cluster.take_snapshot(self.session.account_id, name, level, [acc[0]], account_name=acc[1], obj_id=acc[0])
            return None
        if database.lower() in SYSTEM_DATABASES:
            if level == "table":  # sic: MatrixOne's text says pitr (BVT snapshot_database_level)
                raise internal("can not create pitr for system table %s.%s" % (database, table))
            raise internal("can not create snapshot for system database %s" % database)
        if level == "table" and (not self.session.db_exists(self.session.conn, database)
                                 or self.session.table_def(self.session.conn, database, table) is None):
            raise internal("table %s.%s does not exist" % (database, table))
        if not self.session.db_exists(self.session.conn, database):
            raise internal("database %s does not exist" % database)
        self.cluster.take_snapshot(self.session.account_id, name, level, [self.session.account_id], account_name=self.session.account_name,
                                   database_name=database, table_name=table)
        return None

    def _check_quota(self, scope):
        row = self.cluster.catalog.execute("SELECT quota FROM feature_limits WHERE account_id = ? AND scope = ?",
                                           (self.session.account_id, scope)).fetchone()
        quota = row[0] if row else (-1 if self.session.is_sys else self.cluster.tenant_snapshot_quota)
        if quota < 0:
            return
        if quota == 0:
            raise internal("feature SNAPSHOT with scope %s has disabled for account %s" % (scope, self.session.account_name))
        used = self.cluster.catalog.execute("SELECT count(*) FROM snapshots WHERE creator = ? AND level = ?",
                                            (self.session.account_id, scope)).fetchone()[0]
        if used >= quota:
            raise internal("feature SNAPSHOT with scope %s has reached the limit of %d" % (scope, quota))

    @statement("DROP SNAPSHOT", own_txn=True)
    def drop_snapshot(self, sql):
        self.session.refuse_in_txn()
        p = Parser.after(sql, "DROP", "SNAPSHOT")
        if_exists = p.if_exists()
        name = p.ident()
        p.end()
        self.session.require_admin()
        snap = self.cluster.snapshot(self.session.account_id, name)
        if snap is None:
            if if_exists:
                return None
            raise internal("snapshot %s does not exist" % name)
        self.cluster.drop_snapshot_data(snap["snapshot_id"])
        self.cluster.catalog.execute("DELETE FROM snapshots WHERE creator = ? AND sname = ?",
                                     (self.session.account_id, name))
        return None

    def _snapshot_rows_sql(self):
        hidden = " AND sname NOT LIKE 'ccpr_%' AND kind != 'branch'" if self.version.quota else ""
        return ("SELECT sname AS snapshot_name, mo_ts(ts) AS timestamp, level AS snapshot_level, "
                "account_name, database_name, table_name, ts AS __ts FROM snapshots WHERE creator = ?" + hidden)

    def show_catalog(self, sql, keyword, base, columns):
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
                                                                           (self.session.account_id,))]
        except sqlite3.OperationalError as exc:
            raise column_error(exc) from None
        return result(columns, rows)

    @statement("SHOW SNAPSHOTS", own_txn=True)
    def show_snapshots(self, sql):
        self.session.refuse_in_txn()
        self.cluster.catalog.create_function("mo_ts", 1, ns_to_mo_timestamp, deterministic=True)
        columns = ("SNAPSHOT_NAME", "TIMESTAMP", "SNAPSHOT_LEVEL", "ACCOUNT_NAME", "DATABASE_NAME", "TABLE_NAME")
        return self.show_catalog(sql, "snapshots", self._snapshot_rows_sql(), columns)

    # -- restore ------------------------------------------------------------------------------------------
