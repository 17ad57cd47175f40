#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mo_restore
short_description: Restore MatrixOne data from a snapshot, with a preview and a verified result
version_added: 1.0.0
description:
  - Restores a cluster, an account, a database or a table from a MatrixOne snapshot, in place or into another
    account (created first when asked, as C(mo_br snapshot restore --new_account) does).
  - Uses the grammar of the server's version, C(RESTORE ... FROM SNAPSHOT s) up to 3.0.x and
    C(RESTORE ... {SNAPSHOT = s}) from 4.0, and applies MatrixOne's rules (who may restore what, which
    snapshot levels fit which restore) before any SQL runs.
  - Check mode and C(--diff) show a preview of what the restore changes in the target scope (databases, tables and
    views that appear or vanish, tables whose definition, row count or rows differ; for a cluster restore, account by
    account), computed with snapshot reads in batches, never a query per table; at 10 tables a preview costs at most 8
    statements, and one statement more per 50 tables and side (from 3 batches on, spread over two connections of
    the login).
  - After a real restore the target is compared with the snapshot again; any difference fails the task
    (MatrixOne has had restores that reported success and changed nothing). Table definitions are compared column
    by column from C(mo_catalog.mo_columns), because a restore rewrites C(mo_tables.rel_createsql).
  - Idempotent. When the target provably equals the snapshot (objects, definitions, row counts and row contents),
    nothing is sent (no safety snapshot, no restore) and the task reports C(ok); O(force=true) restores anyway. When
    part of the target cannot be compared (see RV(preview.identical)), the restore runs.
author:
  - matrixone.backup maintainers (@matrixone-backup)
extends_documentation_fragment:
  - matrixone.backup.connection
  - matrixone.backup.attributes
attributes:
  check_mode:
    support: full
    details: Finds the snapshot, applies every rule, computes the preview and fails where a real run would.
  diff_mode:
    support: full
    details:
      - Before and after map each database of the target scope to its tables and row counts, show the differing
        rows of each table (up to O(diff_rows) each way) and, for a cluster restore, the accounts.
  idempotent:
    support: full
    details: A target that equals the restore point is left alone (C(changed=false), nothing sent).
options:
  snapshot:
    description:
      - Name of the snapshot to restore from. It must be visible to the login account (MatrixOne shows each
        account only the snapshots it created).
      - Exactly one of O(snapshot), O(snapshot_prefix) and O(pitr) is required.
    type: str
  snapshot_prefix:
    description:
      - Restore from the newest snapshot whose name starts with this text and from which this restore can be done.
        For example, a database snapshot of another database, or a table snapshot for a database restore, is skipped.
        RV(preview.snapshot_picked) says which snapshot was picked and why newer ones were skipped.
      - Give O(level) and its target so that the pick follows them. Without O(level), the newest matching snapshot
        sets the level, as O(snapshot) does.
    type: str
    version_added: 2.0.0
  pitr:
    description:
      - Restore to a point in time inside the window of this PITR (MatrixOne 2.0+), given by O(timestamp).
      - The time is checked before anything is sent, after the PITR's creation or last change, inside its range and
        not in the future; MatrixOne refuses the rest.
    type: str
  timestamp:
    description:
      - The point in time of a O(pitr) restore, ISO-8601 with a zone (V(2026-01-31T12:00:00Z),
        V(2026-01-31 20:00:00+08:00)), or without one when O(timezone) says where it was read, or a duration before
        now (V(15m), V(2h), V(1d); units s, m, h, d, w).
      - It is converted to the server's local zone (O(server_timezone)), which is how MatrixOne reads it.
    type: str
  timezone:
    description:
      - Zone of a O(timestamp) written without one (IANA name such as V(Asia/Shanghai), or an offset like V(+08:00)).
    type: str
  server_timezone:
    description:
      - The MatrixOne server's local time zone (the zone of its CN processes), in which MatrixOne reads a PITR restore
        time; IANA name such as V(Asia/Shanghai), or an offset like V(+08:00).
      - By default it is read from the server (C(NOW()) against C(UTC_TIMESTAMP()), as a fixed offset). A given zone
        must show the offset the server's clock shows now, otherwise the task fails before anything is sent (also in
        check mode). When the server's session C(time_zone) is not C(SYSTEM) the zone cannot be read and must be
        given. Give an IANA name for a zone with daylight saving time and restore times before a change of offset.
    type: str
  level:
    description:
      - Scope of the restore; default the snapshot's own level.
      - Narrower scopes are allowed where MatrixOne allows them, for example one table from an account or database
        snapshot. V(database) and V(table) restores work only inside the login account and from its own snapshots.
      - V(cluster) restores every account, drops accounts created after the snapshot and recreates dropped ones.
    type: str
    choices: [cluster, account, database, table]
  account:
    description:
      - Account to restore (V(account) level); default the snapshot's account (for a cluster snapshot the login
        account). Another account than the login account needs O(login_account=sys).
    type: str
  database:
    description: Database to restore (V(database) and V(table) level); default the snapshot's database.
    type: str
  table:
    description: Table to restore (V(table) level); default the snapshot's table.
    type: str
  to_account:
    description:
      - Restore the account into this other account instead of in place (V(account) level, O(login_account=sys)),
        as C(mo_br snapshot restore --new_account) does. A tenant is restored with C(RESTORE ACCOUNT a ... TO ACCOUNT
        b); the target's current databases are replaced.
      - The sys account is copied instead, one C(CREATE DATABASE d CLONE d {SNAPSHOT = s} TO ACCOUNT b) per user
        database of the snapshot (MatrixOne 3.0+), because MatrixOne (seen on 3.0.18 and 4.1.4) ignores C(TO ACCOUNT)
        for sys and would restore sys in place. The target must be new or hold nothing but databases equal to the
        snapshot (those are kept, so a re-run completes an interrupted copy); other databases are refused, never
        overwritten. Needs a snapshot, not a PITR (MatrixOne clones across accounts only from a snapshot).
      - When it does not exist it is created first with O(to_account_admin_name) and O(to_account_admin_password);
        without them a missing target is an error.
    type: str
  to_account_admin_name:
    description:
      - Admin user of the account restored into when that is not the login account (O(to_account), or an in-place
        restore of another account by sys). Used to create O(to_account) when missing, and to log in to the target
        to preview and verify the restore.
      - A restore of account O(account) into O(to_account) brings O(account)'s users, so the module then sets this
        user's password to O(to_account_admin_password) (C(ALTER ACCOUNT ... ADMIN_NAME ... IDENTIFIED BY), masked in
        C(queries)). The name must be one of O(account)'s users at the snapshot (its admin); another is refused
        before anything is sent.
    type: str
  to_account_admin_password:
    description:
      - Password of O(to_account_admin_name). Never logged or returned; masked in C(queries).
    type: str
  account_logins:
    description:
      - Cluster restore only, logins of tenant accounts, used to compare their rows now and at the snapshot's time (in
        the preview) and after the restore (in the verification).
      - Logged in as sys, the module sees every account's databases, tables and column definitions, now and at a
        cluster snapshot, but not a tenant's rows; a tenant without a login here is compared by objects only (see
        RV(verified_by)).
    type: list
    version_added: 1.1.0
    elements: dict
    suboptions:
      account:
        description: The tenant account.
        type: str
        required: true
      user:
        description: A user of that account who can read its databases (its admin).
        type: str
        required: true
      password:
        description: The user's password. Never logged or returned.
        type: str
        required: true
  verify:
    description:
      - After the restore, compare the target with the snapshot again, the way the preview did, and fail if they
        differ. How each account was compared is returned in RV(verified_by).
      - Restoring another account than the login account can be verified only with O(to_account_admin_name) and
        O(to_account_admin_password); otherwise the task fails before restoring unless O(verify=false).
    type: bool
    default: true
  safety_snapshot:
    description:
      - Take a snapshot of the target scope just before restoring, so the restore itself can be undone. Its name is
        returned in RV(safety_snapshot); it is never dropped by this module.
      - For database and table restores on MatrixOne before 3.0.4 (no database/table snapshots, or ones that may be
        garbage-collected) the safety snapshot covers the whole login account.
    type: bool
    default: false
  safety_snapshot_name:
    description: Name of the safety snapshot; default C(<snapshot>_pre_restore_<UTC yyyymmddHHMMSS>).
    type: str
  force:
    description:
      - Restore even when the target already equals the snapshot. By default such a restore is skipped and reports
        C(ok); equality is proven by objects, definitions, row counts and a row-by-row comparison of every table
        (for tables without a primary key duplicate rows are compared as a set).
    type: bool
    default: false
  method:
    description:
      - How a V(database) or V(account) restore is done. V(delta) restores only what differs from the restore point,
        as the preview found it. Each differing, dropped or not content-compared table comes back with its own
        C(RESTORE ... TABLE). Tables and databases created since are dropped. A database that is missing, whose views
        differ, or that holds or is referenced by a foreign key is restored whole. Tables the preview proved equal are
        left alone. The result equals what the whole-scope statement gives, except that sequences of a database
        left in place are kept; MatrixOne's own restore drops them.
      - V(full) sends the whole-scope statement (C(RESTORE DATABASE), C(RESTORE ACCOUNT)), which rewrites every
        table.
      - V(auto) chooses V(delta) where it is possible, else V(full), and says why in RV(preview.method_reason).
      - V(delta) is possible only for the login's own account restored in place from an account or database snapshot
        or PITR, with rows compared by content. At account level the account must not be sys, and the users, roles,
        grants, functions, procedures and stages that an account restore also brings back must equal the restore
        point. V(delta) where it is not possible fails before anything is sent; O(force=true) means V(full).
      - A delta cut off midway is completed by running the task again (the preview then finds what is left);
        O(safety_snapshot) covers it like any restore.
    type: str
    version_added: 1.1.0
    choices: [auto, delta, full]
    default: auto
  diff_rows:
    description:
      - With C(--diff), how many differing rows to show per table and direction (rows only present now under
        C(before), rows only present at the snapshot under C(after)), for up to 20 tables. V(0) shows counts only.
    type: int
    default: 20
  as_database:
    description:
      - Restore beside live data instead of in place. V(database) level, the name of the new database the snapshot's
        database is created as (C(CREATE DATABASE new CLONE db {SNAPSHOT = s})); V(table) level, the database the
        table is created in (default the table's own database, created when missing).
      - The live database or table is not touched. Inspect the copy, then swap or copy back yourself (see the restore
        guide). The copy must not exist yet, or already equal the snapshot (then nothing is done); a copy that
        differs is an error, never overwritten.
      - Also from a PITR time (C({MO_TS = n})), and into another account with O(to_account) as sys (C(TO ACCOUNT)).
    type: str
  as_table:
    description:
      - V(table) level only, the name of the new table the snapshot's table is created as (default its own name, which
        then needs another O(as_database)).
    type: str
  content_max_rows:
    description:
      - Tables with more rows than this (now or at the snapshot) are compared by row count only, in the preview and
        in the verification, and listed in RV(preview.content_not_compared). V(0) compares every table by content.
      - The verification decides by the rows at the snapshot, which the restored target should hold.
      - Smaller tables are compared row by row (set difference in both directions, batched).
    type: int
    default: 1000000
notes:
  - A restore is one long statement. Its duration grows with the data; set O(read_timeout) above the longest
    expected restore, or run the task with C(async) and C(poll). When the connection is lost or times out during
    the restore the module fails with "the outcome is unknown" and never re-runs it; check the state before retrying.
  - MatrixOne does not stop other sessions from writing while it restores; stop application writers first.
  - An account restore also reverts users, roles and grants of that account; writes made after the snapshot are
    lost in the restored scope.
seealso:
  - module: matrixone.backup.mo_snapshot
  - module: matrixone.backup.mo_snapshot_info
'''

EXAMPLES = r'''
- name: Preview a table restore (run with --check --diff), then restore it
  matrixone.backup.mo_restore:
    snapshot: sp_01
    level: table
    database: snapshot_read
    table: test_snapshot_read

- name: Restore a database from an account snapshot, keeping a safety snapshot of the current state
  matrixone.backup.mo_restore:
    snapshot: sp_02
    level: database
    database: snapshot_read
    safety_snapshot: true
  register: restored

- name: Restore tenant acc1 into a new account acc2 (mo_br --new_account acc2 --new_admin_name admin)
  matrixone.backup.mo_restore:
    snapshot: sp_acc1
    level: account
    account: acc1
    to_account: acc2
    to_account_admin_name: admin
    to_account_admin_password: "{{ acc2_admin_password }}"

- name: Oops, dropped a table - bring the database back to 10:15 Shanghai time with the account's PITR
  matrixone.backup.mo_restore:
    pitr: pitr_acc1
    timestamp: "2026-01-31 10:15:00"
    timezone: Asia/Shanghai
    server_timezone: Asia/Shanghai
    level: database
    database: shop

- name: Restore the whole cluster
  matrixone.backup.mo_restore:
    snapshot: cluster_sp1
    login_user: root
    login_password: "{{ mo_root_password }}"
'''

RETURN = r'''
preview:
  description:
    - What the restore changes (changed) in the target scope, measured before restoring.
    - For a cluster restore every name is qualified with its account as MatrixOne writes it across accounts
      (C(acc.db), C(acc.db.table)), and each account is compared as RV(preview.compared) says.
  returned: when the snapshot was found
  type: dict
  contains:
    scope:
      description: level, account, database, table and to_account of the restore.
      type: dict
      contains:
        level:
          description: cluster, account, database or table.
          type: str
        account:
          description: The account restored (null for a cluster restore).
          type: str
        database:
          description: The database restored (database and table level), else null.
          type: str
        table:
          description: The table restored (table level), else null.
          type: str
        to_account:
          description: The account restored into, when not the source account; else null.
          type: str
        as_database:
          description: Restore beside live data, the database the copy goes to (absent otherwise).
          type: str
        as_table:
          description: Restore beside live data, the table the copy goes to (absent otherwise).
          type: str
    snapshot_picked:
      description: With O(snapshot_prefix), the snapshot picked and the newer ones skipped; null otherwise.
      type: dict
      contains:
        prefix:
          description: The prefix given.
          type: str
        name:
          description: The snapshot picked (also in RV(preview.snapshot)).
          type: str
        skipped:
          description: Newer snapshots with the prefix that cannot do this restore, newest first, each with why.
          type: list
          elements: dict
          contains:
            name:
              description: The snapshot.
              type: str
            why:
              description: Why it cannot do this restore.
              type: str
    snapshot:
      description:
        - The snapshot restored from (name, timestamp, level, account, database, table); for a PITR restore the PITR's
          name, level and target with the restore time as timestamp, and the PITR under C(pitr).
      type: dict
      contains:
        pitr:
          description: For a PITR restore, the PITR's record (as M(matrixone.backup.mo_pitr_info) returns it); absent otherwise.
          type: dict
        name:
          description: Snapshot name.
          type: str
        timestamp:
          description: When it was taken, ISO-8601 UTC with the server's precision.
          type: str
          sample: "2024-05-10T02:06:08.01635Z"
        timestamp_utc:
          description:
            - The same time with exactly six fraction digits, which C(to_datetime('%Y-%m-%dT%H:%M:%S.%fZ')) parses (the
              server's own precision can be nine digits).
          type: str
          sample: "2024-05-10T02:06:08.016350Z"
        timestamp_epoch:
          description: The same time in seconds since the epoch.
          type: float
          sample: 1715306768.01635
        level:
          description: cluster, account, database or table.
          type: str
        account:
          description: Account it covers; null for cluster level.
          type: str
        database:
          description: Database of a database/table snapshot, else null.
          type: str
        table:
          description: Table of a table snapshot, else null.
          type: str
        age_seconds:
          description: Seconds since it was taken, by the clock of the host running the module.
          type: int
    databases_restored:
      description: Databases in the snapshot that do not exist now (they come back).
      type: list
      elements: str
    databases_removed:
      description: Databases that exist now but not in the snapshot (they vanish).
      type: list
      elements: str
    tables_restored:
      description: Tables (C(db.table)) in the snapshot that do not exist now.
      type: list
      elements: str
    tables_removed:
      description: Tables that exist now but not in the snapshot.
      type: list
      elements: str
    tables_redefined:
      description: Tables whose definition differs between now and the snapshot.
      type: list
      elements: str
    views_restored:
      description: Views (C(db.view)) in the snapshot that do not exist now; a database or account restore brings them
        back (a table restore touches no view).
      type: list
      elements: str
    views_removed:
      description: Views that exist now but not in the snapshot (they vanish).
      type: list
      elements: str
    views_redefined:
      description: Views whose C(CREATE VIEW) text differs (compared without the C(SQL SECURITY) clause MatrixOne 3.0
        adds when it restores a view).
      type: list
      elements: str
    sequences_not_restored:
      description:
        - Sequences of the snapshot in the restored scope. MatrixOne's RESTORE and CLONE bring no sequence back
          (measured on 3.0.18 and 4.1.4), so they will be missing; the module warns. Not counted in RV(preview.changes).
      type: list
      elements: str
    sequences_dropped:
      description: Sequences that exist now in the restored scope; the restore drops them (the module warns).
      type: list
      elements: str
    row_changes:
      description: Tables whose row count differs, with C(now) and C(snapshot) counts.
      type: list
      elements: dict
      contains:
        table:
          description: The table, C(db.table) (C(acc.db.table) in a cluster restore).
          type: str
        now:
          description: Its row count now.
          type: int
        snapshot:
          description: Its row count at the restore point.
          type: int
    content_changes:
      description:
        - Tables whose rows differ (also with the same count), with C(rows_only_now) and C(rows_only_in_snapshot).
      type: list
      elements: dict
      contains:
        table:
          description: The table, C(db.table) (C(acc.db.table) in a cluster restore).
          type: str
        rows_only_now:
          description: Distinct rows only the live table has (null where compared by checksums).
          type: int
        rows_only_in_snapshot:
          description: Distinct rows only the restore point has (null where compared by checksums).
          type: int
    content_not_compared:
      description: Tables compared by row count only because they exceed O(content_max_rows).
      type: list
      elements: str
    tables_unchanged:
      description: Tables with the same definition and row count on both sides.
      type: int
    accounts_restored:
      description: Accounts that come back (a cluster restore, or an account restore of a dropped account).
      type: list
      elements: str
    accounts_created:
      description: Restore into another account, the account created first because it does not exist.
      type: list
      elements: str
    accounts_removed:
      description: Cluster restore only, accounts created after the snapshot that are dropped.
      type: list
      elements: str
    changes:
      description: Number of databases, tables and accounts that differ.
      type: int
    identical:
      description:
        - Whether the target provably equals the snapshot (objects, definitions, counts and row contents); null when
          part of it could not be compared (see RV(preview.not_previewed) and RV(preview.content_not_compared)).
      type: bool
    not_previewed:
      description: Parts of the target that could not be read, and why.
      type: list
      elements: str
    versions:
      description:
        - The server's version and MatrixOne's catalog version (C(mo_catalog.mo_version), written by each upgrade) now
          and at the restore point; C(across_upgrade) is true when the snapshot or time predates an upgrade (the module
          then warns). Null where it cannot be read (a tenant's login).
      type: dict
      contains:
        server:
          description: The server's version now.
          type: str
        catalog_now:
          description: MatrixOne's catalog version now.
          type: str
        catalog_at_point:
          description: The catalog version at the restore point.
          type: str
        across_upgrade:
          description: Whether the restore point predates an upgrade.
          type: bool
      sample: {server: 4.1.4, catalog_now: 4.0.1, catalog_at_point: 3.0.3, across_upgrade: true}
    method:
      description: How the restore is done, V(delta) or V(full) (see O(method)).
      type: str
    method_reason:
      description: Why that method; for V(delta), the databases restored whole and why.
      type: str
      sample: "only what differs is restored; whole: shop (its views differ)"
    delta:
      description:
        - What a V(delta) restore sends, each a list of names; all empty for V(full). C(restore_databases) are
          restored whole, C(restore_tables) one by one, C(drop_tables) and C(drop_databases) were created after the
          restore point and are dropped.
      type: dict
      contains:
        restore_databases:
          description: Databases restored whole.
          type: list
          elements: str
        restore_tables:
          description: Tables (C(db.table)) restored one by one.
          type: list
          elements: str
        drop_tables:
          description: Tables created after the restore point, dropped.
          type: list
          elements: str
        drop_databases:
          description: Databases created after the restore point, dropped.
          type: list
          elements: str
      sample: {restore_databases: [], restore_tables: [shop.orders], drop_tables: [shop.tmp_import], drop_databases: []}
    compared:
      description:
        - How each account's rows were compared, by account. V(content) is a set difference both ways, row by row
          (one login reads both sides); V(checksums) is each table's row count and an order-independent checksum of
          its rows, MatrixOne's 64-bit C(hash_value) of every row summed (two logins read the sides, so no set
          difference is possible); V(objects) is databases, tables and column definitions only (the login cannot
          read the rows, as sys cannot read a tenant's rows now; give O(account_logins)).
      type: dict
      sample: {sys: content, acc1: checksums, acc2: objects}
verified:
  description:
    - True when the restored target was read again, compared with the snapshot as RV(verified_by) says, and matched;
      false when not verified.
  returned: always
  type: bool
verified_by:
  description:
    - How the verification compared each account (see RV(preview.compared) for the methods); empty when not verified.
      An account compared by V(objects) was checked for its databases, tables and definitions, not its rows.
  returned: always
  type: dict
  sample: {sys: content, acc2: checksums}
safety_snapshot:
  description:
    - The snapshot taken before restoring, or null; the same keys as RV(preview.snapshot) (no C(pitr)). In
      check mode the one a real run would take, with a null timestamp.
  returned: always
  type: dict
queries:
  description: SQL that changed state (in check mode, that would), in order; passwords masked.
  returned: always
  type: list
  elements: str
  sample: ["RESTORE ACCOUNT `sys` DATABASE `snapshot_read` FROM SNAPSHOT `sp_02`"]
server:
  description: The server the module talked to.
  returned: when connected
  type: dict
  contains:
    version:
      description: MatrixOne's version, as the module uses it (V(3.0.18)).
      type: str
    version_string:
      description: What C(version()) answered.
      type: str
    version_source:
      description: V(version()), or V(probe) for a build without a version number whose grammar was probed.
      type: str
    tls:
      description: Whether the connection used TLS.
      type: bool
'''

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _restore, _sql, _time
from ansible_collections.matrixone.backup.plugins.module_utils._module import MoModule
from ansible_collections.matrixone.backup.plugins.module_utils._restore_job import RestoreJob


def validate(params):
    """Check every input before any SQL; return the restore time (aware UTC) for a PITR restore, else None."""
    if params["snapshot"] is not None:
        _sql.validate_name(params["snapshot"], "snapshot", "snapshot")
    if params["snapshot_prefix"] is not None:
        params["snapshot_prefix"] = params["snapshot_prefix"].lower()  # MatrixOne keeps snapshot names lower-case
        _sql.validate_name(params["snapshot_prefix"], "snapshot", "snapshot_prefix")
    when = None
    if params["pitr"] is not None:
        _sql.validate_name(params["pitr"], "pitr", "pitr")
        _time.zone(params["server_timezone"], "server_timezone")
        when = _time.parse_timestamp(params["timestamp"], params["timezone"])
        if params["to_account"] is not None:
            raise _errors.InvalidInput("to_account is not available with pitr: MatrixOne's PITR restore has no TO ACCOUNT")
    _sql.validate_names(params, (("account", "account"), ("database", "database"), ("table", "table"),
                                 ("to_account", "account"), ("to_account_admin_name", "user"),
                                 ("safety_snapshot_name", "snapshot"), ("as_database", "database"),
                                 ("as_table", "table")))
    for index, login in enumerate(params["account_logins"] or []):
        _sql.validate_name(login["account"], "account", "account_logins[%d].account" % index)
        _sql.validate_name(login["user"], "user", "account_logins[%d].user" % index)
    if params["safety_snapshot_name"] and not params["safety_snapshot"]:
        raise _errors.InvalidInput("safety_snapshot_name needs safety_snapshot=true")
    if params["method"] == "delta" and params["force"]:
        raise _errors.InvalidInput("method=delta and force=true: force restores the whole scope even when it equals the "
                                   "restore point; use method=auto or full with force")
    if (params["as_database"] or params["as_table"]) and params["safety_snapshot"]:
        raise _errors.InvalidInput("safety_snapshot=true has nothing to protect with as_database/as_table: restoring "
                                   "beside live data only creates new objects")
    return when


def main():
    mo = MoModule(_restore.argument_spec(),
                  required_together=[("to_account_admin_name", "to_account_admin_password"), ("pitr", "timestamp")],
                  mutually_exclusive=[("snapshot", "pitr", "snapshot_prefix")],
                  required_one_of=[("snapshot", "pitr", "snapshot_prefix")])
    mo.run(lambda: run(mo))


def run(mo):
    when = validate(mo.params)
    mo.connect()
    job = RestoreJob(mo, when)
    job.prepare()
    preview = job.preview()
    job.refuse_a_different_copy()
    # identical: nothing to send; a copy beside live data that equals the restore point is never re-created
    versions = preview.get("versions") or {}
    if versions.get("across_upgrade"):
        mo.module.warn("the %s was taken under MatrixOne catalog version %s; the server now runs %s (catalog %s): this "
                       "restore crosses an upgrade, and brings the data back on the new version, not the old binary"
                       % (job.source_text, versions["catalog_at_point"], versions["server"], versions["catalog_now"]))
    lost = sorted(set(preview.get("sequences_not_restored", []) + preview.get("sequences_dropped", [])))
    if lost:
        mo.module.warn("MatrixOne's restore brings no sequence back and drops the sequences of the restored scope "
                       "(measured on 3.0.18 and 4.1.4): %s will be missing afterwards; recreate them and set their "
                       "values yourself" % ", ".join(lost))
    skip = preview["identical"] is True and (not mo.params["force"] or bool(job.scope.get("clone")))
    if skip:
        mo.exit(False, preview=preview, verified=False, verified_by={}, safety_snapshot=None, diff=job.diff())
    mo.check_mode_exit(job.statements(), preview=preview, verified=False, verified_by={},
                       safety_snapshot=job.predicted_safety(), diff=job.diff())
    safety = job.run()
    verified_by = job.verify(safety) if mo.params["verify"] else {}
    mo.exit(True, preview=preview, verified=bool(mo.params["verify"]), verified_by=verified_by, safety_snapshot=safety,
            diff=job.diff())


if __name__ == "__main__":
    main()
