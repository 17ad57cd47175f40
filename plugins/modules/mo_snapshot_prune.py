#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mo_snapshot_prune
short_description: Drop old MatrixOne snapshots by retention rules
version_added: 1.0.0
description:
  - Retention for MatrixOne snapshots, which never expire by themselves and on 4.x count against a quota.
  - Among the snapshots that match the name and target filters, keeps those the retention rules keep (the newest
    N, the newest of each of the last N days, weeks, months or years) and drops the others, or only those of them
    taken before O(older_than). RV(kept) says which rule kept each snapshot.
  - Check mode and C(--diff) list exactly what would be dropped; a real run drops exactly that and reports it.
  - Refuses to run without a name or target filter (that would mean every snapshot of the account) unless
    O(allow_unfiltered=true).
author:
  - matrixone.backup maintainers (@matrixone-backup)
extends_documentation_fragment:
  - matrixone.backup.connection
  - matrixone.backup.snapshot_filter
  - matrixone.backup.retention
  - matrixone.backup.attributes
attributes:
  check_mode:
    support: full
    details: Selects the snapshots exactly as a real run would and drops none.
  diff_mode:
    support: full
    details: Before lists the matching snapshots; after lists those kept, each with the rule that kept it.
  idempotent:
    support: full
    details: A second run finds nothing more to drop.
options:
  timezone:
    description:
      - The time zone of the calendar rules. The default is the server's (its C(NOW()) minus C(UTC_TIMESTAMP())).
    type: str
  exclude:
    description: Names that are never dropped, whatever the rules say (for example a snapshot in use).
    type: list
    elements: str
    default: []
  allow_unfiltered:
    description:
      - Allow running without any of O(prefix), O(pattern), O(level), O(account), O(database), O(table).
    type: bool
    default: false
notes:
  - Ages are computed against the clock of the host running the module.
seealso:
  - module: matrixone.backup.mo_snapshot_info
  - module: matrixone.backup.mo_snapshot
'''

EXAMPLES = r'''
- name: Keep the 5 newest guard snapshots of the shop database
  matrixone.backup.mo_snapshot_prune:
    prefix: guard_shop_
    keep_newest: 5

- name: Drop nightly snapshots older than two weeks, but always keep the last three
  matrixone.backup.mo_snapshot_prune:
    prefix: nightly_
    older_than: 2w
    keep_newest: 3

- name: Keep 7 dailies, 4 weeklies and 12 monthlies of the nightly snapshots (calendar in Shanghai time)
  matrixone.backup.mo_snapshot_prune:
    prefix: nightly_
    keep_daily: 7
    keep_weekly: 4
    keep_monthly: 12
    timezone: Asia/Shanghai
'''

RETURN = r'''
dropped:
  description: Snapshots dropped (in check mode, that would be dropped), newest first; same shape as
    M(matrixone.backup.mo_snapshot_info) returns.
  returned: always
  type: list
  elements: dict
  contains:
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
kept:
  description:
    - The matching snapshots that remain, newest first; the same keys as RV(dropped), and C(kept_by).
    - C(kept_by) is why it remains. It is a rule and the period it kept (V(keep_daily 2026-12-04),
      V(keep_weekly 2026-W49), V(keep_newest 1)), V(newer than older_than), or V(exclude).
  returned: always
  type: list
  elements: dict
queries:
  description: The DROP statements run (in check mode, that would run).
  returned: always
  type: list
  elements: str
  sample: ["DROP SNAPSHOT IF EXISTS `guard_shop_20260101T000000`"]
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

import datetime

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _retention, _snapshots, _sql, _time
from ansible_collections.matrixone.backup.plugins.module_utils._module import MoModule


def validate(params, now):
    rules, cutoff = _retention.validate(params, now)
    filters = [k for k in _snapshots.FILTER_OPTIONS if params.get(k)]
    if not filters and not params["allow_unfiltered"]:
        raise _errors.InvalidInput("no filter given (prefix, pattern, level, account, database or table): this would "
                                   "consider every snapshot of the account; set allow_unfiltered=true if you mean it")
    for name in params["exclude"]:
        _sql.validate_name(name, "snapshot", "exclude")
    if params["timezone"] is not None:
        _time.zone(params["timezone"], "timezone")
    _snapshots.build_query(dict(params, older_than=None), now)
    return rules, cutoff


def main():
    mo = MoModule(dict(
        _snapshots.FILTER_OPTIONS,
        exclude=dict(type="list", elements="str", default=[]),
        allow_unfiltered=dict(type="bool", default=False),
        timezone=dict(type="str"),
        **_retention.OPTIONS
    ))
    mo.run(lambda: run(mo))


def run(mo):
    params = mo.params
    now = datetime.datetime.now(_time.UTC)
    rules, cutoff = validate(params, now)
    mo.connect()
    zone = _time.zone(params["timezone"], "timezone") if params["timezone"] else mo.server_clock().shown_zone
    mo.doing, mo.failure_result["dropped"] = "listing snapshots", []
    matching = _snapshots.list_snapshots(mo, dict(params, older_than=None), now)
    excluded = set(params["exclude"])
    chosen, why = _snapshots.select_prune(matching, rules, cutoff, zone)
    selected = [s for s in chosen if s["name"] not in excluded]
    dropped_names = set(s["name"] for s in selected)
    kept = [dict(s, kept_by=_retention.why_kept(s["name"], why, excluded))
            for s in matching if s["name"] not in dropped_names]
    _snapshots.drop_each(mo, selected, "dropped", "pruning snapshots")
    diff = {"before": {"snapshots": [s["name"] for s in matching]},
            "after": {"snapshots": dict((s["name"], s["kept_by"]) for s in kept)}}
    mo.exit(bool(selected), dropped=selected, kept=kept, diff=diff)


if __name__ == "__main__":
    main()
