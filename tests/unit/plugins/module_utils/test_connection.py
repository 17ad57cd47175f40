# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ssl

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _connection, _errors


def params(**kw):
    base = dict(login_host=None, login_port=None, login_user=None, login_password="pw-secret", login_account=None,
                login_role=None, connect_timeout=10, read_timeout=3600, tls_mode="disabled", ca_cert=None,
                client_cert=None, client_key=None, config_file=None)
    base.update(kw)
    return base


def test_defaults_apply_last():
    r = _connection.resolve(params())
    assert (r["login_host"], r["login_port"], r["login_user"], r["login_account"]) == ("127.0.0.1", 6001, "root",
                                                                                       "sys")


def test_config_file_fills_unset_options_only(tmp_path):
    cnf = tmp_path / "mo.cnf"
    cnf.write_text("!includedir /etc/x\n[client]\nhost = db.example\nport = 6002\nuser = admin\n"
                   "password = from-file\naccount = acc1\n")
    r = _connection.resolve(params(config_file=str(cnf), login_user="explicit", login_password=None))
    assert r["login_host"] == "db.example" and r["login_port"] == 6002
    assert r["login_user"] == "explicit"
    assert r["login_password"] == "from-file" and r["login_account"] == "acc1"


@pytest.mark.parametrize("content, fragment", [(None, "does not exist"), ("[mysql]\nx=1\n", r"no \[client\]")])
def test_config_file_errors(tmp_path, content, fragment):
    path = tmp_path / "mo.cnf"
    if content is not None:
        path.write_text(content)
    with pytest.raises(_errors.ConnectionFailure, match=fragment):
        _connection.resolve(params(config_file=str(path)))


@pytest.mark.parametrize("user, account, role, expected", [
    ("root", "sys", None, "sys#root"),
    ("admin", "acc1", None, "acc1#admin"),
    ("admin", "acc1", "accountadmin", "acc1#admin#accountadmin"),
    ("acc1#admin", "sys", None, "acc1#admin"),
    ("acc1:admin:r", "sys", None, "acc1:admin:r"),
])
def test_login_name(user, account, role, expected):
    assert _connection.login_name(dict(login_user=user, login_account=account, login_role=role)) == expected


def test_ssl_context_per_mode():
    assert _connection.ssl_context(params(tls_mode="disabled")) is None
    ctx = _connection.ssl_context(params(tls_mode="required"))
    assert ctx.verify_mode == ssl.CERT_NONE and not ctx.check_hostname
    ctx = _connection.ssl_context(params(tls_mode="verify_ca"))
    assert ctx.verify_mode == ssl.CERT_REQUIRED and not ctx.check_hostname
    ctx = _connection.ssl_context(params(tls_mode="verify_identity"))
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname


def test_connect_failure_names_target_but_never_the_password(mocker):
    err = _connection.pymysql.err.OperationalError(1045, "Access denied for user 'sys#root'")
    mocker.patch.object(_connection.pymysql, "connect", side_effect=err)
    with pytest.raises(_errors.ConnectionFailure) as exc:
        _connection.connect(_connection.resolve(params(login_port=6001)))
    msg = str(exc.value)
    assert "sys#root@127.0.0.1:6001 (tls_mode=disabled)" in msg
    assert "the password is wrong, or user root or account sys does not exist" in msg
    assert "pw-secret" not in msg


def test_connect_uses_autocommit_and_timeouts(mocker):
    fake = mocker.patch.object(_connection.pymysql, "connect")
    _connection.connect(_connection.resolve(params(read_timeout=99)))
    kwargs = fake.call_args.kwargs
    assert kwargs["autocommit"] is True and kwargs["read_timeout"] == 99 and kwargs["user"] == "sys#root"
    assert "ssl" not in kwargs and kwargs["ssl_disabled"] is True


def test_preferred_leaves_negotiation_to_pymysql_and_disabled_turns_tls_off(mocker):
    fake = mocker.patch.object(_connection.pymysql, "connect")
    _connection.connect(_connection.resolve(params(tls_mode="preferred")))
    assert "ssl" not in fake.call_args.kwargs and "ssl_disabled" not in fake.call_args.kwargs
    _connection.connect(_connection.resolve(params(tls_mode="disabled")))
    assert fake.call_args.kwargs["ssl_disabled"] is True
    fake.return_value = mocker.Mock(_sock=object())
    with pytest.raises(_errors.ConnectionFailure, match="did not offer TLS"):
        _connection.connect(_connection.resolve(params(tls_mode="verify_ca")))
    assert fake.call_args.kwargs["ssl"].verify_mode == ssl.CERT_REQUIRED


def test_required_fails_when_server_offers_no_tls(mocker):
    mocker.patch.object(_connection.pymysql, "connect", side_effect=_connection.pymysql.err.OperationalError(
        2026, "SSL is required but the server doesn't support it"))
    with pytest.raises(_errors.ConnectionFailure, match="tls_mode=required"):
        _connection.connect(_connection.resolve(params(tls_mode="required")))


@pytest.mark.parametrize("code, text, fragment", [
    (2003, "Can't connect to MySQL server on 'nohost.invalid' ([Errno -2] Name or service not known)",
     "host name 127.0.0.1 cannot be resolved"),
    (2003, "Can't connect to MySQL server on '127.0.0.1' ([Errno 111] Connection refused)", "nothing listens on"),
    (2003, "Can't connect to MySQL server on '10.0.0.1' (timed out)", "no answer within connect_timeout=10s"),
    (2013, "Lost connection to MySQL server during query", "the server closed the connection"),
])
def test_each_connection_failure_has_its_own_hint(mocker, code, text, fragment):
    mocker.patch.object(_connection.pymysql, "connect", side_effect=_connection.pymysql.err.OperationalError(code, text))
    with pytest.raises(_errors.ConnectionFailure) as exc:
        _connection.connect(_connection.resolve(params()))
    assert fragment in str(exc.value)
    assert "[Errno" not in str(exc.value)


@pytest.mark.parametrize("text, hint", [
    ("internal error: there is no tenant acc9", "account sys does not exist; check login_account"),
    ("internal error: there is no user bob", "user root does not exist in account sys; check login_user"),
])
def test_missing_account_or_user_is_named(mocker, text, hint):
    """Real 3.0.18 and 4.1.4 refuse a missing account or user with 20101 before checking the password."""
    mocker.patch.object(_connection.pymysql, "connect", side_effect=_connection.pymysql.err.OperationalError(20101, text))
    with pytest.raises(_errors.ConnectionFailure) as exc:
        _connection.connect(_connection.resolve(params(login_port=6001)))
    assert "(20101) %s; %s" % (text, hint) in str(exc.value)


def test_config_file_unquotes_and_reads_tls_files(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    cnf = tmp_path / "mo.cnf"
    cnf.write_text('[client]\npassword = "p w"\nuser = \'admin\'\nssl-ca = %s\nprompt = mo>\n' % ca)
    r = _connection.resolve(params(config_file=str(cnf), login_password=None, tls_mode="preferred"))
    assert r["login_password"] == "p w" and r["login_user"] == "admin" and r["ca_cert"] == str(ca)
    assert r["tls_mode"] == "verify_ca"  # a CA given is a CA used


@pytest.mark.parametrize("line", ["socket = /tmp/mysql.sock", "ssl-mode = REQUIRED", "connect-timeout = 5",
                                  "ssl-capath = /etc/ssl"])
def test_config_file_refuses_what_it_would_ignore(tmp_path, line):
    cnf = tmp_path / "mo.cnf"
    cnf.write_text("[client]\nuser = admin\n%s\n" % line)
    with pytest.raises(_errors.ConnectionFailure, match="does not read"):
        _connection.resolve(params(config_file=str(cnf)))


@pytest.mark.parametrize("mode, effective", [("preferred", "verify_ca"), ("required", "verify_ca"),
                                             ("verify_identity", "verify_identity"), ("disabled", "disabled")])
def test_a_given_ca_means_verification(tmp_path, mode, effective):
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    assert _connection.resolve(params(ca_cert=str(ca), tls_mode=mode))["tls_mode"] == effective


@pytest.mark.parametrize("option", ["ca_cert", "client_cert", "client_key"])
def test_a_missing_certificate_file_is_an_error(option):
    with pytest.raises(_errors.ConnectionFailure, match="%s /nonexistent.pem does not exist" % option):
        _connection.resolve(params(**{option: "/nonexistent.pem"}))


def test_blank_environment_values_count_as_unset(monkeypatch):
    monkeypatch.setenv("MO_PORT", "")
    monkeypatch.setenv("MO_TLS_MODE", "  ")
    monkeypatch.setenv("MO_HOST", "db.example")
    with pytest.raises(_connection.AnsibleFallbackNotFound):
        _connection.env_fallback_nonblank("MO_PORT")
    with pytest.raises(_connection.AnsibleFallbackNotFound):
        _connection.env_fallback_nonblank("MO_TLS_MODE")
    assert _connection.env_fallback_nonblank("MO_HOST") == "db.example"


def test_access_denied_without_a_password_says_none_was_given(mocker):
    err = _connection.pymysql.err.OperationalError(1045, "Access denied for user sys#root")
    mocker.patch.object(_connection.pymysql, "connect", side_effect=err)
    with pytest.raises(_errors.ConnectionFailure, match="no password was given"):
        _connection.connect(_connection.resolve(params(login_password=None)))


@pytest.mark.parametrize("option", ["ca_cert", "client_cert", "client_key"])
def test_an_empty_certificate_file_counts_as_not_given(tmp_path, option):
    """AWX writes a file for every file injector of a credential type, an empty one for a blank field."""
    empty = tmp_path / "empty.pem"
    empty.write_text("\n")
    resolved = _connection.resolve(params(tls_mode="preferred", **{option: str(empty)}))
    assert resolved[option] is None and resolved["tls_mode"] == "preferred"


@pytest.mark.parametrize("option, value, expected", [
    ("read_timeout", 0, "read_timeout=0 is out of range: give at least 1 second"),
    ("connect_timeout", -5, "connect_timeout=-5 is out of range: give at least 1 second"),
    ("login_port", 70000, "login_port=70000 is out of range: give 1 to 65535"),
])
def test_numbers_out_of_range_are_named_before_any_connection(option, value, expected):
    with pytest.raises(_errors.ConnectionFailure) as caught:
        _connection.resolve(params(**{option: value}))
    assert str(caught.value) == expected


def test_the_mysql_clients_tls_option_names_are_aliases():
    spec = _connection.connection_argspec()
    assert [spec[o]["aliases"] for o in ("ca_cert", "client_cert", "client_key")] == [["ssl_ca"], ["ssl_cert"],
                                                                                      ["ssl_key"]]


@pytest.mark.parametrize("mode, check, effective", [
    ("preferred", True, "verify_identity"), ("required", True, "verify_identity"), ("verify_ca", True, "verify_identity"),
    ("verify_identity", True, "verify_identity"), ("preferred", False, "preferred"), ("verify_ca", False, "verify_ca"),
    ("preferred", None, "preferred"),
])
def test_check_hostname_as_community_mysql_means_it(mode, check, effective):
    assert _connection.resolve(params(tls_mode=mode, check_hostname=check))["tls_mode"] == effective


@pytest.mark.parametrize("mode, check, message", [
    ("disabled", True, "check_hostname=true needs TLS, but tls_mode=disabled"),
    ("verify_identity", False, "check_hostname=false contradicts tls_mode=verify_identity"),
])
def test_check_hostname_that_contradicts_tls_mode_is_refused(mode, check, message):
    with pytest.raises(_errors.ConnectionFailure, match=message):
        _connection.resolve(params(tls_mode=mode, check_hostname=check))


@pytest.mark.parametrize("user, account, expected", [
    ("root", "sys", "sys"),
    ("admin", "acc1", "acc1"),
    ("acc1#admin", "sys", "acc1"),  # the account in login_user wins, as in the login MatrixOne gets
    ("acc1:admin:r", "sys", "acc1"),
])
def test_login_account_is_the_account_the_login_enters(user, account, expected):
    assert _connection.login_account(dict(login_user=user, login_account=account, login_role=None)) == expected
