# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  login_host:
    description:
      - Host name or address of the MatrixOne server (a CN or the proxy).
      - Taken from E(MO_HOST) when not set; then from O(config_file); default V(127.0.0.1).
    type: str
  login_port:
    description:
      - MySQL-protocol port of MatrixOne.
      - Taken from E(MO_PORT) when not set; then from O(config_file); default V(6001).
    type: int
  login_user:
    description:
      - User to log in as, without the account part (see O(login_account)).
      - A value that already contains C(#) or C(:), such as V(acc1#admin), is used as given.
      - Taken from E(MO_USER) when not set; then from O(config_file); default V(root).
    type: str
  login_password:
    description:
      - Password of O(login_user). Never logged, never put in C(queries) or error messages.
      - Taken from E(MO_PASSWORD) when not set; then from O(config_file).
    type: str
  login_account:
    description:
      - MatrixOne account (tenant) to log in to; the login becomes C(account#user).
      - Cluster-level snapshots, snapshots of other accounts and restores into another account need V(sys).
      - Taken from E(MO_ACCOUNT) when not set; then from O(config_file); default V(sys).
    type: str
  login_role:
    description:
      - Role to activate at login (C(account#user#role)); by default the user's default role.
      - Snapshot and restore statements need the C(moadmin) (sys) or C(accountadmin) role.
      - Taken from E(MO_ROLE) when not set.
    type: str
  connect_timeout:
    description:
      - Seconds to wait for the connection to open, at least 1. Taken from E(MO_CONNECT_TIMEOUT) when not set.
    type: int
    default: 10
  read_timeout:
    description:
      - Seconds to wait for the server's answer to one statement, at least 1. Taken from E(MO_READ_TIMEOUT) when not
        set.
      - A restore is one long statement; on large data it can take hours, so the default is one hour.
        When it runs out the module fails with "outcome unknown" and never re-runs the statement.
    type: int
    default: 3600
  tls_mode:
    description:
      - V(disabled) never uses TLS. V(preferred) uses TLS when the server offers it, without verifying it (with
        PyMySQL 1.2 or later; older PyMySQL connects in plain text).
      - V(required) fails unless the connection is encrypted (certificate not verified).
      - V(verify_ca) also verifies the server certificate against O(ca_cert) (or the system store).
      - V(verify_identity) also checks that the certificate names O(login_host).
      - Taken from E(MO_TLS_MODE) when not set. A blank E(MO_*) variable (as AWX leaves an empty field) counts as
        unset.
    type: str
    choices: [disabled, preferred, required, verify_ca, verify_identity]
    default: preferred
  ca_cert:
    description:
      - PEM file of the CA that signed the server certificate. Taken from E(MO_CA_CERT) when not set.
      - A CA given is a CA used, so with O(tls_mode=preferred) or O(tls_mode=required) it means V(verify_ca); a file
        that does not exist is an error (so are missing O(client_cert) and O(client_key) files). An empty file counts as
        not given, as AWX writes one for a blank credential field.
      - O(ssl_ca) is an alias, the name of the C(mysql) client's option.
    type: path
    aliases: [ssl_ca]
  client_cert:
    description:
      - PEM client certificate for servers that require one. Taken from E(MO_CLIENT_CERT) when not set.
    type: path
    aliases: [ssl_cert]
  client_key:
    description:
      - PEM private key of O(client_cert). Taken from E(MO_CLIENT_KEY) when not set.
    type: path
    aliases: [ssl_key]
  check_hostname:
    description:
      - The C(community.mysql) habit, mapped on O(tls_mode). V(true) verifies the server certificate and that it
        names O(login_host), whatever O(tls_mode) says (it becomes V(verify_identity)); it fails with
        O(tls_mode=disabled).
      - V(false) fails with O(tls_mode=verify_identity) (the only mode that checks the name); with any other mode it
        changes nothing. Unset by default.
    type: bool
  config_file:
    description:
      - Opt-in C(my.cnf)-style file whose C([client]) section gives C(host), C(port), C(user), C(password),
        C(account), C(role), C(ssl-ca), C(ssl-cert) and C(ssl-key) for options not set in the task or environment.
        Quoted values are unquoted as the mysql client does. Never read unless given.
      - Keys that would change how the mysql client connects but are not honoured here (C(socket), C(protocol),
        C(bind-address), C(connect-timeout), other C(ssl-*) keys) are refused with an error rather than ignored.
      - Taken from E(MO_CONFIG_FILE) when not set.
    type: path
requirements:
  - PyMySQL >= 1.0 on the host that runs the module (usually the controller or the execution environment).
notes:
  - "The module connects from the host it runs on; with C(connection: local) or C(delegate_to: localhost) that is
    the controller or the AWX/AAP execution environment, which then needs network access to MatrixOne."
  - Every connection runs with autocommit on, because MatrixOne refuses snapshot and restore statements inside
    an open transaction.
'''
