# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""mo_pitr's work: a PITR present (created, its range altered, or replaced) or absent, check mode included."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _pitr, _scope, _sql, _time


def validate(params, login_account):
    """Check every input before any SQL; return the desired definition (None for absent)."""
    _sql.validate_name(params["name"], "pitr", "name")
    _time.zone(params["server_timezone"], "server_timezone")
    if params["state"] == "absent":
        return None
    _pitr.validate_range(params["range_value"], params["range_unit"])
    return _scope.target_definition(params, params["level"] or "account", login_account, "PITR", "cover")


def ensure(mo, desired):
    """The PITR the task describes, present or absent: (changed, result fields with `diff`)."""
    params = mo.params
    mo.doing = "PITR %s" % params["name"]
    mo.server.require("pitr")
    clock = mo.server_clock(params["server_timezone"])
    pitrs = [_pitr.from_row(r, clock.shown_zone, clock.now) for r in mo.query(_sql.show_pitr(), record=False)]
    existing = next((p for p in pitrs if p["name"] == params["name"]), None)
    if params["state"] == "absent":
        return absent(mo, existing)
    return present(mo, desired, existing, pitrs, clock)


def absent(mo, existing):
    if existing is None:
        return False, {"diff": {"before": {}, "after": {}}}
    mo.change(_sql.drop_pitr(existing["name"], if_exists=True))
    return True, {"diff": {"before": existing, "after": {}}}


def present(mo, desired, existing, pitrs, clock):
    """Created when missing, its range altered when only the range differs; another definition is dropped and
    created again only with replace (its history is lost). Check mode returns the predicted PITR."""
    params = mo.params
    name, value, unit = params["name"], params["range_value"], params["range_unit"]
    statements, kept = [], existing
    if existing is not None and _scope.definition(existing) != desired:
        if not params["replace"]:
            diffs = _scope.differences(_scope.definition(existing), desired)
            raise _errors.MoError("PITR %s already covers something else (%s); set replace=true to drop and recreate "
                                  "it (its history is lost), or choose another name" % (name, "; ".join(diffs)),
                                  pitr=existing)
        statements.append(_sql.drop_pitr(name))
        kept = None
    if kept is None:
        rival = next((p for p in pitrs if p["name"] != name and _scope.definition(p) == desired), None)
        if rival is not None:
            raise _errors.MoError("%s already has a PITR (%s); MatrixOne allows one PITR per object, change that "
                                  "one instead" % (_scope.describe(desired), rival["name"]), pitr=rival)
        statements.append(_sql.create_pitr(name, desired["level"], value, unit, desired["account"],
                                           desired["database"], desired["table"]))
    elif (kept["range_value"], kept["range_unit"]) != (value, unit):
        statements.append(_sql.alter_pitr(name, value, unit))
    if not statements:
        return False, {"pitr": existing, "diff": {"before": existing, "after": existing}}
    predicted = dict(kept or {}, **desired)
    predicted.update(name=name, range_value=value, range_unit=unit)
    if kept is None:
        predicted.update(created=None, modified=None)
    if mo.check_mode:
        for stmt in statements:
            mo.would_run(stmt)
        return True, {"pitr": predicted, "diff": {"before": existing or {}, "after": predicted}}
    for stmt in statements:
        mo.query(stmt)
    rows = mo.query(_sql.show_pitr(name), record=False)
    after = _pitr.from_row(rows[0], clock.shown_zone, mo.server_clock(params["server_timezone"]).now) if rows \
        else predicted
    return True, {"pitr": after, "diff": {"before": existing or {}, "after": after}}
