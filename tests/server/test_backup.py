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

import pymysql
import pytest

RECORDED = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "recorded",
                        "backup-v3.0.18.json")


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


@pytest.fixture(scope="module")
def recorded():
    with open(RECORDED) as handle:
        return json.load(handle)


def test_recorded_rules_hold_for_the_real_bytes(recorded):
    raw = dict((k, base64.b64decode(v)) for k, v in recorded["files"].items())
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
    assert sorted(d for d in os.listdir(os.path.join(full, "tae"))
                  if os.path.isdir(os.path.join(full, "tae", d))) == recorded["tae_dirs"]
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


@pytest.mark.parametrize("sql, code, text", [
    ("BACKUP '0' FILESYSTEM '{dir}' PARALLELISM 'x'", 1105, 'strconv.ParseUint: parsing "x": invalid syntax'),
    ("BACKUP '0' FILESYSTEM '{dir}' PARALLELISM '2' TYPE 'incremental' TIMESTAMP 'abc'", 1105,
     "internal error: panic format of ts must be physical-logical: "),
    ("BACKUP '0' FILESYSTEM '/proc/mo-backup' PARALLELISM '2'", 1105, "mkdir /proc/mo-backup: "),
])
def test_refusals_as_recorded(server, tmp_path, sql, code, text):
    conn = server.connect()
    with pytest.raises(pymysql.MySQLError) as err:
        backup(conn, sql.format(dir=tmp_path / "x"))
    assert err.value.args[0] == code and err.value.args[1].startswith(text)
    conn.close()


def test_no_second_backup_into_a_directory_and_sys_only(server, tmp_path):
    conn = server.connect()
    target = str(tmp_path / "twice")
    backup(conn, "BACKUP '0' FILESYSTEM '%s' PARALLELISM '1'" % target)
    with pytest.raises(pymysql.MySQLError) as err:
        backup(conn, "BACKUP '0' FILESYSTEM '%s' PARALLELISM '1'" % target)
    assert err.value.args[0] == 20406 and err.value.args[1].startswith("file tae/")
    assert err.value.args[1].endswith(" already exists")
    backup(conn, "CREATE ACCOUNT IF NOT EXISTS bk_acc ADMIN_NAME 'admin' IDENTIFIED BY 'pw'")
    tenant = server.connect(user="bk_acc#admin", password="pw")
    with pytest.raises(pymysql.MySQLError) as err:
        backup(tenant, "BACKUP '0' FILESYSTEM '%s' PARALLELISM '1'" % (tmp_path / "tenant"))
    assert err.value.args == (20101, "internal error: do not have privilege to execute the statement")
    tenant.close()
    conn.close()
