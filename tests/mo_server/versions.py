"""The MatrixOne version the server impersonates, and what its grammar allows."""

import re

LATEST = (4, 2, 0)


class Version:
    """`--version 3.0.18`, `4.1`, or `dev` (a main build: empty version suffix, newest grammar)."""

    def __init__(self, text):
        self.text = text
        if text == "dev":
            self.tuple = LATEST
            self.suffix = ""
        else:
            m = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.(\d+))?", text)
            if not m:
                raise ValueError("unrecognised MatrixOne version %r (want X.Y.Z or dev)" % text)
            self.tuple = (int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))
            self.suffix = text.lstrip("v")

    @property
    def version_string(self):
        return "8.0.30-MatrixOne-v" + self.suffix

    def at_least(self, *parts):
        return self.tuple >= parts

    # grammar and behaviour switches (reference: matrixone-snapshot-sql.md, section 0)
    @property
    def db_table_snapshots(self):
        return self.at_least(2, 1)

    @property
    def brace_restore(self):
        return self.at_least(4, 0)

    @property
    def pitr(self):
        return self.at_least(2, 0)

    @property
    def pitr_account_db_restore(self):
        return self.at_least(4, 1)

    @property
    def quota(self):
        return self.at_least(4, 0)

    @property
    def restore_cluster(self):
        return self.at_least(2, 0)

    @property
    def clone(self):
        return self.at_least(3, 0)

    @property
    def show_with_snapshot(self):
        return self.at_least(2, 0)

    @property
    def recovery_window(self):
        return self.at_least(2, 1)

    @property
    def lower_case_where_labels(self):
        """SHOW SNAPSHOTS/PITR ... WHERE: lower-case labels on real 3.0.18, as written on real 4.1.4 (PyMySQL)."""
        return not self.at_least(4, 0)

    @property
    def catalog_version(self):
        """The row mo_catalog.mo_version holds on a fresh server of this version (real v3.0.18: 3.0.3, v4.1.4: 4.0.1);
        None before 3.0, where this server does not model the table."""
        if self.at_least(4, 0):
            return "4.0.1"
        if self.at_least(3, 0):
            return "3.0.3"
        return None
