"""Databases and tables: CREATE/DROP DATABASE and TABLE (also CLONE), ALTER TABLE, indexes, TRUNCATE, and the
SHOW statements for schema objects, optionally at a snapshot."""

import json
import sqlite3

from . import ddl, errors
from .common import Statements, like, now_ns, result, statement
from .errors import internal
from .lexer import Parser
from .storage import SYSTEM_DATABASES, SYSTEM_DATABASES_SYS, SYSTEM_DATABASES_TENANT


class SchemaStatements(Statements):
    """Databases, tables, views and indexes (CLONE is in restore.py), and the catalog a statement reads."""

    # -- databases and tables ----------------------------------------------------------------------------------
    @statement("CREATE DATABASE", "CREATE SCHEMA", changes=True)
    def create_database(self, sql):
        p = Parser.after(sql, "CREATE")
        p.expect("DATABASE", "SCHEMA")
        if_not_exists = p.if_not_exists()
        db = p.ident()
        if p.accept("CLONE"):
            return self.session.restores.clone(p, db, None)
        while not p.at_end():  # DEFAULT CHARACTER SET ... options
            p.i += 1
        if db.lower() in SYSTEM_DATABASES or self.session.db_exists(self.session.conn, db):
            if if_not_exists:
                return None
            raise errors.MoError(errors.DB_EXISTS, "Can't create database '%s'; database exists" % db)
        self.session.conn.execute("INSERT INTO __mo_databases(name, created_ns) VALUES (?, ?)", (db, now_ns()))
        self.session.affected_rows = 1
        return None

    @statement("DROP DATABASE", "DROP SCHEMA", changes=True)
    def drop_database(self, sql):
        p = Parser.after(sql, "DROP")
        p.expect("DATABASE", "SCHEMA")
        if_exists = p.if_exists()
        db = p.ident()
        p.end()
        if db.lower() in SYSTEM_DATABASES:
            raise internal("can not drop database '%s' which is system database" % db)
        if not self.session.db_exists(self.session.conn, db):
            if if_exists:
                return None
            raise errors.MoError(1008, "Can't drop database '%s'; database doesn't exist" % db)
        conn = self.session.conn
        tables = [r[0] for r in conn.execute("SELECT name FROM __mo_tables WHERE db = ?", (db,))]
        for name in tables:
            conn.execute("DROP TABLE IF EXISTS %s" % ddl.sqlite_name(db, name))
        conn.execute("DELETE FROM __mo_tables WHERE db = ?", (db,))
        conn.execute("DELETE FROM __mo_views WHERE db = ?", (db,))
        conn.execute("DELETE FROM __mo_databases WHERE name = ?", (db,))
        if self.session.database == db:
            self.session.database = None
        self.session.affected_rows = len(tables)
        return None

    def table_ref(self, p):
        first = p.ident()
        if p.accept_punct("."):
            return first, p.ident()
        return self.session.db_or_current(None), first

    @statement("CREATE TABLE", changes=True)
    def create_table(self, sql):
        p = Parser.after(sql, "CREATE", "TABLE")
        if_not_exists = p.if_not_exists()
        db, name = self.table_ref(p)
        if db.lower() in SYSTEM_DATABASES:
            raise internal("can not create table in system database %s" % db)
        if not self.session.db_exists(self.session.conn, db):
            raise errors.MoError(errors.BAD_DB, "Unknown database %s" % db)
        if p.accept("CLONE"):
            return self.session.restores.clone(p, db, name)
        if p.accept("LIKE"):
            src_db, src = self.table_ref(p)
            p.end()
            table = self.session.table_def(self.session.conn, src_db, src)
            if table is None:
                raise errors.parse('table "%s" does not exist' % src)
        else:
            table = ddl.parse_create_body(p)
        if self.session.table_def(self.session.conn, db, name) is not None:
            if if_not_exists:
                return None
            raise errors.MoError(errors.TABLE_EXISTS, "table %s already exists" % name)
        self._write_table(db, name, table)
        return None

    def _write_table(self, db, name, table, replace=False):
        conn = self.session.conn
        if replace:
            conn.execute("DELETE FROM __mo_tables WHERE db = ? AND name = ?", (db, name))
        for stmt in ddl.sqlite_statements(db, name, table):
            conn.execute(stmt)
        conn.execute("INSERT INTO __mo_tables(db, name, columns, ddl, created_ns) VALUES (?,?,?,?,?)",
                     (db, name, json.dumps(table), ddl.render_mysql(name, table), now_ns()))

    @statement("CREATE VIEW", "CREATE OR", changes=True)
    def create_view(self, sql):
        """CREATE [OR REPLACE] VIEW db.v AS SELECT ...: the query is kept as written and run when the view is read
        (now or at a snapshot, with its tables read at the same point); mo_tables lists it (relkind 'v') with the
        statement as rel_createsql, as real v4.1.4 keeps it."""
        p = Parser.after(sql, "CREATE")
        replace = bool(p.accept("OR"))
        if replace:
            p.expect("REPLACE")
        p.expect("VIEW")
        db, name = self.table_ref(p)
        p.expect("AS")
        query = sql[p.tokens[p.i].start:].strip().rstrip(";")
        if db.lower() in SYSTEM_DATABASES:
            raise internal("can not create view in system database %s" % db)
        if not self.session.db_exists(self.session.conn, db):
            raise errors.MoError(errors.BAD_DB, "Unknown database %s" % db)
        exists = self.view(self.session.conn, "main", db, name) is not None
        if self.session.table_def(self.session.conn, db, name) is not None or (exists and not replace):
            raise errors.MoError(errors.TABLE_EXISTS, "table %s already exists" % name)
        columns = self._view_columns(db, query)
        self.session.conn.execute("INSERT OR REPLACE INTO __mo_views(db, name, query, ddl, created_ns, columns) "
                                  "VALUES (?,?,?,?,?,?)", (db, name, query, sql.strip().rstrip(";"), now_ns(),
                                                           json.dumps(columns)))
        return None

    def _view_columns(self, db, query):
        """The column names of a view's query, fixed when it is created (mo_columns lists them, as MatrixOne does)."""
        created = []
        try:
            table = self.session.queries.materialize_view(self.session.conn, "main", db, query, created)
            return [r[1] for r in self.session.conn.execute("PRAGMA temp.table_info(%s)" % table)]
        finally:
            for name in created:
                self.session.conn.execute("DROP TABLE IF EXISTS temp.%s" % name)

    @statement("DROP VIEW", changes=True)
    def drop_view(self, sql):
        p = Parser.after(sql, "DROP", "VIEW")
        if_exists = p.if_exists()
        db, name = self.table_ref(p)
        p.end()
        if self.view(self.session.conn, "main", db, name) is None:
            if if_exists:
                return None
            raise errors.parse('table "%s" does not exist' % name)
        self.session.conn.execute("DELETE FROM __mo_views WHERE db = ? AND name = ?", (db, name))
        return None

    @staticmethod
    def view(conn, schema, db, name):
        """The query of view db.name in a schema (main or a snapshot copy), or None."""
        row = conn.execute("SELECT query FROM %s.__mo_views WHERE db = ? AND name = ?" % schema, (db, name)).fetchone()
        return row[0] if row else None

    @statement("DROP TABLE", changes=True)
    def drop_table(self, sql):
        p = Parser.after(sql, "DROP", "TABLE")
        if_exists = p.if_exists()
        refs = [self.table_ref(p)]
        while p.accept_punct(","):
            refs.append(self.table_ref(p))
        p.end()
        for db, name in refs:
            if self.session.table_def(self.session.conn, db, name) is None:
                if if_exists:
                    continue
                raise errors.no_such_table(db, name)
            self.session.conn.execute("DROP TABLE %s" % ddl.sqlite_name(db, name))
            self.session.conn.execute("DELETE FROM __mo_tables WHERE db = ? AND name = ?", (db, name))
        return None

    @statement("ALTER TABLE", changes=True)
    def alter_table(self, sql):
        db, name, p = ddl.parse_alter(sql)
        db = self.session.db_or_current(db)
        table = self.session.table_def(self.session.conn, db, name)
        if table is None:
            raise errors.no_such_table(db, name)
        new, rename_to, mapping = ddl.apply_alter(p, name, table)
        self._rebuild(db, name, new, mapping, rename_to or name)
        return None

    def _rebuild(self, db, name, new, mapping, new_name):
        """Recreate a table with a new definition, copying the columns that survive."""
        conn = self.session.conn
        tmp = ddl.sqlite_name(db, name + ".__rebuild")
        stmts = ddl.sqlite_statements(db, name, new, target=tmp)
        conn.execute("SAVEPOINT alter_table")
        try:
            conn.execute(stmts[0])
            pairs = [(dst, src) for dst, src in mapping.items() if src is not None]
            if pairs:
                conn.execute("INSERT INTO %s (%s) SELECT %s FROM %s" % (
                    tmp, ", ".join('"%s"' % pair[0] for pair in pairs), ", ".join('"%s"' % pair[1] for pair in pairs),
                    ddl.sqlite_name(db, name)))
            conn.execute("DROP TABLE %s" % ddl.sqlite_name(db, name))
            conn.execute("ALTER TABLE %s RENAME TO %s" % (tmp, ddl.sqlite_name(db, new_name)))
            for stmt in ddl.sqlite_statements(db, new_name, new)[1:]:
                conn.execute(stmt)
            conn.execute("DELETE FROM __mo_tables WHERE db = ? AND name = ?", (db, name))
            conn.execute("INSERT INTO __mo_tables(db, name, columns, ddl, created_ns) VALUES (?,?,?,?,?)",
                         (db, new_name, json.dumps(new), ddl.render_mysql(new_name, new), now_ns()))
            conn.execute("RELEASE alter_table")
        except Exception:
            conn.execute("ROLLBACK TO alter_table")
            conn.execute("RELEASE alter_table")
            raise

    @statement("CREATE INDEX", "CREATE UNIQUE", changes=True)
    def create_index(self, sql):
        p = Parser.after(sql, "CREATE")
        unique = bool(p.accept("UNIQUE"))
        p.expect("INDEX")
        ix = p.ident()
        p.expect("ON")
        db, name = self.table_ref(p)
        cols = ddl._ident_list(p)  # pylint: disable=protected-access
        p.end()
        table = self.session.table_def(self.session.conn, db, name)
        if table is None:
            raise errors.parse('table "%s" does not exist' % name)
        new = json.loads(json.dumps(table))
        new["indexes"].append({"name": ix, "columns": cols, "unique": unique})
        self._rebuild(db, name, new, {c["name"]: c["name"] for c in new["columns"]}, name)
        return None

    @statement("DROP INDEX", changes=True)
    def drop_index(self, sql):
        p = Parser.after(sql, "DROP")
        p.expect("INDEX")
        ix = p.ident()
        p.expect("ON")
        db, name = self.table_ref(p)
        p.end()
        table = self.session.table_def(self.session.conn, db, name)
        if table is None:
            raise errors.no_such_table(db, name)
        new = json.loads(json.dumps(table))
        new["indexes"] = [i for i in new["indexes"] if i["name"].lower() != ix.lower()]
        if len(new["indexes"]) == len(table["indexes"]):
            raise errors.MoError(1091, "Can't DROP '%s'; check that column/key exists" % ix)
        self._rebuild(db, name, new, {c["name"]: c["name"] for c in new["columns"]}, name)
        return None

    @statement("TRUNCATE", changes=True)
    def truncate(self, sql):
        p = Parser.after(sql, "TRUNCATE")
        p.accept("TABLE")
        db, name = self.table_ref(p)
        p.end()
        if self.session.table_def(self.session.conn, db, name) is None:
            raise errors.no_such_table(db, name)
        self.session.conn.execute("DELETE FROM %s" % ddl.sqlite_name(db, name))
        return None

    # -- SHOW for schema objects (optionally at a snapshot) --------------------------------------------------
    def snapshot_suffix(self, p):
        """Optional `{SNAPSHOT = 'sp'}` at the end of SHOW DATABASES/TABLES/CREATE TABLE."""
        if p.accept_punct("{"):
            if not self.version.show_with_snapshot:
                raise p.error()
            kind = p.expect("SNAPSHOT", "MO_TS", "TIMESTAMP")
            p.expect_punct("=")
            value = p.ident_or_string() if kind == "SNAPSHOT" else p.peek().value
            if kind != "SNAPSHOT":
                p.i += 1
            p.expect_punct("}")
            return kind, value
        return None

    def with_source(self, spec, fn):
        """Run fn(conn, schema) against live data or an attached snapshot copy."""
        if spec is None:
            return fn(self.session.conn, "main")
        uri = self.snapshot_copy_uri(spec)
        conn = self.session.conn
        conn.execute("ATTACH DATABASE ? AS snapsrc", (uri,))
        try:
            return fn(conn, "snapsrc")
        finally:
            conn.execute("DETACH DATABASE snapsrc")

    def snapshot_copy_uri(self, spec):
        kind, value = spec
        if kind == "MO_TS":
            if int(value) <= 0:
                raise errors.MoError(20203, "invalid argument invalid timestamp value, bad value %s" % value)
            uri = self.cluster.copy_at(int(value), self.session.account_name)
            if uri is None:  # this server keeps history only at snapshot timestamps
                raise internal("the test server has no data of account %s at mo_ts %s (it keeps history only at "
                               "snapshot timestamps)" % (self.session.account_name, value))
            return uri
        if kind != "SNAPSHOT":
            raise internal("time-travel reads by %s are not supported by this server" % kind.lower())
        snap = self.cluster.snapshot(self.session.account_id, value)
        if snap is None:
            raise internal("find 0 snapshot records by name(%s), expect only 1" % value)
        owner = self._snapshot_tenant(snap)[1]
        uri = self.cluster.copy_uri(snap["snapshot_id"], owner)
        if uri is None:
            raise internal("snapshot %s does not cover account %s" % (value, owner))
        return uri

    def _snapshot_tenant(self, snap):
        """(id, name) of the account a read at this snapshot sees: sys reading at a tenant's account snapshot
        sees that tenant (real v4.1.4), everyone else their own account."""
        if snap["level"] == "account" and snap["account_name"] != self.session.account_name:
            return int(snap["obj_id"]), snap["account_name"]
        return self.session.account_id, self.session.account_name

    def _catalog_account(self, schema):
        """account_id of the catalog rows read from this schema (an attached snapshot copy or main)."""
        kind, value = self.session.read_specs.get(schema, (None, None))
        snap = self.cluster.snapshot(self.session.account_id, value) if kind == "SNAPSHOT" else None
        return self._snapshot_tenant(snap)[0] if snap else self.session.account_id

    def catalog_sources(self, conn, schema):
        """[(account_id, connection, schema)] whose catalog rows mo_database, mo_tables and mo_columns show. sys sees
        every account's, now and at a cluster snapshot (real v4.1.4 and v3.0.18: the rows carry account_id); anyone
        else, and sys at another point, the one account read."""
        kind, value = self.session.read_specs.get(schema, (None, None))
        if not self.session.is_sys or kind not in (None, "SNAPSHOT"):
            return [(self._catalog_account(schema), conn, schema)]
        if kind is None:
            ids = [r[0] for r in self.cluster.catalog.execute("SELECT id FROM accounts ORDER BY id")]
            return [(i, conn if i == self.session.account_id else self.cluster.account_conn(i), "main") for i in ids]
        snap = self.cluster.snapshot(self.session.account_id, value)
        if snap is None or snap["level"] != "cluster":
            return [(self._catalog_account(schema), conn, schema)]
        out = []
        for account_id, _name, _admin, store in self.cluster.snapshot_copies(snap["snapshot_id"]):
            copy = sqlite3.connect(self.cluster.store.uri(store), uri=True, check_same_thread=False)
            self.session.opened.append(copy)
            out.append((account_id, copy, "main"))
        return out

    @statement("SHOW DATABASES", "SHOW SCHEMAS")
    def show_databases(self, sql):
        p = Parser.after(sql, "SHOW")
        p.expect("DATABASES", "SCHEMAS")
        pattern = p.string() if p.accept("LIKE") else None
        spec = self.snapshot_suffix(p)
        p.end()
        system = SYSTEM_DATABASES_SYS if self.session.is_sys else SYSTEM_DATABASES_TENANT

        def fetch(conn, schema):
            return [r[0] for r in conn.execute("SELECT name FROM %s.__mo_databases" % schema)]
        names = sorted(set(system) | set(self.with_source(spec, fetch)))
        return result(("Database",), [(n,) for n in names if pattern is None or like(pattern, n)])

    @statement("SHOW TABLES", "SHOW FULL")
    def show_tables(self, sql):
        p = Parser.after(sql, "SHOW")
        full = bool(p.accept("FULL"))
        p.expect("TABLES")
        db = None
        if p.accept("FROM", "IN"):
            db = p.ident()
        pattern = p.string() if p.accept("LIKE") else None
        spec = self.snapshot_suffix(p)
        p.end()
        db = self.session.db_or_current(db)

        def fetch(conn, schema):
            if db.lower() not in SYSTEM_DATABASES and not self.session.db_exists(conn, db, schema):
                raise errors.MoError(errors.BAD_DB, "Unknown database %s" % db)
            return conn.execute("SELECT name, 'BASE TABLE' FROM %s.__mo_tables WHERE db = ? UNION ALL "
                                "SELECT name, 'VIEW' FROM %s.__mo_views WHERE db = ? ORDER BY 1" % (schema, schema),
                                (db, db)).fetchall()
        rows = [r for r in self.with_source(spec, fetch) if pattern is None or like(pattern, r[0])]
        if full:
            return result(("Tables_in_%s" % db, "Table_type"), rows)
        return result(("Tables_in_%s" % db,), [(n,) for n, _kind in rows])

    @statement("SHOW CREATE")
    def show_create(self, sql):
        p = Parser.after(sql, "SHOW", "CREATE")
        if p.accept("DATABASE", "SCHEMA"):
            db = p.ident()
            spec = self.snapshot_suffix(p)
            p.end()

            def fetch_db(conn, schema):
                if db.lower() not in SYSTEM_DATABASES and not self.session.db_exists(conn, db, schema):
                    raise errors.MoError(errors.BAD_DB, "Unknown database %s" % db)
                return [(db, "CREATE DATABASE `%s`" % db)]
            return result(("Database", "Create Database"), self.with_source(spec, fetch_db))
        p.expect("TABLE")
        db, name = self.table_ref(p)
        spec = self.snapshot_suffix(p)
        p.end()

        def fetch(conn, schema):
            row = conn.execute("SELECT ddl FROM %s.__mo_tables WHERE db = ? AND name = ?" % schema,
                               (db, name)).fetchone()
            if row is None:
                raise errors.parse('table "%s" does not exist' % name)
            return [(name, row[0])]
        return result(("Table", "Create Table"), self.with_source(spec, fetch))

    @statement("SHOW COLUMNS", "SHOW FIELDS", "DESC", "DESCRIBE")
    def show_columns(self, sql):
        p = Parser(sql)
        first = p.expect("SHOW", "DESC", "DESCRIBE")
        if first == "SHOW":
            p.accept("FULL")
            p.expect("COLUMNS", "FIELDS")
            p.expect("FROM", "IN")
        db, name = self.table_ref(p)
        if first == "SHOW" and p.accept("FROM", "IN"):
            db = p.ident()
        p.end()
        table = self.session.table_def(self.session.conn, db, name)
        if table is None:
            raise errors.parse('table "%s" does not exist' % name)
        rows = []
        for c in table["columns"]:
            key = "PRI" if c["name"] in table["primary_key"] else (
                "UNI" if any(ix["unique"] and ix["columns"][0] == c["name"] for ix in table["indexes"]) else "")
            rows.append((c["name"], c["type"].upper(), "YES" if c["nullable"] else "NO", key, c["default"],
                         "auto_increment" if c["auto_increment"] else ""))
        return result(("Field", "Type", "Null", "Key", "Default", "Extra"), rows)
