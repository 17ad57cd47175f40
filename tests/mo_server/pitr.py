"""PITR statements (MatrixOne 2.0+): CREATE/ALTER/DROP/SHOW PITR (RESTORE ... FROM PITR: restore.py).

History is kept coarsely: a page copy of an account after every change while a PITR covers it
(storage.Cluster.record_history); a restore to time T uses the latest copy at or before T.
"""

import uuid

from . import errors
from .errors import internal
from .lexer import Parser
from .common import Statements, local_text, now_ns, statement
from .storage import CLUSTER_OBJ_ID, SYSTEM_DATABASES

UNIT_SECONDS = {"h": 3600, "d": 86400, "mo": 30 * 86400, "y": 365 * 86400}
_COLUMNS = ("PITR_NAME", "CREATED_TIME", "MODIFIED_TIME", "PITR_LEVEL", "ACCOUNT_NAME", "DATABASE_NAME",
            "TABLE_NAME", "PITR_LENGTH", "PITR_UNIT")


def range_in_hours(value, unit):
    """CAST_RANGE_VALUE_UNIT(length, unit): a PITR range in hours, as MatrixOne's castRangevalueUnitToHourUnit."""
    return int(value) * {"h": 1, "d": 24, "mo": 24 * 30, "y": 24 * 365}[str(unit).lower()]


class PitrStatements(Statements):
    """CREATE/ALTER/DROP/SHOW PITR (RESTORE ... FROM PITR is in restore.py)."""

    def _parse_range(self, p):
        p.expect("RANGE")
        value = p.number()
        unit = p.string().lower()
        if p.accept("INTERNAL") and not self.version.at_least(3, 0):
            p.i -= 1
            raise p.error()
        if not 1 <= value <= 100:
            raise internal("invalid pitr value %d" % value)
        if unit not in UNIT_SECONDS:
            raise internal("invalid pitr unit %s" % unit)
        return value, unit

    def _require_pitr_grammar(self, p):
        if not self.version.pitr:
            raise p.error()

    @statement("CREATE PITR", own_txn=True)
    def create_pitr(self, sql):
        self.session.refuse_in_txn()
        p = Parser.after(sql, "CREATE")
        self._require_pitr_grammar(p)
        p.expect("PITR")
        if_not_exists = p.if_not_exists()
        name = p.ident()
        level, account, database, table = "account", self.session.account_name, "", ""
        named_account = False
        if p.accept("FOR"):
            kind = p.expect("CLUSTER", "ACCOUNT", "DATABASE", "TABLE")
            if kind == "CLUSTER":
                level, account = "cluster", ""
            elif kind == "ACCOUNT":
                if p.peek() is not None and not p.peek().is_word("RANGE"):
                    account, named_account = p.ident().lower(), True
                elif not self.version.at_least(2, 1):
                    raise p.error()
            elif kind == "DATABASE":
                level, database = "database", p.ident()
                if p.accept("TABLE"):
                    level, table = "table", p.ident()
            else:
                if not self.version.at_least(2, 1):
                    p.i -= 1
                    raise p.error()
                level, database, table = "table", p.ident(), p.ident()
        value, unit = self._parse_range(p)
        p.end()
        self.session.require_admin()
        if name == "sys_mo_catalog_pitr":
            raise internal("pitr name is reserved")
        if level == "cluster" and not self.session.is_sys:
            raise internal("only sys tenant can create cluster level pitr")
        if level == "account" and named_account and not self.session.is_sys:  # even when it names itself (BVT pitr_basic)
            raise internal("only sys tenant can create tenant level pitr for other tenant")
        catalog = self.cluster.catalog
        if catalog.execute("SELECT 1 FROM pitrs WHERE creator = ? AND name = ?", (self.session.account_id, name)).fetchone():
            if if_not_exists:
                return None
            raise internal("pitr %s already exists" % name)
        account_id = self.session.account_id
        if level == "account":
            acc = self.cluster.account_by_name(account)
            if acc is None:
                raise internal("account %s does not exist" % account)
            account_id = acc[0]
        if level in ("database", "table"):
            if database.lower() in SYSTEM_DATABASES or not self.session.db_exists(self.session.conn, database):
                raise internal("database %s does not exist" % database)
            if level == "table" and self.session.table_def(self.session.conn, database, table) is None:
                raise internal("table %s.%s does not exist" % (database, table))
            account = self.session.account_name
        same = catalog.execute("SELECT 1 FROM pitrs WHERE creator = ? AND level = ? AND account_name = ? AND "
                               "database_name = ? AND table_name = ?",
                               (self.session.account_id, level, account, database, table)).fetchone()
        if same:
            raise internal({"cluster": "cluster level pitr already exists",
                            "account": "account `%s` already has a pitr" % account,
                            "database": "database `%s` already has a pitr" % database,
                            "table": "database `%s` table `%s` already has a pitr" % (database, table)}[level])
        ts = now_ns()
        catalog.execute("INSERT INTO pitrs VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        (self.session.account_id, name, str(uuid.uuid4()), ts, ts, level, account, database, table,
                         value, unit))
        covered = [r[0] for r in catalog.execute("SELECT id FROM accounts")] if level == "cluster" else [account_id]
        for acc_id in covered:
            self.cluster.record_history(acc_id)
        return None

    @statement("ALTER PITR", own_txn=True)
    def alter_pitr(self, sql):
        self.session.refuse_in_txn()
        p = Parser.after(sql, "ALTER")
        self._require_pitr_grammar(p)
        p.expect("PITR")
        if_exists = p.if_exists()
        name = p.ident()
        value, unit = self._parse_range(p)
        p.end()
        self.session.require_admin()
        cur = self.cluster.catalog.execute(
            "UPDATE pitrs SET length = ?, unit = ?, modified_ns = ? WHERE creator = ? AND name = ?",
            (value, unit, now_ns(), self.session.account_id, name))
        if cur.rowcount == 0 and not if_exists:
            raise internal("pitr %s does not exist" % name)
        return None

    @statement("DROP PITR", own_txn=True)
    def drop_pitr(self, sql):
        self.session.refuse_in_txn()
        p = Parser.after(sql, "DROP")
        self._require_pitr_grammar(p)
        p.expect("PITR")
        if_exists = p.if_exists()
        name = p.ident()
        p.accept("INTERNAL")
        p.end()
        self.session.require_admin()
        cur = self.cluster.catalog.execute("DELETE FROM pitrs WHERE creator = ? AND name = ?", (self.session.account_id, name))
        if cur.rowcount == 0 and not if_exists:
            raise internal("pitr %s does not exist" % name)
        return None

    def _v_mo_pitr(self, conn, schema):  # pylint: disable=unused-argument
        """mo_catalog.mo_pitr (sys only): every PITR of the cluster, oldest first."""
        if not self.session.is_sys:
            raise errors.parse('table "mo_pitr" does not exist')
        rows = []
        for creator, name, pitr_id, created, modified, level, account, database, table, length, unit in \
                self.cluster.catalog.execute("SELECT creator, name, pitr_id, created_ns, modified_ns, level, account_name, "
                                             "database_name, table_name, length, unit FROM pitrs ORDER BY created_ns"):
            acc = self.cluster.account_by_name(account) if account else None
            obj_id = CLUSTER_OBJ_ID if level == "cluster" else (acc[0] if acc and level == "account" else 0)
            rows.append((pitr_id, name, creator, local_text(self.cluster.timezone, created), local_text(self.cluster.timezone, modified), level,
                         acc[0] if acc else 0, account, database, table, obj_id, length, unit))
        return ("pitr_id", "pitr_name", "create_account", "create_time", "modified_time", "level", "account_id",
                "account_name", "database_name", "table_name", "obj_id", "pitr_length", "pitr_unit"), rows

    @statement("SHOW PITR", own_txn=True)
    def show_pitr(self, sql):
        if not self.version.pitr:
            p = Parser.after(sql, "SHOW")
            raise p.error()
        self.session.refuse_in_txn()
        self.cluster.catalog.create_function("mo_local", 1, lambda ns: local_text(self.cluster.timezone, ns))
        self.cluster.catalog.create_function("cast_range_value_unit", 2, range_in_hours, deterministic=True)
        base = ("SELECT name AS pitr_name, mo_local(created_ns) AS created_time, mo_local(modified_ns) AS "
                "modified_time, level AS pitr_level, CASE WHEN account_name = '' THEN '*' ELSE account_name END AS "
                "account_name, CASE WHEN database_name = '' THEN '*' ELSE database_name END AS database_name, "
                "CASE WHEN table_name = '' THEN '*' ELSE table_name END AS table_name, length AS pitr_length, "
                "unit AS pitr_unit, created_ns AS __ts FROM pitrs WHERE creator = ?")
        return self.session.snapshots.show_catalog(sql, "pitr", base, _COLUMNS)

    # -- RESTORE ... FROM PITR ------------------------------------------------------------------------
