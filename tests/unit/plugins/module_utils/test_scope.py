# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _scope


def given(**kwargs):
    return dict(dict(account=None, database=None, table=None), **kwargs)


@pytest.mark.parametrize("level, params, login, expected", [
    ("cluster", given(), "sys", {"level": "cluster", "account": None, "database": None, "table": None}),
    ("account", given(), "acc1", {"level": "account", "account": "acc1", "database": None, "table": None}),
    ("account", given(account="acc2"), "sys", {"level": "account", "account": "acc2", "database": None, "table": None}),
    ("database", given(database="shop"), "acc1",
     {"level": "database", "account": "acc1", "database": "shop", "table": None}),
    ("table", given(database="shop", table="orders"), "sys",
     {"level": "table", "account": "sys", "database": "shop", "table": "orders"}),
])
def test_the_target_is_the_definition_show_snapshots_reports(level, params, login, expected):
    assert _scope.target_definition(params, level, login) == expected


@pytest.mark.parametrize("level, params, login, message", [
    ("cluster", given(account="acc1"), "sys", "account is not used with level=cluster"),
    ("account", given(database="shop"), "sys", "database is not used with level=account"),
    ("database", given(table="t", database="shop"), "sys", "table is not used with level=database"),
    ("database", given(), "sys", "level=database needs database"),
    ("table", given(database="shop"), "sys", "level=table needs table"),
    ("database", given(database="shop", account="acc2"), "acc1", "a database snapshot is always of the login account"),
    ("cluster", given(), "acc1", "level=cluster needs login_account=sys"),
    ("account", given(account="acc2"), "acc1", "only login_account=sys may snapshot another account"),
    ("database", given(database="bad name"), "sys", "database"),
])
def test_a_target_the_level_or_login_cannot_have_is_refused_naming_it(level, params, login, message):
    with pytest.raises(_errors.InvalidInput, match=message):
        _scope.target_definition(params, level, login)


def test_a_pitr_says_pitr_in_its_refusals():
    with pytest.raises(_errors.InvalidInput, match="only login_account=sys may cover another account"):
        _scope.target_definition(given(account="acc2"), "account", "acc1", noun="PITR", verb="cover")


def test_differences_name_each_field_with_both_values():
    existing = {"level": "account", "account": "sys", "database": None, "table": None}
    desired = {"level": "database", "account": "sys", "database": "shop", "table": None}
    assert _scope.differences(existing, desired) == ["level: account -> database", "database: (none) -> shop"]
    assert _scope.differences(existing, dict(existing, name="ignored")) == []
    assert _scope.definition(dict(existing, name="x", timestamp="t")) == existing
