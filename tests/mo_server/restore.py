"""RESTORE (from a snapshot or a PITR) and CLONE: the copy of a scope as it was at a point in time."""

import datetime
import json
import re

from . import ddl, errors
from .common import Statements, error_at, local_text, now_ns, statement, zone
from .errors import internal
from .lexer import Parser
from .storage import SYS_ACCOUNT_ID, SYSTEM_DATABASES
from .pitr import UNIT_SECONDS


class RestoreStatements(Statements):
    """RESTORE ... {SNAPSHOT = s} / FROM SNAPSHOT / FROM PITR, and CREATE DATABASE|TABLE ... CLONE."""

    @statement("RESTORE", own_txn=True, changes="every_account")
    def restore(self, sql):
        self.session.refuse_in_txn()
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
        self.session.require_admin()
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
        snap = self.cluster.snapshot(self.session.account_id, name)
        if snap is None:
            raise internal("find 0 snapshot records by name(%s), expect only 1" % name)
        return snap

    def _run_restore(self, level, account, database, table, snapshot, to_account):
        snap = self._find_snapshot(snapshot)
        if level == "cluster":
            if not self.session.is_sys:
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
        account = account or snap["account_name"] or self.session.account_name
        what = "database" if level == "database" else "table"
        if database.lower() in SYSTEM_DATABASES:
            raise internal("can't restore db: %s" % database)
        if snap["level"] == "cluster":
            if self.version.at_least(2, 1):
                raise internal("can't restore db from cluster level snapshot")
            raise internal("can't restore db or table from cluster level snapshot")
        if level == "database" and snap["level"] == "table":
            raise internal("can't restore db from table level snapshot")
        if account != self.session.account_name or snap["account_name"] != self.session.account_name:
            raise internal("can't restore %s from other account's snapshot" % what)
        if snap["level"] == "database" and snap["database_name"] != database:
            raise internal("databaseName(%s) does not match snapshot.databaseName(%s)"
                           % (database, snap["database_name"]))
        if snap["level"] == "table" and (snap["database_name"], snap["table_name"]) != (database, table):
            raise internal("tableName(%s) does not match snapshot.tableName(%s)" % (table, snap["table_name"]))
        uri = self.cluster.copy_uri(snap["snapshot_id"], self.session.account_name)
        copy_scope(self.session.conn, uri, databases=[database], table=table, snapshot_name=snapshot,
                   clone_source=clone_at(mo_ts=snap["ts"]), view_security=not self.version.at_least(4, 0))

    def _restore_account(self, snap, account, to_account):
        cluster = self.cluster
        if account == "sys" and not self.session.is_sys:
            raise internal("non-sys account can't restore sys account")
        if to_account and not self.session.is_sys:
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

    def restore_pitr(self, p):
        """After RESTORE: [CLUSTER | ACCOUNT a [DATABASE d [TABLE t]] | DATABASE d [TABLE t]] FROM PITR p 'ts'."""
        level, account, database, table, source = "account", self.session.account_name, None, None, None
        if p.accept("CLUSTER"):
            level, account = "cluster", None
        elif p.accept("ACCOUNT"):
            account = p.ident().lower()
            if p.accept("DATABASE"):
                if not self.version.pitr_account_db_restore:
                    p.i -= 1
                    raise p.error()
                level, database = "database", p.ident()
                if p.accept("TABLE"):
                    level, table = "table", p.ident()
        elif p.accept("DATABASE"):
            level, database = "database", p.ident()
            if p.accept("TABLE"):
                level, table = "table", p.ident()
        p.expect("FROM")
        p.expect("PITR")
        name = p.ident()
        text = p.string()
        if level == "account" and p.peek() is not None and p.peek().text != ";":
            p.accept("AS")
            source = p.ident_or_string().lower()
        p.end()
        self.session.require_admin()
        pitr = self.cluster.catalog.execute(
            "SELECT level, account_name, database_name, table_name, length, unit, modified_ns FROM pitrs "
            "WHERE creator = ? AND name = ?", (self.session.account_id, name)).fetchone()
        if pitr is None:
            raise internal("pitr %s does not exist" % name)
        ts = self._pitr_timestamp(text, pitr)
        p_level, p_account, p_database, p_table = pitr[:4]
        if level == "cluster":
            if not self.session.is_sys:
                raise internal("non-sys account can't restore cluster level snapshot")
            if p_level != "cluster":
                raise internal("restore level cluster is not allowed for %s level pitr" % p_level)
            ids = [r[0] for r in self.cluster.catalog.execute("SELECT id FROM accounts")]
            for acc_id, acc_name in self.cluster.catalog.execute("SELECT id, name FROM accounts").fetchall():
                self._restore_account_at(acc_name, acc_id, ts, None, None)
            return ids
        if account != self.session.account_name and not self.session.is_sys:
            raise internal("account %s is not allowed to restore other account %s" % (self.session.account_name, account))
        if p_level == "cluster" and level in ("database", "table"):
            raise internal("cluster level pitr `%s` is not allowed for database restore" % name)
        if p_level in ("database", "table") and level == "account":
            raise internal("restore level account is not allowed for %s level pitr" % p_level)
        if p_level == "account" and p_account != (source or account):
            raise internal("account %s is not allowed to restore other account %s" % (p_account, source or account))
        if p_level in ("database", "table") and database != p_database:
            raise internal("database '%s' does not match pitr database '%s'" % (database, p_database))
        if p_level == "table" and table != p_table:
            raise internal("table '%s' does not match pitr table '%s'" % (table, p_table))
        target = self.cluster.account_by_name(account)
        if target is None:
            raise internal("no such account, account name: %s" % account)
        self._restore_account_at(source or account, target[0], ts, database, table, same=source in (None, account))
        return None

    def _restore_account_at(self, source_name, target_id, ts, database, table, same=True):
        uri = self.cluster.copy_at(ts, source_name)
        if uri is None:
            raise internal("account `%s` does not exists at timestamp: %d" % (source_name, ts))
        copy_scope(self.cluster.account_conn(target_id), uri, databases=[database] if database else None,
                   table=table, with_users=same and database is None, snapshot_name="pitr",
                   clone_source=clone_at(mo_ts=ts), view_security=not self.version.at_least(4, 0))

    def _pitr_timestamp(self, text, pitr):
        """Parse 'YYYY-MM-DD HH:MM:SS[.frac]' in the server's zone and check the PITR window."""
        m = re.fullmatch(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.(\d{1,9}))?", text.strip())
        if not m:
            raise internal("invalid timestamp %s" % text)
        local = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S").replace(
            tzinfo=zone(self.cluster.timezone))
        ts = int(local.timestamp()) * 1_000_000_000 + int(((m.group(2) or "") + "000000000")[:9])
        now = now_ns()
        length, unit, modified = pitr[4], pitr[5], pitr[6]
        if ts > now:
            raise internal("input timestamp %s is bigger than now timestamp %s" % (text, local_text(self.cluster.timezone, now)))
        if ts < modified:
            raise internal("input timestamp %s is less than the pitr valid time %s" % (text, local_text(self.cluster.timezone, modified)))
        earliest = now - length * UNIT_SECONDS[unit] * 1_000_000_000
        if ts < earliest:
            raise internal("input timestamp %s is less than the pitr range minest timestamp %s"
                           % (text, local_text(self.cluster.timezone, earliest)))
        return ts

    def clone(self, p, db, name):
        """CREATE DATABASE db CLONE src{point} / CREATE TABLE db.name CLONE src_db.src{point} [TO ACCOUNT a]: the
        source as it was at the point (a snapshot or MO_TS; now without one), copied under the new name (3.0+)."""
        if not self.version.clone:
            raise error_at(p, p.tokens[p.i - 1])
        if name is None:
            src_db, src = p.ident(), None
        else:
            src_db, src = self.session.schema.table_ref(p)
        spec = self.session.schema.snapshot_suffix(p)
        target = None
        if p.accept("TO"):
            p.expect("ACCOUNT")
            target = p.ident().lower()
        p.end()
        conn = self.session.conn
        if target is not None:
            self.session.require_admin()
            row = self.cluster.account_by_name(target)
            if row is None:
                raise internal("no such account, account name: %s" % target)
            # real v4.1.4 asks a tenant first for the snapshot, then refuses it the other account (recorded, flow
            # rehearsal, and measured with a snapshot)
            if spec is None and row[0] != self.session.account_id:
                raise internal("clone %s between different accounts need a snapshot"
                               % ("database" if name is None else "table"))
            if not self.session.is_sys:
                raise internal("only sys can clone table to another account")
            conn = self.cluster.account_conn(row[0])
        if name is None and self.session.db_exists(conn, db):
            raise errors.MoError(errors.DB_EXISTS, "database %s already exists" % db)
        if name is not None and self.session.table_def(conn, db, name) is not None:
            raise errors.MoError(errors.TABLE_EXISTS, "table %s already exists" % name)

        def copy(source, schema):
            tables = source.execute("SELECT name, columns FROM %s.__mo_tables WHERE db = ?%s" % (
                schema, "" if src is None else " AND name = ?"), (src_db,) if src is None else (src_db, src)).fetchall()
            if src is not None and not tables:
                raise errors.parse("table %s-%s does not exist" % (src_db, src))
            if src is None and not self.session.db_exists(source, src_db, schema):
                # at a point in time real v4.1.4 clones a database that did not exist as an empty one, and real
                # v3.0.18 answers 1046
                if spec is None:
                    raise errors.MoError(errors.BAD_DB, "Unknown database %s" % src_db)
                if not self.version.at_least(4, 0):
                    raise errors.MoError(1046, "No database selected")
            return [(t, json.loads(cols), source.execute("SELECT * FROM %s.%s" % (schema, ddl.sqlite_name(src_db, t)))
                     .fetchall()) for t, cols in tables]
        copied = self.session.schema.with_source(spec, copy)
        if name is None:
            conn.execute("INSERT INTO __mo_databases(name, created_ns) VALUES (?, ?)", (db, now_ns()))
            views = self.session.schema.with_source(spec, lambda source, schema: source.execute(
                "SELECT name, query, ddl, columns FROM %s.__mo_views WHERE db = ?" % schema, (src_db,)).fetchall())
            conn.executemany("INSERT INTO __mo_views(db, name, query, ddl, created_ns, columns) VALUES (?,?,?,?,?,?)",
                             [(db, v, query, text, now_ns(), cols) for v, query, text, cols in views])
        for table_name, table, rows in copied:
            new = name or table_name
            for stmt in ddl.sqlite_statements(db, new, table):
                conn.execute(stmt)
            if rows:
                conn.executemany("INSERT INTO %s VALUES (%s)" % (ddl.sqlite_name(db, new), ", ".join("?" * len(rows[0]))),
                                 rows)
            # as real v3.0.18 keeps it: create table `cl_copy`.`t` clone `cl`.`t`{snapshot = 'cls'}
            value = "'%s'" % spec[1] if spec and spec[0] == "SNAPSHOT" else (spec[1] if spec else "")
            point = "" if spec is None else "{%s = %s}" % (spec[0].lower(), value)
            catalog = "create table `%s`.`%s` clone `%s`.`%s`%s" % (db, new, src_db, table_name, point)
            conn.execute("INSERT INTO __mo_tables(db, name, columns, ddl, created_ns, catalog_sql) VALUES (?,?,?,?,?,?)",
                         (db, new, json.dumps(table), ddl.render_mysql(new, table), now_ns(), catalog))
        return None


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


def clone_at(snapshot=None, mo_ts=None):
    """The source suffix MatrixOne writes into rel_createsql on restore (recorded from v4.1.4): an account
    restore names the snapshot, a database or table restore the timestamp."""
    if snapshot is not None:
        return "{SNAPSHOT = '%s'}" % snapshot
    return "{MO_TS = %d }" % int(mo_ts)
