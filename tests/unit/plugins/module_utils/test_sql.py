# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _sql


@pytest.mark.parametrize("value", ["sp_01", "pre-migration-2026", "a", "0day", "x" * 64])
def test_valid_snapshot_names(value):
    assert _sql.validate_name(value, "snapshot", "name") == value


@pytest.mark.parametrize("value, fragment", [
    ("", "must not be empty"),
    ("x" * 65, "at most 64"),
    ("sp'01", "not a valid snapshot name"),
    ("sp`01", "not a valid snapshot name"),
    ('sp"01', "not a valid snapshot name"),
    ("sp 01", "not a valid snapshot name"),
    ("sp;drop", "not a valid snapshot name"),
    ("sp.01", "not a valid snapshot name"),
    ("snäpshot", "not a valid snapshot name"),
    ("Sp_01", "use lower case"),
    ("ccpr_01", "hides or reserves"),
    ("__mo_branch_x", "hides or reserves"),
])
def test_invalid_snapshot_names_name_the_parameter(value, fragment):
    with pytest.raises(_errors.InvalidInput) as err:
        _sql.validate_name(value, "snapshot", "name")
    assert "name" in str(err.value)
    assert fragment in str(err.value)


def test_non_string_is_refused():
    with pytest.raises(_errors.InvalidInput, match="must be a string"):
        _sql.validate_name(5, "snapshot", "name")


def test_system_database_is_refused():
    with pytest.raises(_errors.InvalidInput, match="system database"):
        _sql.validate_name("mo_catalog", "database", "database")


def test_mixed_case_tables_are_allowed():
    assert _sql.validate_name("OrderLines", "table", "table") == "OrderLines"


def test_quote_ident_refuses_backtick():
    assert _sql.quote_ident("sp_01") == "`sp_01`"
    with pytest.raises(_errors.InvalidInput):
        _sql.quote_ident("a`b")


@pytest.mark.parametrize("args, expected", [
    (("s", "cluster"), "CREATE SNAPSHOT `s` FOR CLUSTER"),
    (("s", "account", "acc1"), "CREATE SNAPSHOT `s` FOR ACCOUNT `acc1`"),
    (("s", "account"), "CREATE SNAPSHOT `s` FOR ACCOUNT"),
    (("s", "database", None, "db1"), "CREATE SNAPSHOT `s` FOR DATABASE `db1`"),
    (("s", "table", None, "db1", "t1"), "CREATE SNAPSHOT `s` FOR TABLE `db1` `t1`"),
])
def test_create_snapshot(args, expected):
    assert _sql.create_snapshot(*args).sql == expected


def test_drop_snapshot():
    assert _sql.drop_snapshot("s").sql == "DROP SNAPSHOT `s`"
    assert _sql.drop_snapshot("s", if_exists=True).sql == "DROP SNAPSHOT IF EXISTS `s`"


def test_show_snapshots_filters_in_sql_with_parameters():
    stmt = _sql.show_snapshots(exact={"name": None, "level": "database", "account": "acc1"}, prefix="pre_",
                               newer_than="2026-01-01 00:00:00", older_than="2026-02-01 00:00:00")
    assert stmt.sql == ("SHOW SNAPSHOTS WHERE snapshot_level = %s AND account_name = %s AND "
                        "SUBSTRING(snapshot_name, 1, 4) = %s AND timestamp >= %s AND timestamp < %s")
    assert stmt.params == ("database", "acc1", "pre_", "2026-01-01 00:00:00", "2026-02-01 00:00:00")
    assert _sql.show_snapshots().sql == "SHOW SNAPSHOTS"


def test_create_account_masks_the_password():
    stmt = _sql.create_account("acc2", "admin", "s3cr'et")
    assert stmt.params == ("admin", "s3cr'et")
    assert "s3cr" not in stmt.display
    assert stmt.display == "CREATE ACCOUNT `acc2` ADMIN_NAME 'admin' IDENTIFIED BY '********'"


def test_render_escapes_literals():
    assert _sql.render("SELECT %s, %s, %s", ("it's", 3, None)) == "SELECT 'it\\'s', 3, NULL"
