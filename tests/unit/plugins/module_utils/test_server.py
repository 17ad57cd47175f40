# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _server


@pytest.mark.parametrize("text, expected", [
    ("8.0.30-MatrixOne-v3.0.18", (3, 0, 18)),
    ("8.0.30-MatrixOne-v4.2.0", (4, 2, 0)),
    ("8.0.30-MatrixOne-v3.0", (3, 0, 0)),
    ("8.0.30-MatrixOne-v1.3.0", (1, 3, 0)),
    ("8.0.30-MatrixOne-v", None),
    ("v8.0.30-OmniFabric", None),
    ("", None),
])
def test_parse_version(text, expected):
    assert _server.parse_version(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("4.1.4", (4, 1, 4)), ("v3.0.18", (3, 0, 18)), ("v3.0", (3, 0, 0)), (" 4.1.4 ", (4, 1, 4)),
    ("8.0.30-MatrixOne-v4.1.4", (4, 1, 4)), ("latest", None), ("4", None), ("4.1.4.1", None), ("", None),
])
def test_a_version_a_user_gives(text, expected):
    assert _server.parse_version_option(text) == expected


def info(version):
    return _server.ServerInfo("x", version, "version()")


@pytest.mark.parametrize("version, feature, expected", [
    ((1, 2, 4), "db_table_snapshot", False),
    ((2, 1, 0), "db_table_snapshot", True),
    ((3, 0, 3), "gc_safe_db_table_snapshot", False),
    ((3, 0, 4), "gc_safe_db_table_snapshot", True),
    ((3, 0, 18), "brace_restore", False),
    ((3, 0, 18), "legacy_restore", True),
    ((4, 0, 0), "brace_restore", True),
    ((4, 0, 0), "legacy_restore", False),
    ((4, 0, 0), "pitr_account_database_restore", False),
    ((4, 1, 0), "pitr_account_database_restore", True),
    ((1, 2, 4), "pitr", False),
    ((2, 0, 0), "pitr", True),
    ((3, 0, 18), "snapshot_quota", False),
    ((4, 2, 0), "snapshot_quota", True),
])
def test_capability_table(version, feature, expected):
    assert info(version).has(feature) is expected


def test_require_names_feature_and_version():
    with pytest.raises(_errors.FeatureUnavailable) as err:
        info((1, 2, 4)).require("db_table_snapshot")
    assert str(err.value) == "database and table level snapshots needs MatrixOne 2.1.0 or later; the server is 1.2.4"
    with pytest.raises(_errors.FeatureUnavailable, match="removed in 4.0"):
        info((4, 0, 0)).require("legacy_restore")


def test_probe_decides_grammar_generation():
    assert _server.from_probe("8.0.30-MatrixOne-v", 1064).has("brace_restore") is False
    dev = _server.from_probe("8.0.30-MatrixOne-v", 20101)
    assert dev.has("brace_restore") is True
    assert "probed" in dev.describe()


def test_as_dict_lists_every_capability_only_when_asked():
    d = info((3, 0, 18)).as_dict(capabilities=True)
    assert d["version"] == "3.0.18"
    assert set(d["capabilities"]) == set(_server.CAPABILITIES)
    assert info((3, 0, 18)).as_dict() == {"version": "3.0.18", "version_string": d["version_string"],
                                          "version_source": "version()"}


def test_mo_snapshot_info_documents_every_capability_it_returns():
    import yaml  # pylint: disable=import-outside-toplevel
    from ansible_collections.matrixone.backup.plugins.modules import mo_snapshot_info
    returned = yaml.safe_load(mo_snapshot_info.RETURN)["server"]["contains"]
    assert set(returned["capabilities"]["contains"]) == set(_server.CAPABILITIES)
