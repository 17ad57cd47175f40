# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The test server's BACKUP writes what a real MatrixOne v3.0.18 wrote (tests/fixtures/recorded/backup-v3.0.18.json,
made by tests/utils/record_backup.py) and refuses what it refused. Decoding here is independent of the collection."""

import base64
import csv
import hashlib
import io
import json
import os
import re

import pymysql
import pytest

RECORDINGS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "recorded")
RECORDED_VERSIONS = ("3.0.18", "4.1.4")


def blocks(raw):
    """Content of a block-stored file; asserts each 2048-byte block's little-endian CRC-32C."""
    parts = []
    for start in range(0, len(raw), 2048):
        block = raw[start:start + 2048]
        crc = 0xFFFFFFFF
        for byte in block[4:]:
            crc ^= byte
            for _bit in range(8):
                crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
        assert int.from_bytes(block[:4], "little") == crc ^ 0xFFFFFFFF
        parts.append(block[4:])
    return b"".join(parts)


def read(directory, path):
    with open(os.path.join(directory, path), "rb") as handle:
        return handle.read()


def load(version):
    with open(os.path.join(RECORDINGS, "backup-v%s.json" % version)) as handle:
        return json.load(handle)


@pytest.fixture
def recorded(server):
    """The recording of the real version nearest the test server's (3.0.18 for 3.x, 4.1.4 for 4.x)."""
    return load("4.1.4" if server.version.startswith("4.") else "3.0.18")


@pytest.mark.parametrize("version", RECORDED_VERSIONS)
def test_recorded_rules_hold_for_the_real_bytes(version):
    record = load(version)
    raw = dict((k, base64.b64decode(v)) for k, v in record["files"].items())
    assert hashlib.sha256(raw["mo_meta"]).digest() == raw["mo_meta.sha256"]
    assert hashlib.sha256(blocks(raw["tae/tae_sum"])).digest() == blocks(raw["tae/tae_sum.sha256"])


def backup(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)


def test_full_and_incremental_have_the_real_layout(server, tmp_path, recorded):
    conn = server.connect()
    backup(conn, "CREATE DATABASE IF NOT EXISTS bk")
    backup(conn, "CREATE TABLE IF NOT EXISTS bk.t (a INT PRIMARY KEY)")
    backup(conn, "INSERT INTO bk.t VALUES (1)")
    full = str(tmp_path / "full")
    backup(conn, "BACKUP '0' FILESYSTEM '%s' PARALLELISM '2'" % full)
    assert sorted(os.listdir(full)) == recorded["top_level"]
    # gc/ appears once MatrixOne has collected garbage (recorded on the older 3.0.18 cluster, not the newer 4.1.4 one)
    recorded_dirs = set(d for v in RECORDED_VERSIONS for d in load(v)["tae_dirs"])
    dirs = set(d for d in os.listdir(os.path.join(full, "tae")) if os.path.isdir(os.path.join(full, "tae", d)))
    assert "ckp" in dirs and dirs <= recorded_dirs
    real_meta = base64.b64decode(recorded["files"]["mo_meta"]).decode()
    meta = read(full, "mo_meta")
    assert hashlib.sha256(meta).digest() == read(full, "mo_meta.sha256")
    rows = list(csv.reader(io.StringIO(meta.decode())))
    assert [r[0] for r in rows] == [r[0] for r in csv.reader(io.StringIO(real_meta))]
    assert [len(r) for r in rows] == [len(r) for r in csv.reader(io.StringIO(real_meta))]
    for kind, _sub, name in rows[2:]:
        assert hashlib.sha256(read(full, "config/" + name)).digest() == read(full, "config/%s.sha256" % name)
    for path in ("tae/tae_list", "tae/tae_sum", "hakeeper/hk_data"):
        assert hashlib.sha256(blocks(read(full, path))).digest() == blocks(read(full, path + ".sha256"))
    summary = blocks(read(full, "tae/tae_sum")).decode().strip().split(",")
    assert len(summary) == 4 and summary[3] == ""
    listing = list(csv.reader(io.StringIO(blocks(read(full, "tae/tae_list")).decode())))
    for name, size, sha, copied, _ts in listing:
        content = blocks(read(full, "tae/" + name))
        assert copied == "true" and len(content) == int(size)
        assert not sha or hashlib.sha256(content).hexdigest() == sha

    backup(conn, "INSERT INTO bk.t VALUES (2)")
    inc = str(tmp_path / "inc")
    backup(conn, "BACKUP '0' FILESYSTEM '%s' PARALLELISM '2' TYPE 'incremental' TIMESTAMP '%s'" % (inc, summary[2]))
    inc_summary = blocks(read(inc, "tae/tae_sum")).decode().strip().split(",")
    assert inc_summary[3] == "incremental" and inc_summary[2] > summary[2]
    inc_listing = list(csv.reader(io.StringIO(blocks(read(inc, "tae/tae_list")).decode())))
    not_copied = [r[0] for r in inc_listing if r[3] == "false"]
    copied = [r[0] for r in inc_listing if r[3] == "true"]
    assert not_copied and copied  # as recorded: fewer copied than listed
    assert all(os.path.exists(os.path.join(full, "tae", n)) for n in not_copied)
    assert not any(os.path.exists(os.path.join(inc, "tae", n)) for n in not_copied)
    conn.close()


REFUSALS = ("into_a_backup", "bad_parallelism", "bad_timestamp", "cannot_mkdir", "tenant")


@pytest.mark.parametrize("name", REFUSALS)
def test_refusals_as_recorded(server, tmp_path, recorded, name):
    """Each refusal recorded from the real server (tests/utils/record_backup.py REFUSALS), code and text."""
    answer = recorded["refusals"][name]
    conn = server.connect()
    full = str(tmp_path / "full")
    backup(conn, "BACKUP '0' FILESYSTEM '%s' PARALLELISM '1'" % full)
    if name == "tenant":
        backup(conn, "CREATE ACCOUNT IF NOT EXISTS rec_backup ADMIN_NAME 'admin' IDENTIFIED BY 'rec-pw'")
        conn.close()
        conn = server.connect(user="rec_backup#admin", password="rec-pw")
    with pytest.raises(pymysql.MySQLError) as err:
        backup(conn, answer["sql"].format(full=full, dir=tmp_path / "refused"))
    code, text = err.value.args
    assert (code, re.sub(r"tae/\S+", "tae/<file>", text.split("\n")[0])) == (answer["code"], answer["text"])
    conn.close()
