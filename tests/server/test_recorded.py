# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The test server gives the answers recorded from a real MatrixOne (tests/fixtures/recorded, see tests/utils/record.py)."""

import glob
import json
import os
import re

import pytest
from conftest import Server

from tests.utils import record

RECORDINGS = sorted(glob.glob(os.path.join(record.RECORDINGS, "v*.json")))


def comparable(step):
    """Rows of a statement without ORDER BY come in no defined order: compare them as a multiset."""
    answer = dict(step["answer"])
    if "rows" in answer and not re.search(r"\border\s+by\b", step["sql"], re.I):
        answer["rows"] = sorted(answer["rows"], key=json.dumps)
    return answer


def test_recordings_exist():
    versions = [json.load(open(path, encoding="utf-8"))["version"] for path in RECORDINGS]
    assert "4.1.4" in versions and "3.0.18" in versions, versions


@pytest.mark.parametrize("path", RECORDINGS, ids=os.path.basename)
def test_test_server_answers_as_recorded(path):
    with open(path, encoding="utf-8") as f:
        recording = json.load(f)
    server = Server(recording["version"])
    try:
        steps = record.run_flows("127.0.0.1", server.port, "root", "111", record.brace_grammar(recording["version"]))
    finally:
        server.stop()
    assert [s["sql"] for s in steps] == [s["sql"] for s in recording["steps"]], \
        "the flows changed since the recording: re-record (docs/test-server.md)"
    differences = ["%s [%s] %s\n  real MatrixOne: %s\n  test server:    %s"
                   % (want["flow"], want["session"], want["sql"][:160], json.dumps(comparable(want))[:400],
                      json.dumps(comparable(got))[:400])
                   for want, got in zip(recording["steps"], steps) if comparable(want) != comparable(got)]
    assert not differences, "%d of %d answers differ from %s (%s):\n%s" % (
        len(differences), len(steps), recording["server"], recording["recorded"], "\n".join(differences))
