# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared module shell: argument spec, connect, run statements with the `queries` log, exit/fail."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.matrixone.backup.plugins.module_utils import _connection, _errors, _server, _sql, _time


class MoModule:
    """AnsibleModule plus one MatrixOne connection, the server facts and the `queries` log."""

    def __init__(self, argument_spec, connects=True, **constraints):
        """connects=False: a module that works on backup storage only (no connection options, no `queries`)."""
        spec = _connection.connection_argspec() if connects else {}
        spec.update(argument_spec)
        self.connects = connects
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **constraints)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self.queries = []
        self.last_rowcount = 0
        self.conn = None
        self.server = None
        self.tls = False
        self._others = []
        self._reads = {}  # {id(connection): ReadQuery}
        self.report_capabilities = False  # server.capabilities in the result (mo_snapshot_info only)
        self.secrets = []  # values never to appear in a message (no_log masks results; this also covers our texts)
        self.doing = "the task"  # what the module is doing, for the message of a failure
        self.failure_result = {}  # fields a failure returns besides msg (a module adds to it as it goes)
        self.connection = None
        if not connects:
            return
        try:  # options, environment and config_file resolved once, before anything else can need them
            self.connection = _connection.resolve(self.params)
        except _errors.ConnectionFailure as exc:
            self.fail(str(exc))

    # -- lifecycle ------------------------------------------------------------------------------
    def run(self, body):
        """Run the module's body. Any error of the collection (_errors.MoError) fails the task with what was being done
        (self.doing) and the fields gathered so far (self.failure_result): the one place that catches them."""
        try:
            body()
        except _errors.MoError as exc:
            self.fail_from(exc, self.doing, **dict(self.failure_result, **exc.result))

    def connect(self):
        """Connect and learn the server version (one round trip; two on builds without a version)."""
        if not _connection.HAS_PYMYSQL:
            self.module.fail_json(msg=missing_required_lib("PyMySQL"), exception=_connection.PYMYSQL_IMPORT_ERROR)
        try:
            self.conn = _connection.connect(self.connection)
        except _errors.ConnectionFailure as exc:
            self.fail(str(exc))
        self.tls = _connection.uses_tls(self.conn)
        version_string = self.query(_sql.select_version(), record=False)[0]["version()"]
        version = _server.parse_version(version_string)
        if version is not None:
            self.server = _server.ServerInfo(version_string, version, "version()")
        else:
            probe = _sql.restore_grammar_probe(self.login_account)
            try:
                self.query(probe, record=False)
                errno = None
            except _errors.SqlError as exc:
                errno = exc.code
            self.server = _server.from_probe(version_string, errno)
        return self

    @property
    def login_account(self):
        return _connection.login_account(self.connection)

    def add_secret(self, value):
        """A value the module made (a generated password) that must never be shown: masked in our messages, and by
        Ansible in the whole result, as a no_log option's value is."""
        self.secrets.append(value)
        self.module.no_log_values.add(value)

    def connect_as(self, account, user, password):
        """A second connection with the same host and TLS options as another account's user."""
        return self.connect_with(dict(self.connection, login_account=account, login_user=user,
                                      login_password=password, login_role=None))

    def connect_with(self, params):
        """Another connection with these connection parameters, closed with the module's own. A failure raises
        _errors.ConnectionFailure, so that what the module made before (a drill's copy, a scratch account) is
        removed before the task fails."""
        conn = _connection.connect(params)
        conn.mo_params = params
        self._others.append(conn)
        return conn

    def reads(self, conn=None):
        """The query function of one login for unrecorded reads (the login's connection, or `conn`): one object per
        connection, so that two sides read through the same login compare equal (_state.Reader.same_login)."""
        conn = conn or self.conn
        if id(conn) not in self._reads:
            self._reads[id(conn)] = ReadQuery(self, conn)
        return self._reads[id(conn)]

    def close_login(self, conn):
        """Close one extra connection and the read connections opened beside it (before its account is dropped)."""
        reads = self._reads.pop(id(conn), None)
        for other in [conn] + ((reads.extra or []) if reads is not None else []):
            self._reads.pop(id(other), None)
            if other in self._others:
                self._others.remove(other)
            try:
                other.close()
            except Exception:  # pylint: disable=broad-except
                pass

    def close(self):
        for conn in [self.conn] + self._others:
            if conn is not None:
                try:
                    conn.close()
                except Exception:  # pylint: disable=broad-except
                    pass
        self.conn = None
        self._others = []

    # -- statements -----------------------------------------------------------------------------
    def query(self, statement, record=True, conn=None):
        """Run a statement; return its rows as dicts keyed by lower-case column label."""
        import pymysql  # pylint: disable=import-outside-toplevel
        if record:
            self.queries.append(statement.display)
        cursor = (conn or self.conn).cursor()
        try:
            cursor.execute(statement.sql, statement.params)  # () too: the text is a format string
            self.last_rowcount = max(cursor.rowcount, 0)
            if cursor.description is None:
                return []
            labels = [d[0].lower() for d in cursor.description]
            return [dict(zip(labels, row)) for row in cursor.fetchall()]
        except pymysql.err.OperationalError as exc:
            code = exc.args[0] if exc.args else None
            text = exc.args[1] if len(exc.args) > 1 else str(exc)
            if code in (2006, 2013, 2014, 2055) or code is None:
                raise _errors.ConnectionLost(code, text, statement)
            raise _errors.SqlError(code, text, statement)
        except pymysql.err.MySQLError as exc:
            code = exc.args[0] if exc.args else None
            text = exc.args[1] if len(exc.args) > 1 else str(exc)
            raise _errors.SqlError(code, text, statement)
        except (IOError, OSError) as exc:
            raise _errors.ConnectionLost(None, str(exc), statement)
        finally:
            cursor.close()

    def server_clock(self, server_timezone=None):
        """The server's current time and the zones of its PITR times (_time.Clock), checked against a given zone."""
        return _time.clock(self.query(_sql.server_clock(), record=False)[0], server_timezone)

    def would_run(self, statement):
        """Record a statement that a real run would send (check mode sends nothing)."""
        self.queries.append(statement.display)

    def check_mode_exit(self, statements, diff=None, **result):
        """The check-mode gate: in check mode record the statements a real run would send and exit with the predicted
        result (changed when there is any statement); in a real run return, and the module acts."""
        if not self.check_mode:
            return
        for statement in statements:
            self.would_run(statement)
        self.exit(bool(statements), diff=diff, **result)

    def change(self, statement):
        """Run a statement that changes state; in check mode only record it. True when it was sent."""
        if self.check_mode:
            self.would_run(statement)
            return False
        self.query(statement)
        return True

    # -- results --------------------------------------------------------------------------------
    def _common(self, result):
        if not self.connects:
            return result
        result["queries"] = list(self.queries)
        if self.server is not None:
            result["server"] = self.server.as_dict(capabilities=self.report_capabilities)
            result["server"]["tls"] = self.tls
        return result

    def exit(self, changed, diff=None, **result):
        self.close()
        result = self._common(dict(result, changed=changed))
        if diff is not None and self.module._diff:  # pylint: disable=protected-access
            result["diff"] = diff
        self.module.exit_json(**result)

    def fail(self, msg, **result):
        self.close()
        for secret in self.secrets:
            msg = msg.replace(secret, _sql.MASK)
        self.module.fail_json(msg=msg, **self._common(result))

    def fail_from(self, exc, doing, **result):
        """Fail with what we were doing and what the server said (_errors.SqlError, _errors.ConnectionLost), or the error's own
        message (any other _errors.MoError)."""
        if isinstance(exc, _errors.SqlError):
            result.setdefault("error_code", exc.code)
            self.fail(exc.during(doing), **result)
        if isinstance(exc, _errors.ConnectionLost):
            if "timed out" in str(exc.text):
                self.fail("%s: MatrixOne did not answer within read_timeout=%ss while running %s; the outcome is "
                          "unknown (the statement may still be running), check the server state before re-running"
                          % (doing, self.connection["read_timeout"], exc.statement.display), **result)
            self.fail("%s: the connection was lost while the server ran %s (%s); the outcome is unknown, "
                      "check the server state before re-running" % (doing, exc.statement.display, exc.text),
                      **result)
        self.fail(str(exc), **result)


class ReadQuery:
    """Reads through one login: called with a statement, it returns the rows. `parallel()` gives the query functions
    of PARALLEL_READS connections of that login, opened on first use, for batches run at once (_state.run_all)."""

    PARALLEL_READS = 2  # measured on real v4.1.4, 1,000 tables: 2 sessions halve a batched pass, 3 gained nothing

    def __init__(self, mo, conn):
        self.mo = mo
        self.conn = conn
        self.extra = None

    def __call__(self, statement):
        return self.mo.query(statement, record=False, conn=self.conn)

    def parallel(self):
        if self.extra is None:
            params = getattr(self.conn, "mo_params", None) or self.mo.connection
            self.extra = [self.mo.connect_with(params) for _index in range(self.PARALLEL_READS - 1)]
        return [self] + [self.mo.reads(conn) for conn in self.extra]
