"""Statement execution for one client session against the shared Cluster state.

MatrixOne-specific statements (snapshots, restore, accounts, SHOW ...) and DDL are parsed with the small
tokenizer, by handlers registered with common.statement in the modules of their concern (accounts, schema,
snapshots, pitr); DML and queries go through sqlrun (sqlglot -> SQLite) in queries.
"""

import json
import sqlite3

from . import errors
from .accounts import AccountStatements
from .backup import BackupStatements
from .common import NO_PRIVILEGE, UNCOMMITTED, handler_for, like, result, statement
from .errors import internal
from .lexer import Parser, tokenize
from .pitr import PitrStatements
from .queries import QueryStatements
from .restore import RestoreStatements
from .schema import SchemaStatements
from .snapshots import SnapshotStatements
from .storage import SYS_ACCOUNT_ID, SYSTEM_DATABASES

# the statement groups a session hands each statement to, by the attribute it keeps them under
GROUPS = {"accounts": AccountStatements, "schema": SchemaStatements, "snapshots": SnapshotStatements,
          "restores": RestoreStatements, "queries": QueryStatements, "pitr": PitrStatements, "backups": BackupStatements}


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


class Session:  # pylint: disable=too-many-instance-attributes
    """State of one connection: who is logged in, current database, transaction; it runs each statement through the
    handler registered for it (its own, or one of a statement group's, common.Statements)."""

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
        self.fault = None  # the test-only fault armed for the running statement (server.py)
        self.read_specs = {}  # attached schema -> snapshot-read spec, for virtual tables at a snapshot
        self.opened = []  # connections to other accounts' snapshot copies opened for one statement
        self.variables = {"time_zone": "SYSTEM", "sql_mode": "", "autocommit": 1,
                          "version_comment": "MatrixOne", "lower_case_table_names": 1,
                          "transaction_isolation": "REPEATABLE-READ", "max_allowed_packet": 67108864,
                          "character_set_client": "utf8mb4", "character_set_results": "utf8mb4",
                          "collation_connection": "utf8mb4_bin", "interactive_timeout": 28800,
                          "wait_timeout": 28800, "net_write_timeout": 60, "system_time_zone": "UTC"}
        for attribute, group in GROUPS.items():
            setattr(self, attribute, group(self))
        self._owners = dict((group.__name__, getattr(self, attribute)) for attribute, group in GROUPS.items())
        self._owners[type(self).__name__] = self

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

    def require_admin(self):
        if self.role not in ("moadmin", "accountadmin"):
            raise internal(NO_PRIVILEGE)

    def refuse_in_txn(self):
        if self.in_txn:
            raise internal(UNCOMMITTED)

    def db_or_current(self, db):
        db = db or self.database
        if not db:
            raise errors.MoError(errors.NO_DB, "No database selected")
        return db

    def db_exists(self, conn, db, schema="main"):
        return conn.execute("SELECT 1 FROM %s.__mo_databases WHERE name = ?" % schema, (db,)).fetchone() is not None

    def table_def(self, conn, db, name, schema="main"):
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
        owner, function = handler_for(first, second)
        handler = function.__get__(self._owners[owner])
        if not self.autocommit and first not in ("COMMIT", "ROLLBACK", "SET", "BEGIN", "START"):
            if not self.in_txn and not handler.own_txn:  # own_txn: its own background transaction on MatrixOne
                self._begin()
        result = handler(sql)
        if handler.changes_data == "every_account":
            for (account_id,) in self.cluster.catalog.execute("SELECT id FROM accounts").fetchall():
                self.cluster.record_history(account_id)
        elif not self.in_txn and (handler.changes_data is True
                                  or (handler.changes_data == "without_rows" and result is None)):
            self.cluster.record_history(self.account_id)
        return result

    @statement("REVOKE", "KILL")
    def ok(self, sql):  # pylint: disable=unused-argument
        return None

    # -- transactions ---------------------------------------------------------------------------------
    def _begin(self):
        self.conn.execute("BEGIN")
        self.in_txn = True

    @statement("BEGIN", "START")
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

    @statement("COMMIT", changes=True)
    def commit(self, sql):  # pylint: disable=unused-argument
        if self.in_txn:
            self.conn.execute("COMMIT")
            self.in_txn = False
        return None

    @statement("ROLLBACK")
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
    @statement("USE")
    def use(self, sql):
        p = Parser.after(sql, "USE")
        db = p.ident()
        p.end()
        self.use_database(db)
        return None

    def use_database(self, db):
        if db.lower() not in SYSTEM_DATABASES and not self.db_exists(self.conn, db):
            raise errors.MoError(errors.BAD_DB, "Unknown database %s" % db)
        self.database = db

    @statement("SET")
    def set(self, sql):
        p = Parser.after(sql, "SET")
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

    @statement("SHOW SESSION", "SHOW VARIABLES")
    def show_variables(self, sql):
        p = Parser.after(sql, "SHOW")
        p.accept("SESSION", "GLOBAL")
        p.expect("VARIABLES")
        pattern = p.string() if p.accept("LIKE") else None
        rows = [(k, str(v)) for k, v in sorted(self.variables.items()) if pattern is None or like(pattern, k)]
        return result(("Variable_name", "Value"), rows)

    @statement("SHOW GLOBAL", "SHOW STATUS")
    def show_status(self, sql):
        p = Parser.after(sql, "SHOW")
        p.accept("GLOBAL", "SESSION")
        p.expect("STATUS")
        pattern = p.string() if p.accept("LIKE") else None
        status = {"Questions": self.cluster.questions, "Uptime": 1}
        rows = [(k, str(v)) for k, v in status.items() if pattern is None or like(pattern, k)]
        return result(("Variable_name", "Value"), rows)

    @statement("SHOW WARNINGS", "SHOW ERRORS")
    def show_empty(self, sql):  # pylint: disable=unused-argument
        return result(("Level", "Code", "Message"), [])

    @statement("SHOW GRANTS")
    def show_grants(self, sql):  # pylint: disable=unused-argument
        return result(("Grants for %s@localhost" % self.user,),
                      [("GRANT %s TO %s" % (self.role, self.user),)])
