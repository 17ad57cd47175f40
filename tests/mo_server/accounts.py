"""Accounts and users: CREATE/DROP/ALTER ACCOUNT, SHOW ACCOUNTS, CREATE/ALTER/DROP USER, GRANT."""

import re

from mysql_mimic.auth import NativePasswordAuthPlugin

from .common import NO_PRIVILEGE, Statements, like, ns_to_mo_timestamp, result, statement
from .errors import internal
from .lexer import Parser
from .storage import SYS_ACCOUNT_ID


class AccountStatements(Statements):
    """CREATE/DROP/ALTER ACCOUNT, SHOW ACCOUNTS, users, roles and grants."""

    # -- accounts and users ---------------------------------------------------------------------------------
    @statement("CREATE ACCOUNT", own_txn=True)
    def create_account(self, sql):
        self.session.refuse_in_txn()
        p = Parser.after(sql, "CREATE", "ACCOUNT")
        if_not_exists = p.if_not_exists()
        name = p.ident().lower()
        p.expect("ADMIN_NAME")
        p.accept_punct("=")
        admin = p.ident_or_string()
        p.expect("IDENTIFIED")
        p.expect("BY")
        password = p.string()
        comment = p.string() if p.accept("COMMENT") else ""
        p.end()
        if not self.session.is_sys or self.session.role != "moadmin":
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

    @statement("DROP ACCOUNT", own_txn=True)
    def drop_account(self, sql):
        self.session.refuse_in_txn()
        p = Parser.after(sql, "DROP", "ACCOUNT")
        if_exists = p.if_exists()
        name = p.ident().lower()
        p.end()
        if not self.session.is_sys or self.session.role != "moadmin":
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

    @statement("ALTER ACCOUNT")
    def alter_account(self, sql):
        p = Parser.after(sql, "ALTER", "ACCOUNT")
        p.if_exists()
        name = p.ident().lower()
        if not self.session.is_sys or self.session.role != "moadmin":
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
            updated = self.cluster.account_conn(acc[0]).execute("UPDATE __mo_users SET auth = ? WHERE name = ?",
                                                                (auth, admin))
            if updated.rowcount == 0:
                raise internal("there is no user %s" % admin)  # real v4.1.4's answer
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

    @statement("SHOW ACCOUNTS")
    def show_accounts(self, sql):
        p = Parser.after(sql, "SHOW", "ACCOUNTS")
        pattern = p.string() if p.accept("LIKE") else None
        p.end()
        if not self.session.is_sys:
            raise internal(NO_PRIVILEGE)
        rows = []
        for acc_id, name, admin, status, created, comment in self.cluster.catalog.execute(
                "SELECT id, name, admin_name, status, created_ns, comment FROM accounts ORDER BY id"):
            if pattern is None or like(pattern, name):
                created_at = ns_to_mo_timestamp(created).split(".")[0]
                rows.append((name, admin, created_at, status, None, comment, acc_id))
        if not rows:  # MatrixOne's getAccountInfo fails on an empty mo_account read
            raise internal("no account info")
        return result(("account_name", "admin_name", "created_time", "status", "suspended_time", "comments",
                       "account_id"), rows)

    @statement("CREATE USER", changes=True)
    def create_user(self, sql):
        p = Parser.after(sql, "CREATE", "USER")
        if_not_exists = p.if_not_exists()
        name = p.ident_or_string()
        p.expect("IDENTIFIED")
        p.expect("BY")
        auth = NativePasswordAuthPlugin.create_auth_string(p.string())
        role = "public"
        if p.accept("DEFAULT"):
            p.expect("ROLE")
            role = p.ident()
        p.end()
        self.session.require_admin()
        if self.session.conn.execute("SELECT 1 FROM __mo_users WHERE name = ?", (name,)).fetchone():
            if if_not_exists:
                return None
            raise internal("the user %s exists" % name)
        self.session.conn.execute("INSERT INTO __mo_users(name, auth, role) VALUES (?,?,?)", (name, auth, role))
        return None

    @statement("ALTER USER", changes=True)
    def alter_user(self, sql):
        p = Parser.after(sql, "ALTER", "USER")
        p.if_exists()
        name = p.ident_or_string()
        p.expect("IDENTIFIED")
        p.expect("BY")
        auth = NativePasswordAuthPlugin.create_auth_string(p.string())
        p.end()
        if name != self.session.user:
            self.session.require_admin()
        cur = self.session.conn.execute("UPDATE __mo_users SET auth = ? WHERE name = ?", (auth, name))
        if cur.rowcount == 0:
            raise internal("Operation ALTER USER failed for '%s'@'%%', user does't exist" % name)
        return None

    @statement("DROP USER", changes=True)
    def drop_user(self, sql):
        p = Parser.after(sql, "DROP", "USER")
        if_exists = p.if_exists()
        name = p.ident_or_string()
        p.end()
        self.session.require_admin()
        cur = self.session.conn.execute(
            "DELETE FROM __mo_users WHERE name = ? AND role NOT IN ('moadmin','accountadmin')", (name,))
        if cur.rowcount == 0 and not if_exists:
            raise internal("there is no user %s" % name)
        return None

    @statement("GRANT", changes=True)
    def grant(self, sql):
        """GRANT <role> TO <user>: the user's active role; privilege grants are accepted and ignored."""
        m = re.match(r"\s*grant\s+(\w+)\s+to\s+['`]?(\w+)['`]?\s*;?\s*$", sql, re.I)
        if m and m.group(1).lower() in ("accountadmin", "moadmin", "public"):
            self.session.require_admin()
            self.session.conn.execute("UPDATE __mo_users SET role = ? WHERE name = ?", (m.group(1).lower(), m.group(2)))
        return None
