"""mysql-mimic glue: logins in MatrixOne's forms, one engine Session per connection, true affected rows."""

import asyncio
import logging
import os
import re
import ssl

from mysql_mimic import MysqlServer, connection as mimic_connection, stream as mimic_stream
from mysql_mimic.auth import IdentityProvider, NativePasswordAuthPlugin, User
from mysql_mimic.results import ResultColumn
from mysql_mimic.session import BaseSession
from mysql_mimic.types import ColumnType, ServerStatus
from mysql_mimic.variables import GlobalVariables, SessionVariables

from . import errors
from .engine import Session, parse_login
from .lexer import split_statements
from .storage import Cluster
from .versions import Version

log = logging.getLogger("mo_server")


async def _handle_query_with_affected_rows(self, data):
    """mysql-mimic always reports 0 affected rows; report the session's real count (pinned 3.0.5)."""
    from mysql_mimic import packets  # pylint: disable=import-outside-toplevel
    com_query = packets.parse_com_query(capabilities=self.capabilities, client_charset=self.client_charset,
                                        data=data)
    result_set = await self.query(com_query.sql, com_query.query_attrs)
    session = self.session
    flags = ServerStatus(0)
    if getattr(session, "engine", None) is not None:
        if session.engine.autocommit:
            flags |= ServerStatus.SERVER_STATUS_AUTOCOMMIT
        if session.engine.in_txn:
            flags |= ServerStatus.SERVER_STATUS_IN_TRANS
    self.status_flags = flags
    if not result_set:
        engine = getattr(session, "engine", None)
        await self.stream.write(self.ok(affected_rows=engine.affected_rows if engine else 0,
                                        last_insert_id=engine.last_insert_id if engine else 0))
        return
    await self.write_text_resultset(result_set)


mimic_connection.Connection.handle_query = _handle_query_with_affected_rows
_original_connection_init = mimic_connection.Connection.__init__


def _connection_init_autocommit(self, *args, **kwargs):
    """MatrixOne's greeting says autocommit is on; without it PyMySQL sends an extra SET AUTOCOMMIT."""
    _original_connection_init(self, *args, **kwargs)
    self.status_flags = ServerStatus.SERVER_STATUS_AUTOCOMMIT


mimic_connection.Connection.__init__ = _connection_init_autocommit


async def _start_tls_keeping_read_ahead(self, ssl_context):
    """mysql-mimic's start_tls loses a TLS ClientHello that arrived together with the SSLRequest packet.

    The client sends both back to back; when the StreamReader has already buffered the ClientHello,
    asyncio's start_tls never sees it and the handshake stalls until its timeout. This is asyncio's
    start_tls plus handing those buffered bytes to the TLS protocol first.
    """
    from asyncio import sslproto  # pylint: disable=import-outside-toplevel
    loop = asyncio.get_running_loop()
    transport = self.writer.transport
    protocol = transport.get_protocol()
    read_ahead = bytes(self.reader._buffer)  # pylint: disable=protected-access
    self.reader._buffer.clear()  # pylint: disable=protected-access
    waiter = loop.create_future()
    ssl_protocol = sslproto.SSLProtocol(loop, protocol, ssl_context, waiter, server_side=True,
                                        call_connection_made=False)
    transport.pause_reading()
    transport.set_protocol(ssl_protocol)

    def feed():
        if read_ahead:
            buf = ssl_protocol.get_buffer(len(read_ahead))
            buf[:len(read_ahead)] = read_ahead
            ssl_protocol.buffer_updated(len(read_ahead))

    loop.call_soon(ssl_protocol.connection_made, transport)
    loop.call_soon(feed)
    loop.call_soon(transport.resume_reading)
    try:
        await waiter
    except BaseException:
        transport.close()
        raise
    new_transport = ssl_protocol._app_transport  # pylint: disable=protected-access
    self.writer._transport = new_transport  # pylint: disable=protected-access
    self.reader._transport = new_transport  # pylint: disable=protected-access


mimic_stream.MysqlStream.start_tls = _start_tls_keeping_read_ahead

_mimic_error = mimic_connection.Connection.error


def _error_keeping_login_codes(self, **kwargs):
    """A MatrixOne error raised while logging in (no such tenant or user) keeps its own code and text."""
    exc = kwargs.get("msg")
    if isinstance(exc, errors.MoError):
        kwargs.update(msg=exc.text, code=exc.mo_code)
    elif isinstance(exc, str) and exc.startswith("Access denied for user "):  # a wrong password
        kwargs["msg"] = exc + ". internal error: check password failed"
    return _mimic_error(self, **kwargs)


mimic_connection.Connection.error = _error_keeping_login_codes


class MoIdentityProvider(IdentityProvider):
    def __init__(self, cluster):
        self.cluster = cluster
        self._plugin = NativePasswordAuthPlugin()

    def get_plugins(self):
        return [self._plugin]

    async def get_user(self, username):
        account, user, _role = parse_login(username)
        # checked before the password, with MatrixOne's texts (real 3.0.18 and 4.1.4)
        if self.cluster.account_by_name(account) is None:
            raise errors.internal("there is no tenant %s" % account)
        auth = Session(self.cluster).auth_string(username)
        if auth is None:
            acc = self.cluster.account_by_name(account)
            known = self.cluster.account_conn(acc[0]).execute("SELECT 1 FROM __mo_users WHERE name = ?",
                                                              (user,)).fetchone()
            if acc[3] == "open" and not known:
                raise errors.internal("there is no user %s" % user)
            # a suspended account or a role the user lacks: a password nobody knows gives 1045
            auth = NativePasswordAuthPlugin.create_auth_string(os.urandom(16).hex())
        return User(name=username, auth_string=auth, auth_plugin=self._plugin.name)


def _column_type(value):
    if isinstance(value, bool) or isinstance(value, int):
        return ColumnType.LONGLONG
    if isinstance(value, float):
        return ColumnType.DOUBLE
    if isinstance(value, bytes):
        return ColumnType.BLOB
    return ColumnType.VARCHAR


class MoSession(BaseSession):
    """One client connection."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.variables = SessionVariables(GlobalVariables())
        self.variables.set("version", cluster.version.version_string, force=True)
        self.variables.set("version_comment", "MatrixOne", force=True)
        self.username = None
        self.database = None
        self.engine = None

    async def _inject_fault(self, statement):
        """Test-only faults armed with `SELECT mo_test_fault('<kind>', '<statement prefix>', seconds)`.

        drop_before: close the connection without running the statement; drop_after: run it, then close
        without answering; stall: wait `seconds` before running it (the client's read timeout fires);
        fail_midway: a BACKUP fails after writing its first files, as when a disk fills up.
        """
        faults = self.cluster.faults
        for fault in list(faults):
            kind, prefix, seconds = fault
            if statement.lstrip().upper().startswith(prefix.upper()):
                faults.remove(fault)
                return kind, seconds
        return None, 0

    def _drop_connection(self):
        self.connection.stream.writer.transport.abort()
        raise ConnectionResetError("test fault: connection dropped")

    async def init(self, connection):
        self.connection = connection
        if self.username is None:
            return  # failed login: mimic has already sent 1045
        self.engine = Session(self.cluster)
        self.engine.login(self.username)
        if self.database:
            self.engine.use_database(self.database)
        connection.status_flags |= ServerStatus.SERVER_STATUS_AUTOCOMMIT

    async def close(self):
        if self.engine is not None:
            self.engine.abort_txn()

    async def use(self, database):
        self.engine.use_database(database)
        self.database = database

    async def handle_query(self, sql, attrs):
        if self.engine is None:
            raise errors.MoError(errors.ACCESS_DENIED, "Access denied")
        result = None
        for statement in split_statements(sql) or [sql]:
            self.cluster.questions += 1
            log.debug("statement: %s", statement[:200])
            armed = re.match(r"\s*select\s+mo_test_fault\(\s*'(\w+)'\s*,\s*'([^']*)'\s*(?:,\s*(\d+))?\s*\)",
                             statement, re.I)
            if armed:
                self.cluster.faults.append((armed.group(1), armed.group(2), int(armed.group(3) or 0)))
                result = ([(1,)], ["mo_test_fault"])
                continue
            fault, seconds = await self._inject_fault(statement)
            if fault == "drop_before":
                self._drop_connection()
            if fault == "stall":
                await asyncio.sleep(seconds)
            self.engine.fault = fault  # the handler sees its own armed fault (fail_midway)
            try:
                result = self.engine.execute(statement)
                if fault == "drop_after":
                    self._drop_connection()
            except (errors.MoError, ConnectionResetError):
                raise
            except Exception as exc:  # never drop the connection on a server bug: report it
                log.exception("statement failed: %s", statement[:300])
                raise errors.MoError(1105, "internal error: test server: %s: %s" % (type(exc).__name__, exc)) \
                    from None
        self.database = self.engine.database
        if result is None:
            return None
        rows, columns = result
        cols = []
        for i, name in enumerate(columns):
            sample = next((r[i] for r in rows if r[i] is not None), "")
            cols.append(ResultColumn(name=name, type=_column_type(sample)))
        return rows, cols


async def serve(host, port, version, data_dir=None, root_password="111", tenant_snapshot_quota=50, timezone="UTC",
                ssl_context=None, ready=None, aws_ca_bundle=None):
    cluster = Cluster(Version(version), data_dir=data_dir, root_password=root_password,
                      tenant_snapshot_quota=tenant_snapshot_quota, timezone=timezone)
    cluster.aws_ca_bundle = aws_ca_bundle

    def session_factory():
        session = MoSession(cluster)
        return session

    server = MysqlServer(session_factory=session_factory, identity_provider=MoIdentityProvider(cluster),
                         ssl=ssl_context)
    await server.start_server(host=host, port=port)
    bound = server.sockets()[0].getsockname()
    if ready is not None:
        ready(bound[0], bound[1])
    await server.serve_forever()


def tls_context(cert, key):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


def run(host, port, version, **kwargs):
    asyncio.run(serve(host, port, version, **kwargs))
