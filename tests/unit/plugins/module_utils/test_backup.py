# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Physical backups: the format rules against bytes recorded from a real MatrixOne v3.0.18, then reading,
verifying, chain linking and prune selection on synthetic backups."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import hashlib
import json
import os
import re

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _backup, _backup_store, _errors, _sql

RECORDINGS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "fixtures", "recorded")
UTC = datetime.timezone.utc


@pytest.fixture(scope="module", params=["3.0.18", "4.1.4"])
def real(request):
    with open(os.path.join(RECORDINGS, "backup-v%s.json" % request.param)) as handle:
        record = json.load(handle)
    record["raw"] = dict((k, base64.b64decode(v)) for k, v in record["files"].items())
    return record


# -- the format, on real bytes ----------------------------------------------------------------------------------
@pytest.mark.parametrize("crc", [_backup.crc32c, _backup.crc32c_python], ids=["selected", "pure"])
def test_crc32c_is_castagnoli(crc):
    assert crc(b"123456789") == 0xE3069283
    assert crc(b"") == 0


def test_the_c_crc32c_is_used_where_installed_and_agrees_with_the_pure_code():
    # requirements-dev.txt installs google-crc32c with its C extension, as the execution environment does
    assert _backup.CRC32C_IMPLEMENTATION == "google-crc32c (C)" and _backup.crc32c is not _backup.crc32c_python
    data = bytes(range(256)) * 8
    for end in (0, 1, 7, 2044, len(data)):
        assert _backup.crc32c(data[:end]) == _backup.crc32c_python(data[:end])


def test_without_the_package_the_pure_code_runs(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_google(name, *args, **kwargs):
        if name == "google_crc32c":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_google)
    assert _backup._crc32c_accelerated() is None


def test_plain_files_carry_the_raw_sha256(real):
    for path in ("mo_meta", [p for p in real["raw"] if p.startswith("config/") and not p.endswith(".sha256")][0]):
        assert hashlib.sha256(real["raw"][path]).digest() == real["raw"][path + ".sha256"]


def test_block_files_checksum_their_content(real):
    for path in ("tae/tae_sum", "hakeeper/hk_data"):
        content = _backup.unblock(real["raw"][path], check_crc=True)
        digest = _backup.unblock(real["raw"][path + ".sha256"], check_crc=True)
        assert content is not None and hashlib.sha256(content).digest() == digest
        assert _backup.block(content) == real["raw"][path]  # our writer gives MatrixOne's bytes
    fields = _backup.unblock(real["raw"]["tae/tae_sum"]).decode().strip().split(",")
    assert len(fields) == 4 and _backup.TS_PATTERN.match(fields[2]) and fields[3] == ""


def test_data_files_sha256_or_size(real):
    checked = 0
    for sample in real["data_samples"]:
        name, size, sha, copied, _ts = sample["tae_list_line"].split(",")
        content = _backup.unblock(base64.b64decode(sample["raw"]), check_crc=True)
        assert copied == "true" and content is not None
        if sha:
            assert hashlib.sha256(content).hexdigest() == sha
        else:
            assert len(content) == int(size)
        checked += 1
    assert checked == 3


def test_a_flipped_bit_fails_the_block_crc(real):
    raw = bytearray(base64.b64decode(real["data_samples"][0]["raw"]))
    raw[100] ^= 1
    assert _backup.unblock(bytes(raw), check_crc=True) is None
    assert _backup.unblock(bytes(raw)) is not None  # without the CRC check only the SHA-256 can tell


def test_incremental_summary_names_its_type(real):
    fields = _backup.unblock(base64.b64decode(real["incremental"]["tae_sum"])).decode().strip().split(",")
    assert fields[3] == "incremental"
    assert real["incremental"]["copied"] < real["incremental"]["listed"]


def test_ts_time_reads_the_physical_part():
    assert _backup.ts_time("1795911982561185129-1") == datetime.datetime(2026, 11, 29, 0, 26, 22, 561185, tzinfo=UTC)
    assert _backup.ts_time("abc") is None


# -- synthetic backups in a store in memory ------------------------------------------------------------------
class MemoryStore:
    blocked = True

    def __init__(self):
        self.data = {}  # (rel, path) -> bytes

    def location(self, rel=""):
        return "/mem/" + rel

    def children(self):
        return sorted(set(key[0] for key in self.data))

    def list(self, rel):
        return dict((p, len(v)) for (r, p), v in self.data.items() if r == rel)

    def read(self, rel, path):
        return self.data.get((rel, path))

    def remove(self, rel):
        for key in [k for k in self.data if k[0] == rel]:
            del self.data[key]


def ts_of(minute):
    return "%d-1" % (int(datetime.datetime(2026, 11, 1, 0, minute, tzinfo=UTC).timestamp()) * 10 ** 9)


def write(store, rel, minute, objects, base_objects=(), backup_type=""):
    """A backup holding objects {name: content}; base_objects are listed as not copied."""
    def put(path, content, blocked):
        store.data[(rel, path)] = _backup.block(content) if blocked else content

    def checked(path, content, blocked):
        put(path, content, blocked)
        put(path + ".sha256", hashlib.sha256(content).digest(), blocked)
    lines = []
    for name, content in objects.items():
        put("tae/" + name, content, True)
        lines.append("%s,%d,%s,true,%s\n" % (name, len(content), hashlib.sha256(content).hexdigest(), ts_of(minute)))
    for name in base_objects:
        lines.append("%s,10,%s,false,%s\n" % (name, "0" * 64, ts_of(minute)))
    checked("tae/tae_list", "".join(lines).encode(), True)
    checked("tae/tae_sum", ("2026-11-01 00:%02d:00,100,%s,%s\n" % (minute, ts_of(minute), backup_type)).encode(), True)
    checked("hakeeper/hk_data", b"hk", True)
    checked("mo_meta", b"version,0823,\nbuildinfo,GoVersion: go1|Version: v3.0.18,\n", False)


@pytest.fixture
def chain():
    store = MemoryStore()
    write(store, "full1", 1, {"a_00000": b"A" * 5000, "b_00000": b"B" * 10})
    write(store, "inc1", 2, {"c_00000": b"C"}, ["a_00000", "b_00000"], "incremental")
    write(store, "inc2", 3, {"d_00000": b"D"}, ["a_00000", "c_00000"], "incremental")
    write(store, "full2", 4, {"e_00000": b"E"})
    return store


def by_name(backups):
    return dict((b.rel, b) for b in backups)


def test_reads_and_verifies_a_chain(chain):
    found = by_name(_backup.survey(chain, "blocks"))
    assert all(b.complete and b.verified == "blocks" for b in found.values())
    assert found["full1"].backup_type == "full" and found["inc1"].backup_type == "incremental"
    assert found["full1"].mo_version == "v3.0.18" and found["full1"].format_version == "0823"
    assert found["inc1"].depends_on == ["/mem/full1"]
    assert found["inc2"].depends_on == ["/mem/inc1", "/mem/full1"]
    assert found["full2"].depends_on == []
    assert found["full2"].summary()["time"] == "2026-11-01T00:04:00.000000Z"


def test_damage_is_found_by_each_level(chain):
    raw = bytearray(chain.data[("full1", "tae/a_00000")])
    raw[3000] ^= 1  # content of the second block
    chain.data[("full1", "tae/a_00000")] = bytes(raw)
    assert _backup.Backup(chain, "full1").read().verify("metadata").complete  # presence only
    checksums = _backup.Backup(chain, "full1").read().verify("checksums")
    assert checksums.problems == ["tae/a_00000 does not match its SHA-256 in tae_list"]
    found = by_name(_backup.survey(chain, "checksums"))
    assert not found["inc1"].complete and "in no intact earlier backup" in found["inc1"].problems[0]
    assert not found["inc2"].complete and found["full2"].complete


def test_a_damaged_crc_is_found_only_by_blocks(chain):
    raw = bytearray(chain.data[("full1", "tae/a_00000")])
    raw[0] ^= 1  # the first block's CRC, not the content
    chain.data[("full1", "tae/a_00000")] = bytes(raw)
    assert _backup.Backup(chain, "full1").read().verify("checksums").complete
    blocks = _backup.Backup(chain, "full1").read().verify("blocks")
    assert not blocks.complete and "CRC-32C" in blocks.problems[0]


def test_damaged_metadata_and_partial_backups(chain):
    chain.data[("inc1", "tae/tae_sum.sha256")] = _backup.block(b"\0" * 32)
    assert "tae/tae_sum does not match its checksum file" in _backup.Backup(chain, "inc1").read().problems[0]
    del chain.data[("full2", "mo_meta")]
    partial = _backup.Backup(chain, "full2").read()
    assert not partial.complete and partial.problems == [
        "partial: mo_meta is missing, so MatrixOne did not finish this backup"]
    assert _backup.Backup(chain, "nothing").read().problems == ["empty: no backup here"]


def test_a_missing_listed_file(chain):
    del chain.data[("full2", "tae/e_00000")]
    assert _backup.Backup(chain, "full2").read().verify("metadata").problems == [
        "tae/e_00000 is listed in tae_list but missing"]


@pytest.mark.parametrize("keep, older, exclude, deleted, kept_as_base", [
    (1, None, (), ["inc2", "inc1", "full1"], []),  # the newest is a full one: nothing needs the chain
    (0, None, ("full2",), ["inc2", "inc1", "full1"], []),
    (None, 3, (), [], ["/mem/inc1", "/mem/full1"]),  # inc2 (minute 3) stays and needs inc1 and full1
    (None, 4, ("inc2",), [], ["/mem/inc1", "/mem/full1"]),  # an excluded incremental keeps its chain too
])
def test_prune_selection(chain, keep, older, exclude, deleted, kept_as_base):
    backups = _backup.survey(chain, "metadata")
    cutoff = datetime.datetime(2026, 11, 1, 0, older, tzinfo=UTC) if older else None
    rules = {} if keep is None else {"keep_newest": keep}
    delete, kept, _why = _backup.select_prune(backups, rules, cutoff, set(exclude))
    assert sorted(b.rel for b in delete) == sorted(deleted)
    assert sorted(b.location for b in kept) == sorted(kept_as_base)


def test_prune_never_breaks_a_kept_chain(chain):
    chain.remove("full2")
    backups = _backup.survey(chain, "metadata")
    delete, kept, _why = _backup.select_prune(backups, {"keep_newest": 1}, None)
    assert delete == [] and sorted(b.rel for b in kept) == ["full1", "inc1"]
    delete, kept, _why = _backup.select_prune(backups, {"keep_newest": 0}, None)
    assert sorted(b.rel for b in delete) == ["full1", "inc1", "inc2"] and kept == []


def test_a_calendar_rule_never_breaks_a_kept_chain(chain):
    chain.remove("full2")
    delete, kept_as_base, why = _backup.select_prune(_backup.survey(chain, "metadata"), {"keep_daily": 1}, None)
    assert delete == [] and sorted(b.rel for b in kept_as_base) == ["full1", "inc1"]
    assert why == {"/mem/inc2": "keep_daily 2026-11-01"}


def test_newest_complete(chain):
    backups = _backup.survey(chain, "metadata")
    assert _backup.newest_complete(backups).rel == "full2"


# -- the statement -----------------------------------------------------------------------------------------------
def test_backup_statement_to_a_directory():
    stmt = _sql.backup(4, directory="/backups/it's")
    assert stmt.sql == "BACKUP %s FILESYSTEM %s PARALLELISM %s"
    assert stmt.params == ("0", "/backups/it's", "4")
    assert stmt.display == "BACKUP '0' FILESYSTEM '/backups/it\\'s' PARALLELISM '4'"
    inc = _sql.backup(2, directory="/b/i", backup_type="incremental", base_ts="1-1")
    assert inc.display == "BACKUP '0' FILESYSTEM '/b/i' PARALLELISM '2' TYPE 'incremental' TIMESTAMP '1-1'"


def test_backup_statement_to_s3_masks_the_keys():
    stmt = _sql.backup(2, s3={"endpoint": "http://s3:9000", "region": "r", "bucket": "b", "filepath": "p/x",
                              "access_key_id": "AKIA-secret", "secret_access_key": "s3cr3t", "is_minio": None})
    assert stmt.sql == ("BACKUP %s S3OPTION {'endpoint'=%s, 'region'=%s, 'bucket'=%s, 'filepath'=%s, "
                        "'access_key_id'=%s, 'secret_access_key'=%s, 'parallelism'=%s}")
    assert "AKIA-secret" in stmt.params and "s3cr3t" in stmt.params
    assert "AKIA-secret" not in stmt.display and "s3cr3t" not in stmt.display
    assert stmt.display.count(_sql.MASK) == 2 and "'filepath'='p/x'" in stmt.display


# -- where backups live -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, s3, message", [
    ("backups/full", None, "path='backups/full' must be absolute"),
    ("/", None, "path must name a directory or key prefix below the root"),
    ("", None, "path must name a directory or key prefix below the root"),
    ("/a/b\n", None, "path must not contain control characters"),
    ("/mo/full", {"endpoint": "e"}, "without a leading '/' or '..'"),
    ("mo/../other", {"endpoint": "e"}, "without a leading '/' or '..'"),
])
def test_paths_are_refused_with_the_parameter_named(value, s3, message):
    with pytest.raises(_errors.InvalidInput, match=re.escape(message)):
        _backup_store.validate_path({"path": value, "s3": s3})


def test_paths_are_normalized_and_split():
    assert _backup_store.validate_path({"path": "/b//mo/./full1/", "s3": None}) == "/b/mo/full1"
    assert _backup_store.validate_path({"path": "mo/prod/full1/", "s3": {}}) == "mo/prod/full1"
    assert _backup_store.split("/b/mo/full1", None) == ("/b/mo", "full1")
    assert _backup_store.split("mo/prod/full1", {}) == ("mo/prod", "full1")
    assert _backup_store.split("full1", {}) == ("", "full1")


def test_local_store_reads_what_is_there(tmp_path):
    (tmp_path / "full1" / "tae").mkdir(parents=True)
    (tmp_path / "full1" / "tae" / "x_00000").write_bytes(b"abc")
    (tmp_path / "loose-file").write_bytes(b"not a backup")
    store = _backup_store.LocalStore(str(tmp_path))
    assert store.children() == ["full1"]
    assert store.list("full1") == {"tae/x_00000": 3}
    assert store.read("full1", "tae/x_00000") == b"abc" and store.read("full1", "mo_meta") is None
    store.remove("full1")
    assert store.children() == [] and _backup_store.LocalStore(str(tmp_path / "none")).children() == []


def test_one_backup_is_verified_with_its_chain_only(chain):
    raw = bytearray(chain.data[("full2", "tae/e_00000")])
    raw[4] ^= 1  # damage the content of a backup inc1 does not need
    chain.data[("full2", "tae/e_00000")] = bytes(raw)
    found = by_name(_backup.survey_one(chain, "inc1", "checksums"))
    assert found["inc1"].complete and found["inc1"].verified == "checksums"
    assert found["full1"].verified == "checksums" and found["full2"].verified is None  # not read: not needed
    raw = bytearray(chain.data[("full1", "tae/a_00000")])
    raw[10] ^= 1  # now damage its base
    chain.data[("full1", "tae/a_00000")] = bytes(raw)
    found = by_name(_backup.survey_one(chain, "inc1", "checksums"))
    assert not found["inc1"].complete and "in no intact earlier backup" in found["inc1"].problems[0]


def test_an_incremental_that_copied_all_it_lists_restores_alone(chain):
    """On a young cluster MatrixOne's incremental copies every file it lists (seen on fresh v3.0.18 and v4.1.4; one
    restored alone offline): it needs no base, and pruning may take the full backup before it."""
    write(chain, "inc3", 5, {"e_00000": b"E", "f_00000": b"F"}, (), "incremental")
    found = by_name(_backup.survey(chain, "checksums"))
    summary = found["inc3"].summary()
    assert summary["self_contained"] and summary["depends_on"] == []
    assert summary["listed_files"] == summary["copied_files"] == 2
    assert not found["inc1"].summary()["self_contained"] and found["full1"].summary()["self_contained"]
    delete, kept_as_base, _why = _backup.select_prune(list(found.values()), {"keep_newest": 1})
    assert "/mem/full2" in [b.location for b in delete] and kept_as_base == []


def test_a_base_written_by_another_version_is_said():
    assert "written by MatrixOne 3.0.18 and the server runs 4.1.4" in _backup.version_drift("v3.0.18", "4.1.4")
    assert _backup.version_drift("v4.1.4", "4.1.4") is None
    assert _backup.version_drift(None, "4.1.4") is None and _backup.version_drift("v4.1.4", None) is None


def test_a_backup_of_another_version_than_the_restore_target_is_said():
    said = _backup.restore_drift("v3.0.18", "4.1.4")
    assert said.startswith("written by MatrixOne 3.0.18 and the server runs 4.1.4: ") and "binary of MatrixOne 3.0.18" in said
    assert _backup.restore_drift("v4.1.4", "4.1.4") is None and _backup.restore_drift("", "4.1.4") is None
