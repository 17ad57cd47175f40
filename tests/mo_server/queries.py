"""Queries and DML through sqlglot and SQLite, and the system tables (information_schema, mo_catalog) they read."""

import json
import re
import sqlite3

from sqlglot import exp

from . import ddl, errors, sqlrun
from .common import NO_PRIVILEGE, Statements, ns_datetime, result, statement
from .errors import internal
from .storage import SYSTEM_DATABASES, SYSTEM_DATABASES_SYS, SYSTEM_DATABASES_TENANT


class QueryStatements(Statements):
    """Queries and DML (sqlglot -> SQLite), and the system tables built for a statement."""

    # -- DML and queries ------------------------------------------------------------------------------------
    @statement("SELECT", "WITH", "(", "INSERT", "UPDATE", "DELETE", "REPLACE", changes="without_rows")
    def run_dml(self, sql):
        m = re.match(r"\s*select\s+mo_feature_limit_upsert\s*\(\s*(\d+)\s*,\s*'snapshot'\s*,\s*'(\w+)'\s*,"
                     r"\s*(-?\d+)\s*\)\s*;?\s*$", sql, re.I)
        if m:
            if not self.session.is_sys:
                raise internal(NO_PRIVILEGE)
            self.cluster.catalog.execute("INSERT OR REPLACE INTO feature_limits VALUES (?, ?, ?)",
                                         (int(m.group(1)), m.group(2).lower(), int(m.group(3))))
            return result(("mo_feature_limit_upsert",), [(0,)])
        fast = sqlrun.fast_insert(sql)
        conn = self.session.conn
        if fast is not None:
            ref, cols, values, ignore = fast
            parts = [x.strip().strip("`") for x in ref.split(".")]
            db, name = (parts[0], parts[1]) if len(parts) == 2 else (self.session.db_or_current(None), parts[0])
            self._check_table(conn, "main", db, name, is_target=True)
            text = "INSERT %sINTO %s %s VALUES %s" % (
                "OR IGNORE " if ignore else "", ddl.sqlite_name(db, name), cols.replace("`", '"'), values)
            return self._execute_sqlite(conn, text)
        rewritten, specs = sqlrun.extract_snapshot_reads(sql)
        attached, virtual, past_reads = {}, [], {}

        def resolve(catalog, db, name, is_target):
            schema = "main"
            if catalog and catalog.startswith(sqlrun.SNAP_CATALOG):
                # real MatrixOne (v4.1.4) reads a table at the first past point the statement names for it, also
                # where the statement names another point later (sp2 EXCEPT sp1 comes back empty)
                spec = past_reads.setdefault(((db or "").lower(), name.lower()),
                                             specs[int(catalog[len(sqlrun.SNAP_CATALOG):])])
                uri = self.session.schema.snapshot_copy_uri(spec)
                if uri not in attached:  # SQLite attaches a database once: one schema per copy
                    attached[uri] = "snap%d" % len(attached)
                    conn.execute("ATTACH DATABASE ? AS %s" % attached[uri], (uri,))
                    self.session.read_specs[attached[uri]] = spec
                schema = attached[uri]
            if db == sqlrun.CURRENT_DB or not db:
                db = self.session.db_or_current(None)
            return self._resolve_in(conn, schema, db, name, is_target, virtual)

        try:
            parts = sqlrun.split_union_all(rewritten)
            text = sqlrun.regroup_union_all([self._translate(part, resolve) for part in parts])
            return self._execute_sqlite(conn, text)
        finally:
            for table in virtual:
                conn.execute("DROP TABLE IF EXISTS temp.%s" % table)
            for schema in attached.values():
                conn.execute("DETACH DATABASE %s" % schema)
            while self.session.opened:  # snapshot copies of other accounts opened for a catalog read
                self.session.opened.pop().close()

    def _resolve_in(self, conn, schema, db, name, is_target, virtual):
        """(schema, SQLite table) of db.name read in a schema (main or a snapshot copy): a table, a system table or a
        view, both materialised for this statement."""
        if db.lower() in ("information_schema", "mo_catalog"):
            if is_target:
                raise internal("do not have privilege to execute the statement")
            return "temp", self._materialize(conn, schema, db.lower(), name.lower(), virtual)
        query = self.session.schema.view(conn, schema, db, name)
        if query is not None and not is_target:
            return "temp", self.materialize_view(conn, schema, db, query, virtual)
        self._check_table(conn, schema, db, name, is_target)
        return schema, "%s.%s" % (db, name)

    def materialize_view(self, conn, schema, db, query, created):
        """A view's rows for this statement: its query run with its tables read in the same schema (at the same
        point in time, as real v4.1.4 reads a view at a snapshot)."""
        def resolve(_catalog, inner_db, name, is_target):
            return self._resolve_in(conn, schema, inner_db or db, name, is_target, created)
        tname = "v%d_view" % len(created)
        conn.execute("CREATE TEMP TABLE %s AS %s" % (tname, self._translate(query, resolve)))
        created.append(tname)
        return tname

    def _translate(self, sql, resolve):
        """One MySQL statement (already free of snapshot suffixes) -> SQLite text."""
        if re.match(r"\s*replace\b", sql, re.I):  # REPLACE INTO -> INSERT OR REPLACE
            tree = sqlrun.parse(re.sub(r"^\s*replace\b", "INSERT", sql, flags=re.I))
            tree.set("alternative", "REPLACE")
        else:
            tree = sqlrun.parse(sql)
        sqlrun.label_projections(tree)
        if self.version.at_least(4, 0):  # real 4.1.4 refuses what 3.0.18 summed as 0/1
            for node in tree.find_all(exp.Sum):
                if isinstance(node.this, _BOOLEAN_EXPRESSIONS):
                    raise errors.MoError(20203, "invalid argument aggregate function sum, bad value [BOOL]")
        session_values = {"VERSION": self.version.version_string, "DATABASE": self.session.database,
                          "CURRENT_USER": "%s@%%" % self.session.user}
        for param in list(tree.find_all(exp.SessionParameter)):
            value = self.session.variables.get(param.name.lower(), None)
            param.replace(exp.Literal.number(value) if isinstance(value, int) else
                          (exp.Literal.string(str(value)) if value is not None else exp.Null()))
        for node_type, key in ((exp.CurrentVersion, "VERSION"), (exp.CurrentSchema, "DATABASE"),
                               (exp.CurrentUser, "CURRENT_USER")):
            for node in list(tree.find_all(node_type)):
                value = session_values[key]
                node.replace(exp.Literal.string(value) if value is not None else exp.Null())
        return sqlrun.translate(tree, resolve, self._column_types)

    def _column_types(self, schema, table):
        """{column: MySQL type} of a table this statement reads (SQLite name db.name), for DECIMAL scales."""
        if schema == "temp" or "." not in table:
            return {}
        db, name = table.split(".", 1)
        row = self.session.conn.execute("SELECT columns FROM %s.__mo_tables WHERE db = ? AND name = ?" % schema,
                                        (db, name)).fetchone()
        return dict((c["name"], c["type"]) for c in json.loads(row[0])["columns"]) if row else {}

    def _check_table(self, conn, schema, db, name, is_target=False):
        """A missing table: a read answers 1064, the target of INSERT, UPDATE or DELETE 1146 (real v4.1.4)."""
        if db.lower() in SYSTEM_DATABASES:
            raise errors.parse('table "%s" does not exist' % name)
        if conn.execute("SELECT 1 FROM %s.__mo_tables WHERE db = ? AND name = ?" % schema,
                        (db, name)).fetchone() is None:
            if not self.session.db_exists(conn, db, schema):
                raise errors.MoError(errors.BAD_DB, "Unknown database %s" % db)
            if is_target:
                raise errors.no_such_table(db, name)
            raise errors.parse('table "%s" does not exist' % name)

    def _execute_sqlite(self, conn, text):
        try:
            cur = conn.execute(text)
        except sqlite3.IntegrityError as exc:
            msg = str(exc)
            if "UNIQUE" in msg or "PRIMARY KEY" in msg:
                raise errors.MoError(errors.DUP_ENTRY, "Duplicate entry for key '%s'" % msg.rsplit(": ", maxsplit=1)[-1]) from None
            if "NOT NULL" in msg:
                raise errors.MoError(1048, "Column '%s' cannot be null" % msg.rsplit(".", maxsplit=1)[-1]) from None
            raise errors.MoError(1105, msg) from None
        except sqlite3.OperationalError as exc:
            raise column_error(exc) from None
        if cur.description:
            columns = [d[0] for d in cur.description]
            return result(columns, cur.fetchall())
        self.session.affected_rows = max(cur.rowcount, 0)
        self.session.last_insert_id = cur.lastrowid or 0
        return None

    # -- virtual system tables ------------------------------------------------------------------------------
    def _materialize(self, conn, schema, db, name, created):
        """Fill a temp table with a system table's rows for this statement only."""
        builder = _VIRTUAL.get((db, name))
        if builder is None:
            raise errors.parse('table "%s" does not exist' % name)
        group, method = builder
        columns, rows = getattr(getattr(self.session, group), method)(conn, schema)
        tname = "v%d_%s_%s" % (len(created), db, name)
        conn.execute("CREATE TEMP TABLE %s (%s)" % (tname, ", ".join('"%s"' % c for c in columns)))
        if rows:
            conn.executemany("INSERT INTO temp.%s VALUES (%s)" % (tname, ", ".join("?" * len(columns))), rows)
        created.append(tname)
        return tname

    def _v_tables(self, conn, schema):
        rows = []
        for db, name, created in conn.execute("SELECT db, name, created_ns FROM %s.__mo_tables ORDER BY db, name"
                                              % schema).fetchall():
            count = conn.execute("SELECT count(*) FROM %s.%s" % (schema, ddl.sqlite_name(db, name))).fetchone()[0]
            rows.append(("def", db, name, "BASE TABLE", "Tae", count, ns_datetime(created)))
        return ("TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "TABLE_TYPE", "ENGINE", "TABLE_ROWS",
                "CREATE_TIME"), rows

    def _v_columns(self, conn, schema):
        rows = []
        for db, name, cols in conn.execute("SELECT db, name, columns FROM %s.__mo_tables" % schema).fetchall():
            table = json.loads(cols)
            for pos, c in enumerate(table["columns"], 1):
                key = "PRI" if c["name"] in table["primary_key"] else ""
                rows.append(("def", db, name, c["name"], pos, c["default"], "YES" if c["nullable"] else "NO",
                             c["type"].split("(")[0], c["type"], key))
        return ("TABLE_CATALOG", "TABLE_SCHEMA", "TABLE_NAME", "COLUMN_NAME", "ORDINAL_POSITION", "COLUMN_DEFAULT",
                "IS_NULLABLE", "DATA_TYPE", "COLUMN_TYPE", "COLUMN_KEY"), rows

    def _v_mo_columns(self, conn, schema):
        """mo_catalog.mo_columns as MatrixOne keeps it: types and defaults as bytes, the hidden __mo_rowid, and the
        primary key marked on its column when it has one; a composite key (columns marked 'n') and a table without
        a key get a hidden key column instead (__mo_cpkey_col, __mo_fake_pk_col)."""
        rows = []
        for account_id, source, at in self.session.schema.catalog_sources(conn, schema):
            for db, name, cols in source.execute("SELECT db, name, columns FROM %s.__mo_tables" % at).fetchall():
                table = json.loads(cols)
                single = table["primary_key"] if len(table["primary_key"]) == 1 else []
                for num, c in enumerate(table["columns"], 1):
                    rows.append((account_id, db, name, c["name"], c["type"].lower().encode(), num,
                                 int(not c["nullable"]), "p" if c["name"] in single else "n",
                                 int(c["auto_increment"]), default_bytes(c), c.get("comment") or "", 0, 0))
                hidden = [] if single else ["__mo_cpkey_col" if table["primary_key"] else "__mo_fake_pk_col"]
                for extra, key in [(h, "p") for h in hidden] + [("__mo_rowid", "")]:
                    rows.append((account_id, db, name, extra, b"rowid" if not key else b"varchar",
                                 len(table["columns"]) + 1, 1, key, 0, b"", "", 1, 0))
            for db, name, cols in source.execute("SELECT db, name, columns FROM %s.__mo_views" % at).fetchall():
                names = json.loads(cols or "[]")  # a view's columns: nullable, no default (real v4.1.4, v3.0.18)
                for num, column in enumerate(names, 1):
                    rows.append((account_id, db, name, column, b"view", num, 0, "n", 0, b"\x18\x01", "", 0, 0))
                rows.append((account_id, db, name, "__mo_rowid", b"rowid", len(names) + 1, 1, "", 0, b"", "", 1, 0))
        return ("account_id", "att_database", "att_relname", "attname", "atttyp", "attnum", "attnotnull",
                "att_constraint_type", "att_is_auto_increment", "att_default", "att_comment", "att_is_hidden",
                "attisdropped"), rows

    def _v_mo_indexes(self, conn, schema):
        """mo_catalog.mo_indexes of the account read: one row per key column in key order (table_id is
        mo_tables.rel_id), PRIMARY, UNIQUE and MULTIPLE; a MULTIPLE index ends with the hidden column MatrixOne adds
        (__mo_alias_ and the primary key's column, or its fake key: real v4.1.4)."""
        rows = []
        for rel_id, cols in conn.execute("SELECT rowid, columns FROM %s.__mo_tables" % schema).fetchall():
            table = json.loads(cols)
            for pos, col in enumerate(table["primary_key"], 1):
                rows.append((rel_id, "PRIMARY", "PRIMARY", col, pos))
            alias = "__mo_alias_" + (table["primary_key"][0] if len(table["primary_key"]) == 1 else
                                     "__mo_cpkey_col" if table["primary_key"] else "__mo_fake_pk_col")
            for index in table["indexes"]:
                kind = "UNIQUE" if index["unique"] else "MULTIPLE"
                hidden = [] if index["unique"] else [alias]
                for pos, col in enumerate(index["columns"] + hidden, 1):
                    rows.append((rel_id, index["name"], kind, col, pos))
        return ("table_id", "name", "type", "column_name", "ordinal_position"), rows

    def _v_mo_foreign_keys(self, conn, schema):
        """mo_catalog.mo_foreign_keys of the account read: one row per referencing column."""
        rows = []
        for db, name, cols in conn.execute("SELECT db, name, columns FROM %s.__mo_tables" % schema).fetchall():
            for text in json.loads(cols).get("foreign_keys", []):
                m = re.search(r"FOREIGN\s+KEY\s*\(([^)]*)\)\s*REFERENCES\s+([`\w.$-]+)\s*\(([^)]*)\)", text, re.I)
                if not m:
                    continue
                parent = [part.strip("`") for part in m.group(2).split(".")]
                parent_db, parent_table = (parent[0], parent[1]) if len(parent) == 2 else (db, parent[0])
                for col, ref in zip(m.group(1).split(","), m.group(3).split(",")):
                    rows.append((db, name, col.strip().strip("`"), parent_db, parent_table, ref.strip().strip("`"),
                                 "RESTRICT", "RESTRICT"))
        return ("db_name", "table_name", "column_name", "refer_db_name", "refer_table_name", "refer_column_name",
                "on_delete", "on_update"), rows

    def _v_schemata(self, conn, schema):
        system = SYSTEM_DATABASES_SYS if self.session.is_sys else SYSTEM_DATABASES_TENANT
        names = sorted(set(system) | {r[0] for r in conn.execute("SELECT name FROM %s.__mo_databases" % schema)})
        return ("CATALOG_NAME", "SCHEMA_NAME"), [("def", n) for n in names]

    def _v_mo_database(self, conn, schema):
        rows = []
        for account_id, source, at in self.session.schema.catalog_sources(conn, schema):
            names = source.execute("SELECT name FROM %s.__mo_databases ORDER BY name" % at)
            rows += [(n, i, "create database `%s`" % n, account_id) for i, (n,) in enumerate(names, 1)]
        return ("datname", "dat_id", "dat_createsql", "account_id"), rows

    def _v_mo_tables(self, conn, schema):
        rows = []
        for account_id, source, at in self.session.schema.catalog_sources(conn, schema):
            rows += [(rel_id, name, db, kind, ddl_text, account_id)
                     for rel_id, db, name, kind, ddl_text in source.execute(
                         "SELECT rowid, db, name, 'r', coalesce(catalog_sql, ddl) FROM %s.__mo_tables UNION ALL "
                         "SELECT -rowid, db, name, 'v', ddl FROM %s.__mo_views ORDER BY 2, 3" % (at, at))]
        return ("rel_id", "relname", "reldatabase", "relkind", "rel_createsql", "account_id"), rows

    def _v_mo_snapshots(self, conn, schema):  # pylint: disable=unused-argument
        cols = ("snapshot_id", "sname", "ts", "level", "account_name", "database_name", "table_name", "obj_id")
        if self.version.quota:
            cols += ("kind",)
        rows = self.cluster.catalog.execute("SELECT %s FROM snapshots WHERE creator = ?" % ", ".join(cols),
                                            (self.session.account_id,)).fetchall()
        return cols, rows

    def _v_mo_account(self, conn, schema):  # pylint: disable=unused-argument
        if not self.session.is_sys:
            raise errors.parse('table "mo_account" does not exist')
        catalog = self.cluster.catalog
        if schema != "main":  # accounts at the snapshot: the accounts a cluster snapshot copied
            kind, value = self.session.read_specs[schema]
            snap = self.cluster.snapshot(self.session.account_id, value) if kind == "SNAPSHOT" else None
            sid = snap["snapshot_id"] if snap else ""
            rows = [(i, n, "open", "", "") for i, n, _admin, _store in self.cluster.snapshot_copies(sid)]
            return ("account_id", "account_name", "status", "created_time", "comments"), rows
        rows = [(i, n, s, ns_datetime(c), cm)
                for i, n, s, c, cm in catalog.execute(
                    "SELECT id, name, status, created_ns, comment FROM accounts ORDER BY id")]
        return ("account_id", "account_name", "status", "created_time", "comments"), rows

    def _v_mo_version(self, conn, schema):  # pylint: disable=unused-argument
        """mo_catalog.mo_version: the catalog version of each upgrade (one row: this server never upgrades)."""
        if not self.session.is_sys or self.version.catalog_version is None:
            raise errors.parse('table "mo_version" does not exist')
        created = ns_datetime(self.cluster.created_ns)
        return ("version", "version_offset", "state", "create_at", "update_at"), [
            (self.version.catalog_version, 1, 2, created, created)]

    def _v_mo_user(self, conn, schema):
        """The account's users (at the point read): an account restore brings them back, passwords included."""
        rows = conn.execute("SELECT name, status, role, auth FROM %s.__mo_users ORDER BY name" % schema).fetchall()
        return ("user_name", "status", "default_role", "authentication_string"), rows

    def _v_mo_user_grant(self, conn, schema):
        """Which role each user holds (this server keeps one role per user)."""
        rows = conn.execute("SELECT role, name FROM %s.__mo_users ORDER BY name" % schema).fetchall()
        return ("role_name", "user_name"), rows

    def _v_mo_role(self, conn, schema):  # pylint: disable=unused-argument
        """The built-in roles of the account (this server creates no others; a new user changes no role: real
        v4.1.4)."""
        return ("role_name",), [("moadmin",), ("public",)] if self.session.is_sys else [("accountadmin",), ("public",)]

    def _empty_system_table(self, conn, schema):  # pylint: disable=unused-argument
        """mo_catalog tables of things this server cannot create (its own roles, grants of privileges, functions,
        procedures, stages): empty, at every point."""
        return ("id",), []


def default_bytes(column):
    """The column default the way MatrixOne stores it: a protobuf with the written text (field 2) and the
    nullability (field 3); a nullable column without a default keeps only field 3."""
    out = b""
    if column["default"] is not None:
        text = column["default"].encode()
        out += b"\x12" + bytes([len(text)]) + text
    if column["nullable"]:
        out += b"\x18\x01"
    return out


def column_error(exc):
    msg = str(exc)
    m = re.match(r"no such column: (.*)", msg)
    if m:
        return errors.MoError(1054, "Unknown column '%s' in 'field list'" % m.group(1))
    if "syntax error" in msg or "incomplete input" in msg:
        return errors.MoError(errors.PARSE, "SQL parser error: " + msg)
    if "do not have the same number of result columns" in msg:  # as real v4.1.4 (recorded, flow rehearsal)
        return errors.parse("SELECT statements have different number of columns")
    return errors.MoError(1105, msg)


_BOOLEAN_EXPRESSIONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Like, exp.In, exp.And, exp.Or, exp.Not,
                        exp.Is, exp.Between)


_VIRTUAL = {
    ("information_schema", "tables"): ("queries", "_v_tables"),
    ("information_schema", "columns"): ("queries", "_v_columns"),
    ("mo_catalog", "mo_columns"): ("queries", "_v_mo_columns"),
    ("mo_catalog", "mo_indexes"): ("queries", "_v_mo_indexes"),
    ("mo_catalog", "mo_foreign_keys"): ("queries", "_v_mo_foreign_keys"),
    ("mo_catalog", "mo_pitr"): ("pitr", "_v_mo_pitr"),
    ("information_schema", "schemata"): ("queries", "_v_schemata"),
    ("mo_catalog", "mo_database"): ("queries", "_v_mo_database"),
    ("mo_catalog", "mo_tables"): ("queries", "_v_mo_tables"),
    ("mo_catalog", "mo_snapshots"): ("queries", "_v_mo_snapshots"),
    ("mo_catalog", "mo_account"): ("queries", "_v_mo_account"),
    ("mo_catalog", "mo_user"): ("queries", "_v_mo_user"),
    ("mo_catalog", "mo_user_grant"): ("queries", "_v_mo_user_grant"),
    ("mo_catalog", "mo_role"): ("queries", "_v_mo_role"),
    ("mo_catalog", "mo_role_grant"): ("queries", "_empty_system_table"),
    ("mo_catalog", "mo_role_privs"): ("queries", "_empty_system_table"),
    ("mo_catalog", "mo_role_rule"): ("queries", "_empty_system_table"),
    ("mo_catalog", "mo_user_defined_function"): ("queries", "_empty_system_table"),
    ("mo_catalog", "mo_stored_procedure"): ("queries", "_empty_system_table"),
    ("mo_catalog", "mo_stages"): ("queries", "_empty_system_table"),
    ("mo_catalog", "mo_version"): ("queries", "_v_mo_version"),
}
