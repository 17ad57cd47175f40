# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""MatrixOne's own BVT cases (../shared/mo-bvt, never copied here) replayed against the test server.

The floors come from replaying the same cases with tests/utils/bvt.py against real servers built from the
tags (2026-11-28):
  v4-main cases, real v4.1.4:  all 884 of 948, snapshot/restore/PITR 365 of 414
  v3.0.18 cases, real v3.0.18: all 832 of 884, snapshot/restore/PITR 355 of 381
For snapshot/restore/PITR statements the test server must stay within 1% of the real server; for all
statements (views, full-text indexes, SHOW CREATE layout, decimal typing, generate_series: outside what the
test server models) the floor is what it matches today, so that it never slips back.
"""

import os

import pytest
from conftest import Server

from tests.utils import bvt

SHARED = os.path.join(os.path.dirname(bvt.__file__), "..", "..", "..", "shared", "mo-bvt")
REAL = {"v4-main": ((884, 948), (365, 414)), "v3.0.18": ((832, 884), (355, 381))}
ALL_FLOOR = {"v4-main": 827, "v3.0.18": 778}
VERSION = {"v4-main": "4.1.4", "v3.0.18": "3.0.18"}


@pytest.mark.skipif(not os.path.isdir(SHARED), reason="../shared/mo-bvt is not beside this checkout (a user's clone)")
@pytest.mark.parametrize("cases", sorted(REAL))
def test_bvt_replay_matches_real_matrixone(cases, capsys):
    server = Server(VERSION[cases])
    try:
        got = bvt.replay_dir(os.path.join(SHARED, cases), "127.0.0.1", server.port)
    finally:
        server.stop()
    (real_all, total), (real_feature, feature_total) = REAL[cases]
    with capsys.disabled():  # the figures belong in the gate's log
        print("\nBVT %s on the test server %s: all %d of %d (real %d), snapshot/restore/PITR %d of %d (real %d)"
              % (cases, VERSION[cases], got["all"][0], got["all"][1], real_all, got["feature"][0], got["feature"][1],
                 real_feature))
    assert got["all"][1] == total and got["feature"][1] == feature_total, "the cases changed: measure again"
    assert got["feature"][0] >= real_feature * 0.99, "snapshot/restore/PITR statements fell more than 1% below real"
    assert got["all"][0] >= ALL_FLOOR[cases]
