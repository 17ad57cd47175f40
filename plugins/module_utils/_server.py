# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""MatrixOne version parsing and the one capability table every module consults."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.matrixone.backup.plugins.module_utils import _errors

# feature -> (first version that has it, what to call it in messages)
CAPABILITIES = {
    "account_snapshot": ((1, 2, 0), "cluster and account snapshots"),
    "db_table_snapshot": ((2, 1, 0), "database and table level snapshots"),
    "own_account_snapshot": ((2, 1, 0), "FOR ACCOUNT without an account name"),
    "gc_safe_db_table_snapshot": ((3, 0, 4), "garbage-collection-safe database/table snapshots"),
    "restore_cluster": ((2, 0, 0), "RESTORE CLUSTER"),
    "restore_dropped_account": ((2, 1, 0), "restoring a dropped account"),
    "brace_restore": ((4, 0, 0), "RESTORE ... {SNAPSHOT = s} syntax"),
    "legacy_restore": ((1, 2, 0), "RESTORE ... FROM SNAPSHOT syntax"),
    "pitr": ((2, 0, 0), "point-in-time recovery (PITR)"),
    "pitr_account_database_restore": ((4, 1, 0), "RESTORE ACCOUNT a DATABASE d ... FROM PITR"),
    "recovery_window": ((2, 1, 0), "SHOW RECOVERY_WINDOW"),
    "snapshot_quota": ((4, 0, 0), "per-account snapshot quotas"),
    "snapshot_read_show": ((2, 0, 0), "SHOW DATABASES/TABLES at a snapshot"),
    "clone": ((3, 0, 0), "CREATE DATABASE/TABLE ... CLONE (restoring beside live data)"),
}
LEGACY_RESTORE_LAST = (3, 99, 99)  # legacy RESTORE ... FROM SNAPSHOT is a syntax error from 4.0
# a dev build without a version suffix that accepts the 4.x grammar is treated as this version
DEV_ASSUMED_VERSION = (4, 2, 0)
PRE_V4_ASSUMED_VERSION = (3, 0, 0)


def parse_version(text):
    """'8.0.30-MatrixOne-v3.0.18' -> (3, 0, 18); '...-v3.0' -> (3, 0, 0); '...-v' or unknown -> None."""
    m = re.search(r"MatrixOne-v(\d+)\.(\d+)(?:\.(\d+))?", text or "")
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


def parse_version_option(text):
    """A version a user gives (4.1.4, v4.1.4, v3.0 or version()'s '8.0.30-MatrixOne-v4.1.4') -> (4, 1, 4), or None."""
    if re.match(r"^v?\d+\.\d+(?:\.\d+)?$", (text or "").strip()):
        text = "MatrixOne-v" + text.strip().lstrip("v")
    return parse_version(text)


def version_text(version):
    return ".".join(str(p) for p in version)


class ServerInfo:
    """What we know about the server: its version string, the version we act on, and how we know."""

    def __init__(self, version_string, version, source):
        self.version_string = version_string
        self.version = version
        self.source = source  # 'version()' or 'probe'

    def has(self, feature):
        first, _label = CAPABILITIES[feature]
        if feature == "legacy_restore":
            return self.version <= LEGACY_RESTORE_LAST
        return self.version >= first

    def require(self, feature, purpose=None):
        if not self.has(feature):
            first, label = CAPABILITIES[feature]
            what = purpose or label
            if feature == "legacy_restore":
                raise _errors.FeatureUnavailable("%s is not available on MatrixOne %s (removed in 4.0)"
                                                 % (what, self.describe()))
            raise _errors.FeatureUnavailable("%s needs MatrixOne %s or later; the server is %s"
                                             % (what, version_text(first), self.describe()))

    def describe(self):
        if self.source == "probe":
            return "%s (a build without a version number; grammar probed)" % version_text(self.version)
        return version_text(self.version)

    def as_dict(self, capabilities=False):
        """The server as a result reports it; `capabilities`: with what the table decided for each feature."""
        out = {
            "version_string": self.version_string,
            "version": version_text(self.version),
            "version_source": self.source,
        }
        if capabilities:
            out["capabilities"] = dict((name, self.has(name)) for name in sorted(CAPABILITIES))
        return out


def from_probe(version_string, probe_errno):
    """Decide the grammar generation of a build without a version number from the probe's error."""
    if probe_errno == 1064:
        return ServerInfo(version_string, PRE_V4_ASSUMED_VERSION, "probe")
    return ServerInfo(version_string, DEV_ASSUMED_VERSION, "probe")
