"""Statement execution for one client session against the shared Cluster state.

MatrixOne-specific statements (snapshots, restore, accounts, SHOW ...) and DDL are parsed here
with the small tokenizer; DML and queries go through sqlrun (sqlglot -> SQLite).
"""
# pylint: disable=too-many-lines,too-many-public-methods

import datetime
import json
import re
import sqlite3

from sqlglot import exp
from mysql_mimic.auth import NativePasswordAuthPlugin

from . import ddl, errors, sqlrun
from .errors import internal
from .lexer import Parser, tokenize
from .pitr import PitrStatements
from .storage import (CLUSTER_OBJ_ID, SYS_ACCOUNT_ID, SYSTEM_DATABASES, SYSTEM_DATABASES_SYS,
                      SYSTEM_DATABASES_TENANT, ns_to_mo_timestamp)

UNCOMMITTED = "unclassified statement appears in uncommitted transaction"
NO_PRIVILEGE = "do not have privilege to execute the statement"
RESERVED_SNAPSHOT_CHARS = (" ", "\t", "`", '"', "'")


def parse_login(login):
    """MatrixOne login forms: user, acc#user[#role], acc:user[:role] (':' wins)."""
    login = (login or "").split("?", 1)[0].replace("%3A", ":")
    sep = ":" if ":" in login else ("#" if "#" in login else None)
    if sep is None:
        return "sys", login, None
    parts = login.split(sep)
    if len(parts) == 2:
        return parts[0].lower(), parts[1], None
    return parts[0].lower(), parts[1], sep.join(parts[2:])


def _like(pattern, value):
    regex = re.escape(pattern).replace("%", ".*").replace("_", ".")
    return re.fullmatch(regex, value, re.I | re.S) is not None


def _result(columns, rows):
    return [tuple(r) for r in rows], list(columns)


class Session(PitrStatements):
    """State of one connection: who is logged in, current database, transaction."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.account_id = None
        self.account_name = None
        self.user = None
        self.role = None
        self.database = None
        self.autocommit = True
        self.in_txn = False
        self.affected_rows = 0
        self.last_insert_id = 0
        self._read_specs = {}  # attached schema -> snapshot-read spec, for virtual tables at a snapshot
        self.variables = {"time_zone": "SYSTEM", "sql_mode": "", "autocommit": 1,
                          "version_comment": "MatrixOne", "lower_case_table_names": 1,
                          "transaction_isolation": "REPEATABLE-READ", "max_allowed_packet": 67108864,
                          "character_set_client": "utf8mb4", "character_set_results": "utf8mb4",
                          "collation_connection": "utf8mb4_bin", "interactive_timeout": 28800,
                          "wait_timeout": 28800, "net_write_timeout": 60, "system_time_zone": "UTC"}

    # -- helpers ------------------------------------------------------------------------------------
    @property
    def conn(self):
        return self.cluster.account_conn(self.account_id)

    @property
    def is_sys(self):
        return self.account_id == SYS_ACCOUNT_ID

    @property
    def version(self):
        return self.cluster.version

    def login(self, login):
        account, user, role = parse_login(login)
        acc = self.cluster.account_by_name(account)
        self.account_id, self.account_name = acc[0], acc[1]
        row = self.conn.execute("SELECT role FROM __mo_users WHERE name = ?", (user,)).fetchone()
        self.user = user
        self.role = role or row[0]

    def auth_string(self, login):
        """Native-password hash for the login, or None when account/user are unknown or suspended."""
        account, user, role = parse_login(login)
        acc = self.cluster.account_by_name(account)
        if acc is None or acc[3] != "open":
            return None
        row = self.cluster.account_conn(acc[0]).execute(
            "SELECT auth, role FROM __mo_users WHERE name = ?", (user,)).fetchone()
        if row is None or (role and role != row[1]):
            return None
        return row[0]

    def _require_admin(self):
        if self.role not in ("moadmin", "accountadmin"):
            raise internal(NO_PRIVILEGE)

    def _refuse_in_txn(self):
        if self.in_txn:
            raise internal(UNCOMMITTED)

    def _db(self, db):
        db = db or self.database
        if not db:
            raise errors.MoError(errors.NO_DB, "No database selected")
        return db

    def _db_exists(self, conn, db, schema="main"):
        return conn.execute("SELECT 1 FROM %s.__mo_databases WHERE name = ?" % schema, (db,)).fetchone() is not None

    def _table_def(self, conn, db, name, schema="main"):
        row = conn.execute("SELECT columns FROM %s.__mo_tables WHERE db = ? AND name = ?" % schema,
                           (db, name)).fetchone()
        return json.loads(row[0]) if row else None

    # -- entry point ----------------------------------------------------------------------------------
    def execute(self, sql):
        """Run one statement; return None (OK packet) or (rows, columns)."""
        self.affected_rows = 0
        self.last_insert_id = 0
        tokens = tokenize(sql)
        if not tokens:
            return None
        first = tokens[0].value.upper() if tokens[0].kind == "word" else tokens[0].text
        second = tokens[1].value.upper() if len(tokens) > 1 and tokens[1].kind == "word" else ""
        handler = self._dispatch(first, second, tokens)
        if not self.autocommit and first not in ("COMMIT", "ROLLBACK", "SET", "BEGIN", "START"):
            implicit = not self.in_txn
            if implicit and handler.__name__ in _TXN_REFUSED:
                pass  # the statement itself runs in its own background transaction on MatrixOne
            elif implicit:
                self._begin()
        result = handler(sql)
        if handler.__name__ == "restore":
            for (account_id,) in self.cluster.catalog.execute("SELECT id FROM accounts").fetchall():
                self.cluster.record_history(account_id)
        elif not self.in_txn and (handler.__name__ in _CHANGES_DATA or (handler.__name__ == "run_dml" and result is None)):
            self.cluster.record_history(self.account_id)
        return result

    def _dispatch(self, first, second, tokens):
        if first in ("SELECT", "WITH", "(", "INSERT", "UPDATE", "DELETE", "REPLACE"):
            return self.run_dml
        key = (first, second)
        table = {
            ("CREATE", "SNAPSHOT"): self.create_snapshot, ("DROP", "SNAPSHOT"): self.drop_snapshot,
            ("SHOW", "SNAPSHOTS"): self.show_snapshots, ("CREATE", "ACCOUNT"): self.create_account,
            ("DROP", "ACCOUNT"): self.drop_account, ("ALTER", "ACCOUNT"): self.alter_account,
            ("CREATE", "DATABASE"): self.create_database, ("CREATE", "SCHEMA"): self.create_database,
            ("DROP", "DATABASE"): self.drop_database, ("DROP", "SCHEMA"): self.drop_database,
            ("CREATE", "TABLE"): self.create_table, ("DROP", "TABLE"): self.drop_table,
            ("ALTER", "TABLE"): self.alter_table, ("CREATE", "INDEX"): self.create_index,
            ("CREATE", "UNIQUE"): self.create_index, ("CREATE", "USER"): self.create_user,
            ("DROP", "USER"): self.drop_user, ("ALTER", "USER"): self.alter_user,
            ("SHOW", "DATABASES"): self.show_databases, ("SHOW", "SCHEMAS"): self.show_databases,
            ("SHOW", "TABLES"): self.show_tables, ("SHOW", "FULL"): self.show_tables,
            ("SHOW", "CREATE"): self.show_create, ("SHOW", "COLUMNS"): self.show_columns,
            ("SHOW", "FIELDS"): self.show_columns, ("SHOW", "GLOBAL"): self.show_status,
            ("SHOW", "STATUS"): self.show_status, ("SHOW", "SESSION"): self.show_variables,
            ("SHOW", "VARIABLES"): self.show_variables, ("SHOW", "ACCOUNTS"): self.show_accounts,
            ("SHOW", "WARNINGS"): self.show_empty, ("SHOW", "ERRORS"): self.show_empty,
            ("SHOW", "GRANTS"): self.show_grants,
            ("CREATE", "PITR"): self.create_pitr, ("ALTER", "PITR"): self.alter_pitr, ("DROP", "PITR"): self.drop_pitr,
            ("SHOW", "PITR"): self.show_pitr,
        }
        if key in table:
            return table[key]
        simple = {"RESTORE": self.restore, "USE": self.use, "SET": self.set, "BEGIN": self.begin,
                  "START": self.begin, "COMMIT": self.commit, "ROLLBACK": self.rollback,
                  "TRUNCATE": self.truncate, "DESC": self.show_columns, "DESCRIBE": self.show_columns,
                  "GRANT": self.grant, "REVOKE": self.ok, "KILL": self.ok}
        if first in simple:
            return simple[first]
        return self.run_dml  # sqlglot gives the 1064 for anything else

    def ok(self, sql):  # pylint: disable=unused-argument
        return None

    # -- transactions ---------------------------------------------------------------------------------
    def _begin(self):
        self.conn.execute("BEGIN")
        self.in_txn = True

    def begin(self, sql):
        p = Parser(sql)
        if p.accept("START"):
            p.expect("TRANSACTION")
        else:
            p.expect("BEGIN")
            p.accept("WORK")
        p.end()
        if self.in_txn:
            self.commit("COMMIT")
        self._begin()
        return None

    def commit(self, sql):  # pylint: disable=unused-argument
        if self.in_txn:
            self.conn.execute("COMMIT")
            self.in_txn = False
        return None

    def rollback(self, sql):  # pylint: disable=unused-argument
        if self.in_txn:
            self.conn.execute("ROLLBACK")
            self.in_txn = False
        return None

    def abort_txn(self):
        """Connection closed with an open transaction: roll it back."""
        if self.in_txn and self.account_id is not None:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            self.in_txn = False

    # -- SET / USE / SHOW variables ------------------------------------------------------------------
    def use(self, sql):
        p = Parser(sql)
        p.expect("USE")
        db = p.ident()
        p.end()
        self._use(db)
        return None

    def _use(self, db):
        if db.lower() not in SYSTEM_DATABASES and not self._db_exists(self.conn, db):
            raise errors.MoError(errors.BAD_DB, "Unknown database %s" % db)
        self.database = db

    def set(self, sql):
        p = Parser(sql)
        p.expect("SET")
        while True:
            if p.accept("NAMES", "CHARSET"):
                p.ident_or_string()
                if p.accept("COLLATE"):
                    p.ident_or_string()
            else:
                p.accept("SESSION", "GLOBAL", "LOCAL")
                tok = p.peek()
                if tok is None:
                    raise p.error()
                p.i += 1
                name = tok.value.lstrip("@").lower()
                for prefix in ("session.", "global.", "local."):
                    name = name[len(prefix):] if name.startswith(prefix) else name
                if p.accept_punct("."):
                    name = p.ident()
                if not (p.accept_punct("=") or p.accept_punct(":=")):
                    raise p.error()
                val_tok = p.peek()
                if val_tok is None:
                    raise p.error()
                p.i += 1
                value = val_tok.value
                if name == "autocommit":
                    on = str(value).upper() in ("1", "ON", "TRUE")
                    if on and self.in_txn:
                        self.commit("COMMIT")
                    self.autocommit = on
                    value = 1 if on else 0
                self.variables[name] = value
            if not p.accept_punct(","):
                break
        p.end()
        return None

    def show_variables(self, sql):
        p = Parser(sql)
        p.expect("SHOW")
        p.accept("SESSION", "GLOBAL")
        p.expect("VARIABLES")
        pattern = p.string() if p.accept("LIKE") else None
        rows = [(k, str(v)) for k, v in sorted(self.variables.items()) if pattern is None or _like(pattern, k)]
        return _result(("Variable_name", "Value"), rows)

    def show_status(self, sql):
        p = Parser(sql)
        p.expect("SHOW")
        p.accept("GLOBAL", "SESSION")
        p.expect("STATUS")
        pattern = p.string() if p.accept("LIKE") else None
        status = {"Questions": self.cluster.questions, "Uptime": 1}
        rows = [(k, str(v)) for k, v in status.items() if pattern is None or _like(pattern, k)]
        return _result(("Variable_name", "Value"), rows)

    def show_empty(self, sql):  # pylint: disable=unused-argument
        return _result(("Level", "Code", "Message"), [])

    def show_grants(self, sql):  # pylint: disable=unused-argument
        return _result(("Grants for %s@localhost" % self.user,),
                       [("GRANT %s TO %s" % (self.role, self.user),)])

    # -- accounts and users ---------------------------------------------------------------------------------
    def create_account(self, sql):
        self._refuse_in_txn()
        p = Parser(sql)
        p.expect("CREATE")
        p.expect("ACCOUNT")
        if_not_exists = bool(p.accept("IF") and p.expect("NOT") and p.expect("EXISTS"))
        name = p.ident().lower()
        p.expect("ADMIN_NAME")
        p.accept_punct("=")
        admin = p.ident_or_string()
        p.expect("IDENTIFIED")
        p.expect("BY")
        password = p.string()
        comment = p.string() if p.accept("COMMENT") else ""
        p.end()
        if not self.is_sys or self.role != "moadmin":
            raise internal(NO_PRIVILEGE)
        if self.cluster.account_by_name(name):
            if if_not_exists:
                return None
            raise internal("the tenant %s exists" % name)
        self._new_account(name, admin, NativePasswordAuthPlugin.create_auth_string(password), comment)
        return None

    def _new_account(self, name, admin, auth, comment=""):
        conn = self.cluster.create_account_db(self.cluster.new_account_id(), name, admin, comment)
        conn.execute("INSERT INTO __mo_users(name, auth, role) VALUES (?, ?, 'accountadmin')", (admin, auth))
        return conn

    def drop_account(self, sql):
        self._refuse_in_txn()
        p = Parser(sql)
        p.expect("DROP")
        p.expect("ACCOUNT")
        if_exists = bool(p.accept("IF") and p.expect("EXISTS"))
        name = p.ident().lower()
        p.end()
        if not self.is_sys or self.role != "moadmin":
            raise internal(NO_PRIVILEGE)
        acc = self.cluster.account_by_name(name)
        if acc is None:
            if if_exists:
                return None
            raise internal("there is no account %s" % name)
        if acc[0] == SYS_ACCOUNT_ID:
            raise internal("can not delete the account sys")
        self.cluster.drop_account(acc[0])
        return None

    def alter_account(self, sql):
        p = Parser(sql)
        p.expect("ALTER")
        p.expect("ACCOUNT")
        if p.accept("IF"):
            p.expect("EXISTS")
        name = p.ident().lower()
        if not self.is_sys or self.role != "moadmin":
            raise internal(NO_PRIVILEGE)
        acc = self.cluster.account_by_name(name)
        if acc is None:
            raise internal("there is no account %s" % name)
        if p.accept("ADMIN_NAME"):
            p.accept_punct("=")
            admin = p.ident_or_string()
            p.expect("IDENTIFIED")
            p.expect("BY")
            auth = NativePasswordAuthPlugin.create_auth_string(p.string())
            self.cluster.account_conn(acc[0]).execute("UPDATE __mo_users SET auth = ? WHERE name = ?", (auth, admin))
        elif p.accept("SUSPEND"):
            self.cluster.catalog.execute("UPDATE accounts SET status = 'suspend' WHERE id = ?", (acc[0],))
        elif p.accept("OPEN"):
            self.cluster.catalog.execute("UPDATE accounts SET status = 'open' WHERE id = ?", (acc[0],))
        elif p.accept("COMMENT"):
            self.cluster.catalog.execute("UPDATE accounts SET comment = ? WHERE id = ?", (p.string(), acc[0]))
        else:
            raise p.error()
        p.end()
        return None

    def show_accounts(self, sql):
        p = Parser(sql)
        p.expect("SHOW")
        p.expect("ACCOUNTS")
        pattern = p.string() if p.accept("LIKE") else None
        p.end()
        if not self.is_sys:
            raise internal(NO_PRIVILEGE)
        rows = []
        for acc_id, name, admin, status, created, comment in self.cluster.catalog.execute(
                "SELECT id, name, admin_name, status, created_ns, comment FROM accounts ORDER BY id"):
            if pattern is None or _like(pattern, name):
                created_at = ns_to_mo_timestamp(created).split(".")[0]
                rows.append((name, admin, created_at, status, None, comment, acc_id))
        if not rows:  # MatrixOne's getAccountInfo fails on an empty mo_account read
            raise internal("no account info")
        return _result(("account_name", "admin_name", "created_time", "status", "suspended_time", "comments",
                        "account_id"), rows)

    def create_user(self, sql):
        p = Parser(sql)
        p.expect("CREATE")
        p.expect("USER")
        if_not_exists = bool(p.accept("IF") and p.expect("NOT") and p.expect("EXISTS"))
        name = p.ident_or_string()
        p.expect("IDENTIFIED")
        p.expect("BY")
        auth = NativePasswordAuthPlugin.create_auth_string(p.string())
        role = "public"
        if p.accept("DEFAULT"):
            p.expect("ROLE")
            role = p.ident()
        p.end()
        self._require_admin()
        if self.conn.execute("SELECT 1 FROM __mo_users WHERE name = ?", (name,)).fetchone():
            if if_not_exists:
                return None
            raise internal("the user %s exists" % name)
        self.conn.execute("INSERT INTO __mo_users(name, auth, role) VALUES (?,?,?)", (name, auth, role))
        return None

    def alter_user(self, sql):
        p = Parser(sql)
        p.expect("ALTER")
        p.expect("USER")
        if p.accept("IF"):
            p.expect("EXISTS")
        name = p.ident_or_string()
        p.expect("IDENTIFIED")
        p.expect("BY")
        auth = NativePasswordAuthPlugin.create_auth_string(p.string())
        p.end()
        if name != self.user:
            self._require_admin()
        cur = self.conn.execute("UPDATE __mo_users SET auth = ? WHERE name = ?", (auth, name))
        if cur.rowcount == 0:
            raise internal("Operation ALTER USER failed for '%s'@'%%', user does't exist" % name)
        return None

    def drop_user(self, sql):
        p = Parser(sql)
        p.expect("DROP")
        p.expect("USER")
        if_exists = bool(p.accept("IF") and p.expect("EXISTS"))
        name = p.ident_or_string()
        p.end()
        self._require_admin()
        cur = self.conn.execute("DELETE FROM __mo_users WHERE name = ? AND role NOT IN ('moadmin','accountadmin')",
                                (name,))
        if cur.rowcount == 0 and not if_exists:
            raise internal("there is no user %s" % name)
        return None

    def grant(self, sql):
        """GRANT <role> TO <user>: the user's active role; privilege grants are accepted and ignored."""
        m = re.match(r"\s*grant\s+(\w+)\s+to\s+['`]?(\w+)['`]?\s*;?\s*$", sql, re.I)
        if m and m.group(1).lower() in ("accountadmin", "moadmin", "public"):
            self._require_admin()
            self.conn.execute("UPDATE __mo_users SET role = ? WHERE name = ?", (m.group(1).lower(), m.group(2)))
        return None

    # -- databases and tables ----------------------------------------------------------------------------------
    def create_database(self, sql):
        p = Parser(sql)
        p.expect("CREATE")
        p.expect("DATABASE", "SCHEMA")
        if_not_exists = bool(p.accept("IF") and p.expect("NOT") and p.expect("EXISTS"))
        db = p.ident()
        if p.accept("CLONE"):
            return self._clone(p, db, None)
        while not p.at_end():  # DEFAULT CHARACTER SET ... options
            p.i += 1
        if db.lower() in SYSTEM_DATABASES or self._db_exists(self.conn, db):
            if if_not_exists:
                return None
            raise errors.MoError(errors.DB_EXISTS, "Can't create database '%s'; database exists" % db)
        self.conn.execute("INSERT INTO __mo_databases(name, created_ns) VALUES (?, ?)", (db, _now_ns()))
        self.affected_rows = 1
        return None

    def drop_database(self, sql):
        p = Parser(sql)
        p.expect("DROP")
        p.expect("DATABASE", "SCHEMA")
        if_exists = bool(p.accept("IF") and p.expect("EXISTS"))
        db = p.ident()
        p.end()
        if db.lower() in SYSTEM_DATABASES:
            raise internal("can not drop database '%s' which is system database" % db)
        if not self._db_exists(self.conn, db):
            if if_exists:
                return None
            raise errors.MoError(1008, "Can't drop database '%s'; database doesn't exist" % db)
        conn = self.conn
        tables = [r[0] for r in conn.execute("SELECT name FROM __mo_tables WHERE db = ?", (db,))]
        for name in tables:
            conn.execute("DROP TABLE IF EXISTS %s" % ddl.sqlite_name(db, name))
        conn.execute("DELETE FROM __mo_tables WHERE db = ?", (db,))
        conn.execute("DELETE FROM __mo_databases WHERE name = ?", (db,))
        if self.database == db:
            self.database = None
        self.affected_rows = len(tables)
        return None

    def _table_ref(self, p):
        first = p.ident()
        if p.accept_punct("."):
            return first, p.ident()
        return self._db(None), first

    def create_table(self, sql):
        p = Parser(sql)
        p.expect("CREATE")
        p.expect("TABLE")
        if_not_exists = bool(p.accept("IF") and p.expect("NOT") and p.expect("EXISTS"))
        db, name = self._table_ref(p)
        if db.lower() in SYSTEM_DATABASES:
            raise internal("can not create table in system database %s" % db)
        if not self._db_exists(self.conn, db):
            raise errors.MoError(errors.BAD_DB, "Unknown database %s" % db)
        if p.accept("CLONE"):
            return self._clone(p, db, name)
        if p.accept("LIKE"):
            src_db, src = self._table_ref(p)
            p.end()
            table = self._table_def(self.conn, src_db, src)
            if table is None:
                raise errors.parse('table "%s" does not exist' % src)
        else:
            table = ddl.parse_create_body(p)
        if self._table_def(self.conn, db, name) is not None:
            if if_not_exists:
                return None
            raise errors.MoError(errors.TABLE_EXISTS, "table %s already exists" % name)
        self._write_table(db, name, table)
        return None

    def _clone(self, p, db, name):
        """CREATE DATABASE db CLONE src{point} / CREATE TABLE db.name CLONE src_db.src{point} [TO ACCOUNT a]: the
        source as it was at the point (a snapshot or MO_TS; now without one), copied under the new name (3.0+)."""
        if not self.version.clone:
            raise _error_at(p, p.tokens[p.i - 1])
        if name is None:
            src_db, src = p.ident(), None
        else:
            src_db, src = self._table_ref(p)
        spec = self._snapshot_suffix(p)
        target = None
        if p.accept("TO"):
            p.expect("ACCOUNT")
            target = p.ident().lower()
        p.end()
        conn = self.conn
        if target is not None:
            self._require_admin()
            row = self.cluster.account_by_name(target)
            if not self.is_sys or row is None:
                raise internal("there is no account %s" % target if row is None else NO_PRIVILEGE)
            conn = self.cluster.account_conn(row[0])
        if name is None and self._db_exists(conn, db):
            raise errors.MoError(errors.DB_EXISTS, "database %s already exists" % db)
        if name is not None and self._table_def(conn, db, name) is not None:
            raise errors.MoError(errors.TABLE_EXISTS, "table %s already exists" % name)

        def copy(source, schema):
            tables = source.execute("SELECT name, columns FROM %s.__mo_tables WHERE db = ?%s" % (
                schema, "" if src is None else " AND name = ?"), (src_db,) if src is None else (src_db, src)).fetchall()
            if src is not None and not tables:
                raise errors.parse('table "%s" does not exist' % src)
            if src is None and not self._db_exists(source, src_db, schema):
                raise errors.MoError(errors.BAD_DB, "Unknown database %s" % src_db)
            return [(t, json.loads(cols), source.execute("SELECT * FROM %s.%s" % (schema, ddl.sqlite_name(src_db, t)))
                     .fetchall()) for t, cols in tables]
        copied = self._with_source(spec, copy)
        if name is None:
            conn.execute("INSERT INTO __mo_databases(name, created_ns) VALUES (?, ?)", (db, _now_ns()))
        for table_name, table, rows in copied:
            new = name or table_name
            for stmt in ddl.sqlite_statements(db, new, table):
                conn.execute(stmt)
            if rows:
                conn.executemany("INSERT INTO %s VALUES (%s)" % (ddl.sqlite_name(db, new), ", ".join("?" * len(rows[0]))),
                                 rows)
            # as real v3.0.18 keeps it: create table `cl_copy`.`t` clone `cl`.`t`{snapshot = 'cls'}
            point = "" if spec is None else "{%s = %s}" % (spec[0].lower(), "'%s'" % spec[1] if spec[0] == "SNAPSHOT"
                                                          else spec[1])
            catalog = "create table `%s`.`%s` clone `%s`.`%s`%s" % (db, new, src_db, table_name, point)
            conn.execute("INSERT INTO __mo_tables(db, name, columns, ddl, created_ns, catalog_sql) VALUES (?,?,?,?,?,?)",
                         (db, new, json.dumps(table), ddl.render_mysql(new, table), _now_ns(), catalog))
        return None

    def _write_table(self, db, name, table, replace=False):
        conn = self.conn
        if replace:
            conn.execute("DELETE FROM __mo_tables WHERE db = ? AND name = ?", (db, name))
        for stmt in ddl.sqlite_statements(db, name, table):
            conn.execute(stmt)
        conn.execute("INSERT INTO __mo_tables(db, name, columns, ddl, created_ns) VALUES (?,?,?,?,?)",
                     (db, name, json.dumps(table), ddl.render_mysql(name, table), _now_ns()))

    def drop_table(self, sql):
        p = Parser(sql)
        p.expect("DROP")
        p.expect("TABLE")
        if_exists = bool(p.accept("IF") and p.expect("EXISTS"))
        refs = [self._table_ref(p)]
        while p.accept_punct(","):
            refs.append(self._table_ref(p))
        p.end()
        for db, name in refs:
            if self._table_def(self.conn, db, name) is None:
                if if_exists:
                    continue
                raise errors.parse('table "%s" does not exist' % name)
            self.conn.execute("DROP TABLE %s" % ddl.sqlite_name(db, name))
            self.conn.execute("DELETE FROM __mo_tables WHERE db = ? AND name = ?", (db, name))
        return None

    def alter_table(self, sql):
        db, name, p = ddl.parse_alter(sql)
        db = self._db(db)
        table = self._table_def(self.conn, db, name)
        if table is None:
            raise errors.parse('table "%s" does not exist' % name)
        new, rename_to, mapping = ddl.apply_alter(p, name, table)
        self._rebuild(db, name, new, mapping, rename_to or name)
        return None

    def _rebuild(self, db, name, new, mapping, new_name):
        """Recreate a table with a new definition, copying the columns that survive."""
        conn = self.conn
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
                         (db, new_name, json.dumps(new), ddl.render_mysql(new_name, new), _now_ns()))
            conn.execute("RELEASE alter_table")
        except Exception:
            conn.execute("ROLLBACK TO alter_table")
            conn.execute("RELEASE alter_table")
            raise

    def create_index(self, sql):
        p = Parser(sql)
        p.expect("CREATE")
        unique = bool(p.accept("UNIQUE"))
        p.expect("INDEX")
        ix = p.ident()
        p.expect("ON")
        db, name = self._table_ref(p)
        cols = ddl._ident_list(p)  # pylint: disable=protected-access
        p.end()
        table = self._table_def(self.conn, db, name)
        if table is None:
            raise errors.parse('table "%s" does not exist' % name)
        new = json.loads(json.dumps(table))
        new["indexes"].append({"name": ix, "columns": cols, "unique": unique})
        self._rebuild(db, name, new, {c["name"]: c["name"] for c in new["columns"]}, name)
        return None

    def truncate(self, sql):
        p = Parser(sql)
        p.expect("TRUNCATE")
        p.accept("TABLE")
        db, name = self._table_ref(p)
        p.end()
        if self._table_def(self.conn, db, name) is None:
            raise errors.parse('table "%s" does not exist' % name)
        self.conn.execute("DELETE FROM %s" % ddl.sqlite_name(db, name))
        return None

    # -- SHOW for schema objects (optionally at a snapshot) --------------------------------------------------
    def _snapshot_suffix(self, p):
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

    def _with_source(self, spec, fn):
        """Run fn(conn, schema) against live data or an attached snapshot copy."""
        if spec is None:
            return fn(self.conn, "main")
        uri = self._snapshot_copy_uri(spec)
        conn = self.conn
        conn.execute("ATTACH DATABASE ? AS snapsrc", (uri,))
        try:
            return fn(conn, "snapsrc")
        finally:
            conn.execute("DETACH DATABASE snapsrc")

    def _snapshot_copy_uri(self, spec):
        kind, value = spec
        if kind == "MO_TS":
            uri = self.cluster.copy_at(int(value), self.account_name)
            if uri is None:  # this server keeps history only at snapshot timestamps
                raise internal("the test server has no data of account %s at mo_ts %s (it keeps history only at "
                               "snapshot timestamps)" % (self.account_name, value))
            return uri
        if kind != "SNAPSHOT":
            raise internal("time-travel reads by %s are not supported by this server" % kind.lower())
        snap = self.cluster.snapshot(self.account_id, value)
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
        if snap["level"] == "account" and snap["account_name"] != self.account_name:
            return int(snap["obj_id"]), snap["account_name"]
        return self.account_id, self.account_name

    def _catalog_account(self, schema):
        """account_id of the catalog rows read from this schema (an attached snapshot copy or main)."""
        kind, value = self._read_specs.get(schema, (None, None))
        snap = self.cluster.snapshot(self.account_id, value) if kind == "SNAPSHOT" else None
        return self._snapshot_tenant(snap)[0] if snap else self.account_id

    def show_databases(self, sql):
        p = Parser(sql)
        p.expect("SHOW")
        p.expect("DATABASES", "SCHEMAS")
        pattern = p.string() if p.accept("LIKE") else None
        spec = self._snapshot_suffix(p)
        p.end()
        system = SYSTEM_DATABASES_SYS if self.is_sys else SYSTEM_DATABASES_TENANT

        def fetch(conn, schema):
            return [r[0] for r in conn.execute("SELECT name FROM %s.__mo_databases" % schema)]
        names = sorted(set(system) | set(self._with_source(spec, fetch)))
        return _result(("Database",), [(n,) for n in names if pattern is None or _like(pattern, n)])

    def show_tables(self, sql):
        p = Parser(sql)
        p.expect("SHOW")
        full = bool(p.accept("FULL"))
        p.expect("TABLES")
        db = None
        if p.accept("FROM", "IN"):
            db = p.ident()
        pattern = p.string() if p.accept("LIKE") else None
        spec = self._snapshot_suffix(p)
        p.end()
        db = self._db(db)

        def fetch(conn, schema):
            if db.lower() not in SYSTEM_DATABASES and not self._db_exists(conn, db, schema):
                raise errors.MoError(errors.BAD_DB, "Unknown database %s" % db)
            return [r[0] for r in conn.execute("SELECT name FROM %s.__mo_tables WHERE db = ? ORDER BY name" % schema,
                                               (db,))]
        names = [n for n in self._with_source(spec, fetch) if pattern is None or _like(pattern, n)]
        if full:
            return _result(("Tables_in_%s" % db, "Table_type"), [(n, "BASE TABLE") for n in names])
        return _result(("Tables_in_%s" % db,), [(n,) for n in names])

    def show_create(self, sql):
        p = Parser(sql)
        p.expect("SHOW")
        p.expect("CREATE")
        if p.accept("DATABASE", "SCHEMA"):
            db = p.ident()
            spec = self._snapshot_suffix(p)
            p.end()

            def fetch_db(conn, schema):
                if db.lower() not in SYSTEM_DATABASES and not self._db_exists(conn, db, schema):
                    raise errors.MoError(errors.BAD_DB, "Unknown database %s" % db)
                return [(db, "CREATE DATABASE `%s`" % db)]
            return _result(("Database", "Create Database"), self._with_source(spec, fetch_db))
        p.expect("TABLE")
        db, name = self._table_ref(p)
        spec = self._snapshot_suffix(p)
        p.end()

        def fetch(conn, schema):
            row = conn.execute("SELECT ddl FROM %s.__mo_tables WHERE db = ? AND name = ?" % schema,
                               (db, name)).fetchone()
            if row is None:
                raise errors.parse('table "%s" does not exist' % name)
            return [(name, row[0])]
        return _result(("Table", "Create Table"), self._with_source(spec, fetch))

    def show_columns(self, sql):
        p = Parser(sql)
        first = p.expect("SHOW", "DESC", "DESCRIBE")
        if first == "SHOW":
            p.accept("FULL")
            p.expect("COLUMNS", "FIELDS")
            p.expect("FROM", "IN")
        db, name = self._table_ref(p)
        if first == "SHOW" and p.accept("FROM", "IN"):
            db = p.ident()
        p.end()
        table = self._table_def(self.conn, db, name)
        if table is None:
            raise errors.parse('table "%s" does not exist' % name)
        rows = []
        for c in table["columns"]:
            key = "PRI" if c["name"] in table["primary_key"] else (
                "UNI" if any(ix["unique"] and ix["columns"][0] == c["name"] for ix in table["indexes"]) else "")
            rows.append((c["name"], c["type"].upper(), "YES" if c["nullable"] else "NO", key, c["default"],
                         "auto_increment" if c["auto_increment"] else ""))
        return _result(("Field", "Type", "Null", "Key", "Default", "Extra"), rows)

    # -- snapshots ------------------------------------------------------------------------------------------
    def create_snapshot(self, sql):
        self._refuse_in_txn()
        p = Parser(sql)
        p.expect("CREATE")
        p.expect("SNAPSHOT")
        if_not_exists = False
        if p.accept("IF"):
            p.expect("NOT")
            p.expect("EXISTS")
            if_not_exists = True
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
                raise _error_at(p, level_tok)
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

    def drop_snapshot(self, sql):
        self._refuse_in_txn()
        p = Parser(sql)
        p.expect("DROP")
        p.expect("SNAPSHOT")
        if_exists = bool(p.accept("IF") and p.expect("EXISTS"))
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
            p = Parser(sql)
            p.expect("SHOW")
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
            raise _column_error(exc) from None
        return _result(columns, rows)

    def show_snapshots(self, sql):
        self._refuse_in_txn()
        self.cluster.catalog.create_function("mo_ts", 1, ns_to_mo_timestamp, deterministic=True)
        columns = ("SNAPSHOT_NAME", "TIMESTAMP", "SNAPSHOT_LEVEL", "ACCOUNT_NAME", "DATABASE_NAME", "TABLE_NAME")
        return self._show_catalog(sql, "snapshots", self._snapshot_rows_sql(), columns)

    # -- restore ------------------------------------------------------------------------------------------
    def restore(self, sql):
        self._refuse_in_txn()
        p = Parser(sql)
        p.expect("RESTORE")
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
                   clone_source=clone_at(mo_ts=snap["ts"]))

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
        same = to_account is None or to_account == account
        copy_scope(cluster.account_conn(target[0]), uri, databases=None, table=None, with_users=same,
                   snapshot_name=snap["sname"], clone_source=clone_at(snapshot=snap["sname"]))

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
                       with_users=True, snapshot_name=snap["sname"], clone_source=clone_at(snapshot=snap["sname"]))

    # -- DML and queries ------------------------------------------------------------------------------------
    def run_dml(self, sql):
        m = re.match(r"\s*select\s+mo_feature_limit_upsert\s*\(\s*(\d+)\s*,\s*'snapshot'\s*,\s*'(\w+)'\s*,"
                     r"\s*(-?\d+)\s*\)\s*;?\s*$", sql, re.I)
        if m:
            if not self.is_sys:
                raise internal(NO_PRIVILEGE)
            self.cluster.catalog.execute("INSERT OR REPLACE INTO feature_limits VALUES (?, ?, ?)",
                                         (int(m.group(1)), m.group(2).lower(), int(m.group(3))))
            return _result(("mo_feature_limit_upsert",), [(0,)])
        fast = sqlrun.fast_insert(sql)
        conn = self.conn
        if fast is not None:
            ref, cols, values, ignore = fast
            parts = [x.strip().strip("`") for x in ref.split(".")]
            db, name = (parts[0], parts[1]) if len(parts) == 2 else (self._db(None), parts[0])
            self._check_table(conn, "main", db, name)
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
                uri = self._snapshot_copy_uri(spec)
                if uri not in attached:  # SQLite attaches a database once: one schema per copy
                    attached[uri] = "snap%d" % len(attached)
                    conn.execute("ATTACH DATABASE ? AS %s" % attached[uri], (uri,))
                    self._read_specs[attached[uri]] = spec
                schema = attached[uri]
            if db == sqlrun.CURRENT_DB or not db:
                db = self._db(None)
            if db.lower() in ("information_schema", "mo_catalog"):
                if is_target:
                    raise internal("do not have privilege to execute the statement")
                return "temp", self._materialize(conn, schema, db.lower(), name.lower(), virtual)
            self._check_table(conn, schema, db, name)
            return schema, "%s.%s" % (db, name)

        try:
            parts = sqlrun.split_union_all(rewritten)
            text = sqlrun.regroup_union_all([self._translate(part, resolve) for part in parts])
            return self._execute_sqlite(conn, text)
        finally:
            for table in virtual:
                conn.execute("DROP TABLE IF EXISTS temp.%s" % table)
            for schema in attached.values():
                conn.execute("DETACH DATABASE %s" % schema)

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
        session_values = {"VERSION": self.version.version_string, "DATABASE": self.database,
                          "CURRENT_USER": "%s@%%" % self.user}
        for param in list(tree.find_all(exp.SessionParameter)):
            value = self.variables.get(param.name.lower(), None)
            param.replace(exp.Literal.number(value) if isinstance(value, int) else
                          (exp.Literal.string(str(value)) if value is not None else exp.Null()))
        for node_type, key in ((exp.CurrentVersion, "VERSION"), (exp.CurrentSchema, "DATABASE"),
                               (exp.CurrentUser, "CURRENT_USER")):
            for node in list(tree.find_all(node_type)):
                value = session_values[key]
                node.replace(exp.Literal.string(value) if value is not None else exp.Null())
        return sqlrun.translate(tree, resolve)

    def _check_table(self, conn, schema, db, name):
        if db.lower() in SYSTEM_DATABASES:
            raise errors.parse('table "%s" does not exist' % name)
        if conn.execute("SELECT 1 FROM %s.__mo_tables WHERE db = ? AND name = ?" % schema,
                        (db, name)).fetchone() is None:
            if not self._db_exists(conn, db, schema):
                raise errors.MoError(errors.BAD_DB, "Unknown database %s" % db)
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
            raise _column_error(exc) from None
        if cur.description:
            columns = [d[0] for d in cur.description]
            return _result(columns, cur.fetchall())
        self.affected_rows = max(cur.rowcount, 0)
        self.last_insert_id = cur.lastrowid or 0
        return None

    # -- virtual system tables ------------------------------------------------------------------------------
    def _materialize(self, conn, schema, db, name, created):
        """Fill a temp table with a system table's rows for this statement only."""
        builder = _VIRTUAL.get((db, name))
        if builder is None:
            raise errors.parse('table "%s" does not exist' % name)
        columns, rows = builder(self, conn, schema)
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
            rows.append(("def", db, name, "BASE TABLE", "Tae", count, _ns_datetime(created)))
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
        rows, account_id = [], self._catalog_account(schema)
        for db, name, cols in conn.execute("SELECT db, name, columns FROM %s.__mo_tables" % schema).fetchall():
            table = json.loads(cols)
            single = table["primary_key"] if len(table["primary_key"]) == 1 else []
            for num, c in enumerate(table["columns"], 1):
                rows.append((account_id, db, name, c["name"], c["type"].lower().encode(), num,
                             int(not c["nullable"]), "p" if c["name"] in single else "n",
                             int(c["auto_increment"]), _default_bytes(c), c.get("comment") or "", 0, 0))
            hidden = [] if single else ["__mo_cpkey_col" if table["primary_key"] else "__mo_fake_pk_col"]
            for extra, key in [(h, "p") for h in hidden] + [("__mo_rowid", "")]:
                rows.append((account_id, db, name, extra, b"rowid" if not key else b"varchar", len(table["columns"]) + 1,
                             1, key, 0, b"", "", 1, 0))
        return ("account_id", "att_database", "att_relname", "attname", "atttyp", "attnum", "attnotnull",
                "att_constraint_type", "att_is_auto_increment", "att_default", "att_comment", "att_is_hidden",
                "attisdropped"), rows

    def _v_mo_indexes(self, conn, schema):
        """mo_catalog.mo_indexes: the PRIMARY rows, one per key column in key order (table_id is mo_tables.rel_id)."""
        rows = []
        for rel_id, cols in conn.execute("SELECT rowid, columns FROM %s.__mo_tables" % schema).fetchall():
            for pos, col in enumerate(json.loads(cols)["primary_key"], 1):
                rows.append((rel_id, "PRIMARY", col, pos))
        return ("table_id", "name", "column_name", "ordinal_position"), rows

    def _v_schemata(self, conn, schema):
        system = SYSTEM_DATABASES_SYS if self.is_sys else SYSTEM_DATABASES_TENANT
        names = sorted(set(system) | {r[0] for r in conn.execute("SELECT name FROM %s.__mo_databases" % schema)})
        return ("CATALOG_NAME", "SCHEMA_NAME"), [("def", n) for n in names]

    def _v_mo_database(self, conn, schema):
        account_id = self._catalog_account(schema)
        rows = [(n, i, "create database `%s`" % n, account_id)
                for i, (n,) in enumerate(conn.execute("SELECT name FROM %s.__mo_databases ORDER BY name" % schema), 1)]
        return ("datname", "dat_id", "dat_createsql", "account_id"), rows

    def _v_mo_tables(self, conn, schema):
        account_id = self._catalog_account(schema)
        rows = [(rel_id, name, db, "r", ddl_text, account_id)
                for rel_id, db, name, ddl_text in conn.execute("SELECT rowid, db, name, coalesce(catalog_sql, ddl) "
                                                               "FROM %s.__mo_tables ORDER BY db, name" % schema)]
        return ("rel_id", "relname", "reldatabase", "relkind", "rel_createsql", "account_id"), rows

    def _v_mo_snapshots(self, conn, schema):  # pylint: disable=unused-argument
        cols = ("snapshot_id", "sname", "ts", "level", "account_name", "database_name", "table_name", "obj_id")
        if self.version.quota:
            cols += ("kind",)
        rows = self.cluster.catalog.execute("SELECT %s FROM snapshots WHERE creator = ?" % ", ".join(cols),
                                            (self.account_id,)).fetchall()
        return cols, rows

    def _v_mo_account(self, conn, schema):  # pylint: disable=unused-argument
        if not self.is_sys:
            raise errors.parse('table "mo_account" does not exist')
        catalog = self.cluster.catalog
        if schema != "main":  # accounts at the snapshot: the accounts a cluster snapshot copied
            kind, value = self._read_specs[schema]
            snap = self.cluster.snapshot(self.account_id, value) if kind == "SNAPSHOT" else None
            sid = snap["snapshot_id"] if snap else ""
            rows = [(i, n, "open", "", "") for i, n, _admin, _store in self.cluster.snapshot_copies(sid)]
            return ("account_id", "account_name", "status", "created_time", "comments"), rows
        rows = [(i, n, s, _ns_datetime(c), cm)
                for i, n, s, c, cm in catalog.execute(
                    "SELECT id, name, status, created_ns, comment FROM accounts ORDER BY id")]
        return ("account_id", "account_name", "status", "created_time", "comments"), rows

    def _v_mo_user(self, conn, schema):
        rows = conn.execute("SELECT name, status, role FROM %s.__mo_users ORDER BY name" % schema).fetchall()
        return ("user_name", "status", "default_role"), rows


def _default_bytes(column):
    """The column default the way MatrixOne stores it: a protobuf with the written text (field 2) and the
    nullability (field 3); a nullable column without a default keeps only field 3."""
    out = b""
    if column["default"] is not None:
        text = column["default"].encode()
        out += b"\x12" + bytes([len(text)]) + text
    if column["nullable"]:
        out += b"\x18\x01"
    return out


def _error_at(p, tok):
    p.i = p.tokens.index(tok)
    return p.error()


def _column_error(exc):
    msg = str(exc)
    m = re.match(r"no such column: (.*)", msg)
    if m:
        return errors.MoError(1054, "Unknown column '%s' in 'field list'" % m.group(1))
    if "syntax error" in msg or "incomplete input" in msg:
        return errors.MoError(errors.PARSE, "SQL parser error: " + msg)
    return errors.MoError(1105, msg)


def _now_ns():
    from .storage import now_ns  # pylint: disable=import-outside-toplevel
    return now_ns()


def _ns_datetime(ns):
    return datetime.datetime.utcfromtimestamp(ns / 1e9).strftime("%Y-%m-%d %H:%M:%S")


_VIRTUAL = {
    ("information_schema", "tables"): Session._v_tables,
    ("information_schema", "columns"): Session._v_columns,
    ("mo_catalog", "mo_columns"): Session._v_mo_columns,
    ("mo_catalog", "mo_indexes"): Session._v_mo_indexes,
    ("mo_catalog", "mo_pitr"): Session._v_mo_pitr,
    ("information_schema", "schemata"): Session._v_schemata,
    ("mo_catalog", "mo_database"): Session._v_mo_database,
    ("mo_catalog", "mo_tables"): Session._v_mo_tables,
    ("mo_catalog", "mo_snapshots"): Session._v_mo_snapshots,
    ("mo_catalog", "mo_account"): Session._v_mo_account,
    ("mo_catalog", "mo_user"): Session._v_mo_user,
}

_BOOLEAN_EXPRESSIONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Like, exp.In, exp.And, exp.Or, exp.Not,
                        exp.Is, exp.Between)

_TXN_REFUSED = {"create_snapshot", "drop_snapshot", "show_snapshots", "show_pitr", "restore", "create_account", "drop_account", "create_pitr",
                "alter_pitr", "drop_pitr"}
# statements after which a PITR-covered account gets a history point (run_dml counts when it returned no rows)
_CHANGES_DATA = {"create_database", "drop_database", "create_table", "drop_table", "alter_table", "create_index",
                 "truncate", "commit", "create_user", "drop_user", "alter_user", "grant"}


def clone_at(snapshot=None, mo_ts=None):
    """The source suffix MatrixOne writes into rel_createsql on restore (recorded from v4.1.4): an account
    restore names the snapshot, a database or table restore the timestamp."""
    if snapshot is not None:
        return "{SNAPSHOT = '%s'}" % snapshot
    return "{MO_TS = %d }" % int(mo_ts)


def copy_scope(conn, copy_uri, databases, table, with_users=False, snapshot_name="", clone_source=""):
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
                if conn.execute("SELECT 1 FROM snap.__mo_tables WHERE db = ? AND name = ?", (db, table)).fetchone() \
                        is None:
                    raise internal("table %s not exists at snapshot %s" % (table, snapshot_name))
                scope_sql, args = "db = ? AND name = ?", (db, table)
            elif databases is not None:
                db = databases[0]
                if not conn.execute("SELECT 1 FROM snap.__mo_databases WHERE name = ?", (db,)).fetchone():
                    raise internal("database %s not exists at snapshot %s" % (db, snapshot_name))
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
            if table is None:
                db_sql = "name = ?" if databases is not None else "1 = 1"
                conn.execute("DELETE FROM main.__mo_databases WHERE " + db_sql, args)
                conn.execute("INSERT INTO main.__mo_databases SELECT * FROM snap.__mo_databases WHERE " + db_sql, args)
            if with_users:
                conn.execute("DELETE FROM main.__mo_users")
                conn.execute("INSERT INTO main.__mo_users SELECT * FROM snap.__mo_users")
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("DETACH DATABASE snap")
