# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Retention rules shared by mo_snapshot_prune and mo_backup_prune: keep the newest N, keep the newest point of
each of the last N days, ISO weeks, months and years (borg's semantics), and drop only what is older than a time.

Rules apply in the order of RULES. Each walks the points newest first. A point starts a period when it is the newest
point of its day (week, month, year) in the given time zone. The rule keeps that point unless an earlier rule
already kept it; in that case the period is used up without counting. A rule stops after it has kept N points.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _time

RULES = ("keep_newest", "keep_daily", "keep_weekly", "keep_monthly", "keep_yearly")
CALENDAR_RULES = RULES[1:]

PERIOD = {  # keep_newest has no period: every point is one of its own
    "keep_daily": lambda t: t.strftime("%Y-%m-%d"),
    "keep_weekly": lambda t: "%04d-W%02d" % t.isocalendar()[:2],
    "keep_monthly": lambda t: t.strftime("%Y-%m"),
    "keep_yearly": lambda t: t.strftime("%Y"),
}

OPTIONS = dict(
    keep_newest=dict(type="int"),
    keep_daily=dict(type="int"),
    keep_weekly=dict(type="int"),
    keep_monthly=dict(type="int"),
    keep_yearly=dict(type="int"),
    older_than=dict(type="str"),
)


def validate(params, now):
    """The rules given ({rule: N}) and the older_than point (or None); at least one of them, every N >= 0."""
    rules = dict((rule, params.get(rule)) for rule in RULES if params.get(rule) is not None)
    if not rules and not params.get("older_than"):
        raise _errors.InvalidInput("give keep_newest, keep_daily, keep_weekly, keep_monthly, keep_yearly and/or "
                                   "older_than: without them nothing can be selected")
    for rule, count in rules.items():
        if count < 0:
            raise _errors.InvalidInput("%s must be 0 or more, got %d" % (rule, count))
    cutoff = _time.parse_point_in_time(params["older_than"], "older_than", now) if params.get("older_than") else None
    return rules, cutoff


def kept_by(points, rules, zone):
    """{key: why} for the points the rules keep. points: [(key, aware datetime)]; why: 'keep_newest 1',
    'keep_daily 2026-12-04', 'keep_weekly 2026-W49', ... (the rule and the period it kept)."""
    ordered = sorted(points, key=lambda p: p[1], reverse=True)
    kept = {}
    for rule in RULES:
        count = rules.get(rule)
        if not count:
            continue
        last, taken = None, 0
        for key, when in ordered:
            local = when.astimezone(zone)
            period = taken + 1 if rule == "keep_newest" else PERIOD[rule](local)
            if period == last:
                continue
            last = period
            if key in kept:
                continue
            taken += 1
            kept[key] = "%s %s" % (rule, period)
            if taken == count:
                break
    return kept


def why_kept(key, kept, excluded=()):
    """Why a point that is not dropped remains: the rule that kept it, 'exclude', or 'newer than older_than'."""
    return kept.get(key) or ("exclude" if key in excluded else "newer than older_than")


def select(points, rules, cutoff, zone):
    """(keys to drop, {key: why kept}): a point goes when no rule keeps it and, with older_than, when it is older
    than the cutoff too."""
    kept = kept_by(points, rules, zone)
    drop = [key for key, when in sorted(points, key=lambda p: p[1], reverse=True)
            if key not in kept and (cutoff is None or when < cutoff)]
    return drop, kept
