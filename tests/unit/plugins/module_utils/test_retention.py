# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _errors, _retention, _time

UTC = _time.UTC
# a year of nightly points at 02:00 UTC, 2025-12-06 .. 2026-12-05 (a Saturday)
YEAR = [(d.strftime("n%Y%m%d"), d) for d in (datetime.datetime(2026, 12, 5, 2, tzinfo=UTC) - datetime.timedelta(days=i)
                                             for i in range(365))]


def kept(rules, points=YEAR, zone=UTC):
    return sorted(_retention.kept_by(points, rules, zone), reverse=True)


def test_keep_daily_keeps_the_last_days():
    assert kept({"keep_daily": 7}) == ["n20261205", "n20261204", "n20261203", "n20261202", "n20261201", "n20261130",
                                       "n20261129"]


def test_keep_weekly_monthly_yearly_keep_the_newest_point_of_each_period():
    assert kept({"keep_weekly": 4}) == ["n20261205", "n20261129", "n20261122", "n20261115"]  # Saturday, then Sundays
    assert kept({"keep_monthly": 12}) == ["n20261205", "n20261130", "n20261031", "n20260930", "n20260831",
                                          "n20260731", "n20260630", "n20260531", "n20260430", "n20260331",
                                          "n20260228", "n20260131"]
    assert kept({"keep_yearly": 5}) == ["n20261205", "n20251231"]  # only two years have points


def test_rules_combine_as_borg_does_a_period_already_kept_does_not_count_again():
    why = _retention.kept_by(YEAR, {"keep_daily": 7, "keep_weekly": 4, "keep_monthly": 6}, UTC)
    assert len(why) == 17
    assert sorted(k for k, v in why.items() if v.startswith("keep_weekly")) == [
        "n20261101", "n20261108", "n20261115", "n20261122"]  # weeks 48 and 49 end in days already kept
    assert sorted(k for k, v in why.items() if v.startswith("keep_monthly")) == [
        "n20260531", "n20260630", "n20260731", "n20260831", "n20260930", "n20261031"]
    assert why["n20261122"] == "keep_weekly 2026-W47" and why["n20261031"] == "keep_monthly 2026-10"
    assert why["n20261205"] == "keep_daily 2026-12-05"


def test_keep_newest_comes_first_and_counts_points():
    why = _retention.kept_by(YEAR, {"keep_newest": 2, "keep_daily": 3}, UTC)
    assert why == {"n20261205": "keep_newest 1", "n20261204": "keep_newest 2", "n20261203": "keep_daily 2026-12-03",
                   "n20261202": "keep_daily 2026-12-02", "n20261201": "keep_daily 2026-12-01"}


def test_days_begin_at_midnight_of_the_time_zone():
    late = [("a", datetime.datetime(2026, 12, 4, 17, tzinfo=UTC)), ("b", datetime.datetime(2026, 12, 4, 15, tzinfo=UTC))]
    assert kept({"keep_daily": 2}, late) == ["a"]  # one UTC day
    shanghai = _time.zone("Asia/Shanghai", "timezone")
    assert kept({"keep_daily": 2}, late, shanghai) == ["b", "a"]  # 2026-12-05 01:00 and 2026-12-04 23:00 there
    assert _retention.kept_by(late, {"keep_daily": 2}, shanghai)["a"] == "keep_daily 2026-12-05"


def test_select_drops_what_no_rule_keeps_and_older_than_limits_it():
    cutoff = datetime.datetime(2026, 11, 1, tzinfo=UTC)
    drop, why = _retention.select(YEAR, {"keep_daily": 7}, None, UTC)
    assert len(drop) == 358 and not set(drop) & set(why)
    drop, why = _retention.select(YEAR, {"keep_daily": 7}, cutoff, UTC)
    assert drop[0] == "n20261031" and len(drop) == 365 - 35  # November's points are newer than the cutoff
    drop, why = _retention.select(YEAR, {}, cutoff, UTC)
    assert len(drop) == 365 - 35 and why == {}
    assert _retention.select(YEAR, {"keep_newest": 0}, None, UTC)[0] == [k for k, _t in YEAR]


def test_rules_are_checked_before_anything_runs():
    now = datetime.datetime(2026, 12, 5, tzinfo=UTC)
    with pytest.raises(_errors.InvalidInput, match="give keep_newest, keep_daily"):
        _retention.validate({"older_than": None}, now)
    with pytest.raises(_errors.InvalidInput, match="keep_weekly must be 0 or more, got -1"):
        _retention.validate({"keep_weekly": -1}, now)
    rules, cutoff = _retention.validate({"keep_daily": 7, "keep_monthly": None, "older_than": "2w"}, now)
    assert rules == {"keep_daily": 7} and cutoff == now - datetime.timedelta(weeks=2)
