# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a snapshot or a PITR covers (level, account, database, table): the task's target checked against the level
and the login account before any SQL, and compared with what the server lists. Shared by both, whose levels and
permission rules are the same."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _sql

DEFINITION_FIELDS = ("level", "account", "database", "table")


def definition(snapshot):
    return dict((k, snapshot.get(k)) for k in DEFINITION_FIELDS)


def desired_definition(params, login_account):
    """What the task asks for, normalised the way SHOW SNAPSHOTS reports it."""
    level = params["level"]
    account = params.get("account")
    if level == "cluster":
        return {"level": "cluster", "account": None, "database": None, "table": None}
    if level == "account":
        return {"level": "account", "account": account or login_account, "database": None, "table": None}
    # database and table snapshots are always of the login account
    return {"level": level, "account": login_account, "database": params.get("database"),
            "table": params.get("table") if level == "table" else None}


def target_definition(params, level, login_account, noun="snapshot", verb="snapshot"):
    """Check account/database/table against the level (before any SQL); return the definition they describe.

    Shared by snapshots and PITRs, whose levels and permission rules are the same.
    """
    _sql.validate_names(params, (("account", "account"), ("database", "database"), ("table", "table")))
    unused = {"cluster": ("account", "database", "table"), "account": ("database", "table"),
              "database": ("table",), "table": ()}[level]
    for key in unused:
        if params.get(key) is not None:
            raise _errors.InvalidInput("%s is not used with level=%s" % (key, level))
    if level in ("database", "table") and params.get("database") is None:
        raise _errors.InvalidInput("level=%s needs database" % level)
    if level == "table" and params.get("table") is None:
        raise _errors.InvalidInput("level=table needs table")
    account = params.get("account")
    if level in ("database", "table") and account not in (None, login_account):
        raise _errors.InvalidInput("a %s %s is always of the login account (%s); for a database of account %s, log in "
                                   "to it (login_account=%s)" % (level, noun, login_account, account, account))
    if level == "cluster" and login_account != "sys":
        raise _errors.InvalidInput("level=cluster needs login_account=sys (only the sys account may %s the cluster)"
                                   % verb)
    if level == "account" and account not in (None, login_account) and login_account != "sys":
        raise _errors.InvalidInput("only login_account=sys may %s another account (%s)" % (verb, account))
    return desired_definition(dict(params, level=level), login_account)


def describe(definition):
    """What a definition covers, in words: 'the cluster', 'account a', 'database d', 'table d.t'."""
    if definition["level"] == "cluster":
        return "the cluster"
    if definition["level"] == "account":
        return "account %s" % definition["account"]
    if definition["level"] == "database":
        return "database %s" % definition["database"]
    return "table %s.%s" % (definition["database"], definition["table"])


def differences(existing, desired):
    """Fields whose values differ, as 'field: existing -> desired'."""
    out = []
    for key in DEFINITION_FIELDS:
        if existing.get(key) != desired.get(key):
            out.append("%s: %s -> %s" % (key, existing.get(key) or "(none)", desired.get(key) or "(none)"))
    return out
