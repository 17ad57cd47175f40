# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Connection options (with environment fallbacks) -> one PyMySQL connection with autocommit on."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import traceback

from ansible.module_utils.common.parameters import AnsibleFallbackNotFound
from ansible.module_utils.six.moves import configparser

from ansible_collections.matrixone.backup.plugins.module_utils import _errors

try:
    import pymysql
    HAS_PYMYSQL = True
    PYMYSQL_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the sanity import test
    pymysql = None
    HAS_PYMYSQL = False
    PYMYSQL_IMPORT_ERROR = traceback.format_exc()

TLS_MODES = ("disabled", "preferred", "required", "verify_ca", "verify_identity")
DEFAULTS = {"login_host": "127.0.0.1", "login_port": 6001, "login_user": "root", "login_account": "sys"}


def env_fallback_nonblank(name):
    """An MO_* variable's value; a blank one counts as unset (AWX leaves blank fields as empty strings)."""
    value = os.environ.get(name, "")
    if value.strip() == "":
        raise AnsibleFallbackNotFound
    return value


def connection_argspec():
    """The options every module shares; each can come from an MO_* environment variable."""
    def env(name):
        return (env_fallback_nonblank, [name])
    return dict(
        login_host=dict(type="str", fallback=env("MO_HOST")),
        login_port=dict(type="int", fallback=env("MO_PORT")),
        login_user=dict(type="str", fallback=env("MO_USER")),
        login_password=dict(type="str", no_log=True, fallback=env("MO_PASSWORD")),
        login_account=dict(type="str", fallback=env("MO_ACCOUNT")),
        login_role=dict(type="str", fallback=env("MO_ROLE")),
        connect_timeout=dict(type="int", default=10, fallback=env("MO_CONNECT_TIMEOUT")),
        read_timeout=dict(type="int", default=3600, fallback=env("MO_READ_TIMEOUT")),
        tls_mode=dict(type="str", default="preferred", choices=list(TLS_MODES), fallback=env("MO_TLS_MODE")),
        ca_cert=dict(type="path", aliases=["ssl_ca"], fallback=env("MO_CA_CERT")),
        client_cert=dict(type="path", aliases=["ssl_cert"], fallback=env("MO_CLIENT_CERT")),
        client_key=dict(type="path", aliases=["ssl_key"], fallback=env("MO_CLIENT_KEY")),
        check_hostname=dict(type="bool"),
        config_file=dict(type="path", fallback=env("MO_CONFIG_FILE")),
    )


# my.cnf [client] keys -> options; what the mysql client reads there but we cannot use is refused, not ignored
CONFIG_KEYS = {"host": "login_host", "port": "login_port", "user": "login_user", "password": "login_password",
               "account": "login_account", "role": "login_role", "ssl-ca": "ca_cert", "ssl_ca": "ca_cert",
               "ssl-cert": "client_cert", "ssl_cert": "client_cert", "ssl-key": "client_key", "ssl_key": "client_key"}
CONFIG_REFUSED = {"socket": "MatrixOne is reached over TCP (host and port), not a Unix socket",
                  "protocol": "MatrixOne is reached over TCP", "bind-address": "it is not supported",
                  "connect-timeout": "set connect_timeout instead", "connect_timeout": "set connect_timeout instead"}


def _unquote(value):
    """my.cnf values may be quoted: password="p w" is the password p w."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _read_config_file(path):
    """[client] host, port, user, password, account, role, ssl-ca/cert/key from a my.cnf file; keys that change
    how the mysql client connects but that we cannot honour are refused; the rest (prompt, pager...) is ignored."""
    if not os.path.exists(path):
        raise _errors.ConnectionFailure("config_file %s does not exist" % path)
    parser = configparser.ConfigParser(comment_prefixes=("#", ";", "!"), allow_no_value=True)
    try:
        parser.read(path)
    except configparser.Error as exc:
        raise _errors.ConnectionFailure("config_file %s cannot be parsed: %s" % (path, exc))
    if not parser.has_section("client"):
        raise _errors.ConnectionFailure("config_file %s has no [client] section" % path)
    section = parser["client"]
    values = {}
    for key in section:
        if key in CONFIG_REFUSED or (key.startswith("ssl") and key not in CONFIG_KEYS):
            raise _errors.ConnectionFailure("config_file %s sets %s, which this collection does not read: %s"
                                            % (path, key, CONFIG_REFUSED.get(key, "use tls_mode, ssl-ca, ssl-cert and "
                                                                             "ssl-key")))
        option, value = CONFIG_KEYS.get(key), _unquote(section.get(key) or "")
        if option is None or value == "":
            continue
        if option == "login_port":
            try:
                value = int(value)
            except ValueError:
                raise _errors.ConnectionFailure("config_file %s: %s=%r is not a number" % (path, key, value))
        values[option] = value
    return values


def _check_numbers(params):
    """Timeouts and the port in their range, named, before any connection (PyMySQL would take read_timeout=0 for a
    ValueError at connect time)."""
    for option, low, high in (("login_port", 1, 65535), ("connect_timeout", 1, None), ("read_timeout", 1, None)):
        value = params.get(option)
        if value is not None and (int(value) < low or (high is not None and int(value) > high)):
            raise _errors.ConnectionFailure("%s=%s is out of range: give %s" % (
                option, value, "%d to %d" % (low, high) if high else "at least %d second" % low))


def _check_files(params):
    """A named certificate or key file must exist: a missing one is an error, never silently plain text. An empty
    one counts as not given: AWX writes a file for each file injector of a credential type, empty for a blank
    field."""
    for option in ("ca_cert", "client_cert", "client_key"):
        path = params.get(option)
        if not path:
            continue
        if not os.path.isfile(path):
            raise _errors.ConnectionFailure("%s %s does not exist or is not a file" % (option, path))
        with open(path, "rb") as handle:
            if not handle.read(4096).strip():
                params[option] = None


def resolve(params):
    """Task options (or MO_* env) win over config_file, which wins over the built-in defaults."""
    resolved = dict(params)
    from_file = _read_config_file(params["config_file"]) if params.get("config_file") else {}
    for key, value in from_file.items():
        if resolved.get(key) in (None, ""):
            resolved[key] = value
    for key, value in DEFAULTS.items():
        if resolved.get(key) in (None, ""):
            resolved[key] = value
    _check_numbers(resolved)
    _check_files(resolved)
    if resolved.get("ca_cert") and resolved.get("tls_mode") in ("preferred", "required"):
        resolved["tls_mode"] = "verify_ca"  # a CA given is a CA used: verify the server against it
    _apply_check_hostname(resolved)
    return resolved


def _apply_check_hostname(params):
    """community.mysql's check_hostname on tls_mode: true verifies the certificate and its name (verify_identity);
    false only contradicts verify_identity, since no other mode checks the name."""
    check, mode = params.get("check_hostname"), params["tls_mode"]
    if check is None:
        return
    if check and mode == "disabled":
        raise _errors.ConnectionFailure("check_hostname=true needs TLS, but tls_mode=disabled")
    if check:
        params["tls_mode"] = "verify_identity"
    elif mode == "verify_identity":
        raise _errors.ConnectionFailure("check_hostname=false contradicts tls_mode=verify_identity; use tls_mode="
                                        "verify_ca to verify the certificate without its name")


def login_name(params):
    """MatrixOne's login: account#user[#role]; a user already containing # or : is used as given."""
    user = params["login_user"]
    if "#" in user or ":" in user:
        return user
    name = "%s#%s" % (params["login_account"], user)
    if params.get("login_role"):
        name += "#" + params["login_role"]
    return name


def login_account(params):
    """The account the login enters: login_account, or the account part of a login_user given as account#user."""
    return re.split(r"[#:]", login_name(params), 1)[0]


def describe(params):
    return "%s@%s:%s (tls_mode=%s)" % (login_name(params), params["login_host"], params["login_port"],
                                       params["tls_mode"])


def ssl_context(params):
    """The SSLContext for tls_mode, or None for disabled."""
    import ssl  # pylint: disable=import-outside-toplevel
    mode = params["tls_mode"]
    if mode == "disabled":
        return None
    if mode in ("preferred", "required"):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx = ssl.create_default_context(cafile=params.get("ca_cert"))
        ctx.check_hostname = mode == "verify_identity"
        ctx.verify_mode = ssl.CERT_REQUIRED
    if params.get("client_cert"):
        ctx.load_cert_chain(params["client_cert"], params.get("client_key"))
    return ctx


_HINTS = {
    2003: "check that MatrixOne is running and login_host/login_port are right (default port 6001)",
    2013: "the server closed the connection; check tls_mode and the server's health",
}


def _hint(code, text, params):
    """What to check, by cause: unknown host, nothing listening, no answer, refused login."""
    lowered = text.lower()
    if code == 2003 and ("name or service not known" in lowered or "nodename nor servname" in lowered
                         or "getaddrinfo" in lowered or "no address associated" in lowered
                         or "temporary failure in name resolution" in lowered):
        return "host name %s cannot be resolved; check login_host" % params["login_host"]
    if code == 2003 and "refused" in lowered:
        return "nothing listens on %s:%s; check that MatrixOne is running and login_port (default 6001)" % (
            params["login_host"], params["login_port"])
    if code == 2003 and "timed out" in lowered:
        return "no answer within connect_timeout=%ss; check the network path and firewall" % params["connect_timeout"]
    if code == 2026:
        return "the server does not offer TLS (tls_mode=%s); enable TLS on MatrixOne or lower tls_mode" % (
            params["tls_mode"])
    if code == 1045 and not params.get("login_password"):
        return ("access denied, and no password was given: set login_password, MO_PASSWORD or password in "
                "config_file")
    if code == 1045:
        return ("access denied: the password is wrong, or user %s or account %s does not exist (MatrixOne logs in as "
                "account#user); check login_user, login_password and login_account"
                % (params["login_user"], params["login_account"]))
    # MatrixOne checks the account and the user before the password and says which is missing (20101)
    if "there is no tenant" in lowered:
        return "account %s does not exist; check login_account" % params["login_account"]
    if "there is no user" in lowered:
        return "user %s does not exist in account %s; check login_user" % (params["login_user"],
                                                                           params["login_account"])
    return _HINTS.get(code, "check the connection options")


def connect(params):
    """Open a PyMySQL connection with autocommit on (MatrixOne refuses snapshot statements in a transaction)."""
    who = describe(params)
    try:
        ctx = ssl_context(params)
    except (IOError, OSError, ValueError) as exc:
        raise _errors.ConnectionFailure("cannot set up TLS for %s: %s" % (who, exc))
    kwargs = dict(host=params["login_host"], port=int(params["login_port"]), user=login_name(params),
                  password=params.get("login_password") or "", connect_timeout=params["connect_timeout"],
                  read_timeout=params["read_timeout"], write_timeout=params["read_timeout"],
                  autocommit=True, charset="utf8mb4")
    if params["tls_mode"] == "disabled":
        kwargs["ssl_disabled"] = True
    elif params["tls_mode"] != "preferred" or params.get("client_cert"):
        kwargs["ssl"] = ctx
    # preferred: PyMySQL >= 1.2 negotiates TLS itself when the server offers it (one connection, no retry)
    try:
        conn = pymysql.connect(**kwargs)
    except pymysql.err.MySQLError as exc:
        code = exc.args[0] if exc.args else None
        text = exc.args[1] if len(exc.args) > 1 else str(exc)
        # "[Errno 111]" adds nothing to "Connection refused", and Ansible masks any output equal to a no_log
        # value (a password of 111 would turn it into "[Errno ********]")
        text = re.sub(r"\[Errno -?\d+\]\s*", "", text)
        raise _errors.ConnectionFailure("cannot connect to MatrixOne as %s: (%s) %s; %s"
                                        % (who, code, text, _hint(code, text, params)))
    except Exception as exc:  # ssl.SSLError and socket errors surface here on some PyMySQL versions
        raise _errors.ConnectionFailure("cannot connect to MatrixOne as %s: %s: %s" % (who, type(exc).__name__, exc))
    if params["tls_mode"] != "preferred" and params["tls_mode"] != "disabled" and not uses_tls(conn):
        conn.close()
        raise _errors.ConnectionFailure("tls_mode=%s but %s:%s did not offer TLS" % (params["tls_mode"], params["login_host"],
                                                                                     params["login_port"]))
    return conn


def uses_tls(conn):
    import ssl  # pylint: disable=import-outside-toplevel
    return isinstance(getattr(conn, "_sock", None), ssl.SSLSocket)
