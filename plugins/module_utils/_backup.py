# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""MatrixOne physical backups as `BACKUP` writes them: reading, verifying, chaining and choosing what to prune.

The layout (measured on MatrixOne v3.0.18, matching pkg/backup):
  mo_meta                CSV: version,<format>, / buildinfo,<...|Version: vX>, / launchconfig,<kind>,<file>
  config/<file>          the launch configuration files
  hakeeper/hk_data       the HAKeeper state
  tae/<name>             data, checkpoint (ckp/) and gc (gc/) files
  tae/tae_list           CSV: name,size,sha256 hex (may be empty),copied (true/false),ts
  tae/tae_sum            CSV: local time,total data size,backup ts,type ('' for full, 'incremental')
  <file>.sha256          SHA-256 of each metadata file's content (32 raw bytes)
mo_meta is written last: a directory without it is a backup MatrixOne did not finish.

On a local filesystem MatrixOne's backup file service stores tae/ and hakeeper/ files in 2048-byte blocks, each a
CRC-32C (little endian) and up to 2044 content bytes; mo_meta and config/ are plain. On S3 everything is plain.
Checksums and sizes are of the content. An incremental backup lists every file but copies only those changed
after its base (copied=false files live in the earlier backups of its chain).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import datetime
import hashlib
import io
import re
import struct

from ansible_collections.matrixone.backup.plugins.module_utils import _retention

MO_META = "mo_meta"
TAE_LIST = "tae/tae_list"
TAE_SUM = "tae/tae_sum"
HK_DATA = "hakeeper/hk_data"
BLOCK_SIZE = 2048
CRC_SIZE = 4
TS_PATTERN = re.compile(r"^(\d+)-(\d+)$")
VERIFY_LEVELS = ("metadata", "checksums", "blocks")
UTC = datetime.timezone.utc


# What MatrixOne's BACKUP answers when its own environment is wrong, and what to change on the server.
SERVER_HINTS = (
    ("unable to add custom RootCAs HTTPClient",
     "MatrixOne's S3 client could not start because the MatrixOne process has AWS_CA_BUNDLE in its environment (its "
     "AWS SDK then refuses its own HTTP client; measured on v3.0.18 and v4.1.4). Restart every MatrixOne service "
     "without AWS_CA_BUNDLE (unset it in the systemd unit, the container or the shell that starts mo-service) and run "
     "the task again; a CA for S3 belongs in this module's ca_bundle option, which only the module uses"),
)


def version_mismatch(backup_version, server_version):
    """'written by MatrixOne X, the server runs Y' when a backup was written by another version than the server runs,
    else None (same version, or either unknown). backup_version as mo_meta has it (v4.1.4), server_version as
    _server.version_text gives it (4.1.4)."""
    written = (backup_version or "").lstrip("v")
    if not written or not server_version or written == server_version:
        return None
    return "written by MatrixOne %s and the server runs %s" % (written, server_version)


def version_drift(backup_version, server_version):
    """What to say when an incremental's base was written by another version than the server runs, or None."""
    mismatch = version_mismatch(backup_version, server_version)
    if mismatch is None:
        return None
    return ("the base backup was %s: an incremental on a base of another version depends on both formats; take a "
            "full backup after an upgrade" % mismatch)


def restore_drift(backup_version, server_version):
    """What to say before restoring or verifying a backup written by another version than the target runs, or None."""
    mismatch = version_mismatch(backup_version, server_version)
    if mismatch is None:
        return None
    written = backup_version.lstrip("v")
    return ("%s: restore it with the binary of MatrixOne %s (as node_upgrade's back_from_backup does) and upgrade "
            "after; a binary older than the data does not start on them" % (mismatch, written))


def server_hint(text):
    """What to change on the server for a BACKUP error MatrixOne answers about its own environment, or None."""
    for fragment, hint in SERVER_HINTS:
        if fragment in (text or ""):
            return hint
    return None


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _bit in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c_python(data):
    """CRC-32C (Castagnoli), the checksum of MatrixOne's local file blocks, in pure Python (about 10 MB/s)."""
    crc = 0xFFFFFFFF
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _crc32c_accelerated():
    """google-crc32c's C (SSE4.2) function when installed with its extension (about 9 GB/s measured), else None:
    its own fallback is pure Python too, so ours is used then."""
    try:
        import google_crc32c  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    return google_crc32c.value if getattr(google_crc32c, "implementation", None) == "c" else None


_CRC_FAST = _crc32c_accelerated()
crc32c = _CRC_FAST or crc32c_python
# What computes block CRCs here, for the result of verify=blocks.
CRC32C_IMPLEMENTATION = "google-crc32c (C)" if _CRC_FAST else "pure Python"


def unblock(raw, check_crc=False):
    """The content of a block-stored file; with check_crc, None when a block's CRC-32C does not match."""
    parts = []
    for start in range(0, len(raw), BLOCK_SIZE):
        block = raw[start:start + BLOCK_SIZE]
        content = block[CRC_SIZE:]
        if check_crc and struct.unpack("<I", block[:CRC_SIZE])[0] != crc32c(content):
            return None
        parts.append(content)
    return b"".join(parts)


def block(content):
    """The block-stored form of content (what MatrixOne writes on a local disk)."""
    step = BLOCK_SIZE - CRC_SIZE
    chunks = [content[i:i + step] for i in range(0, len(content), step)] or []
    return b"".join(struct.pack("<I", crc32c(c)) + c for c in chunks)


def ts_time(ts):
    """A MatrixOne timestamp 'physical-logical' (physical: ns since the epoch) as an aware UTC datetime."""
    m = TS_PATTERN.match(ts or "")
    if not m:
        return None
    ns = int(m.group(1))
    return datetime.datetime.fromtimestamp(ns // 10 ** 9, UTC).replace(microsecond=(ns // 1000) % 10 ** 6)


def _csv(text):
    return [row for row in csv.reader(io.StringIO(text)) if row]


class Backup:
    """One backup directory (or S3 prefix) as read from its store: what it is, and the problems found."""

    def __init__(self, store, rel):
        self.store = store
        self.rel = rel
        self.location = store.location(rel)
        self.files = {}  # path inside the backup -> stored size
        self.format_version = self.mo_version = self.backup_ts = self.local_time = None
        self.backup_type = None
        self.data_bytes = 0
        self.entries = []  # tae_list rows: (name, size, sha256 hex, copied, ts)
        self.problems = []
        self.complete = False
        self.depends_on = []  # locations of earlier backups this incremental needs files from
        self.verified = None  # None: not verified; else the level it passed

    # -- reading ------------------------------------------------------------------------------------------------
    def _content(self, path, blocked, check_crc=False):
        raw = self.store.read(self.rel, path)
        if raw is None:
            return None
        if blocked and self.store.blocked:
            content = unblock(raw, check_crc)
            if content is None:
                self.problems.append("%s: a block checksum (CRC-32C) does not match" % path)
            return content
        return raw

    def _checked(self, path, blocked):
        """A metadata file's content if it matches its .sha256 (and block checksums); else a problem and None."""
        content = self._content(path, blocked, check_crc=True)
        if content is None:
            if path not in self.files:
                self.problems.append("%s is missing" % path)
            return None
        digest = self._content(path + ".sha256", blocked, check_crc=True)
        if digest is None:
            self.problems.append("%s.sha256 is missing" % path)
            return None
        if hashlib.sha256(content).digest() != digest:
            self.problems.append("%s does not match its checksum file %s.sha256" % (path, path))
            return None
        return content

    def read(self):
        """Read the listing and the metadata; sets complete, type, timestamps and the problems found."""
        self.files = self.store.list(self.rel)
        if not self.files:
            self.problems.append("empty: no backup here")
            return self
        if MO_META not in self.files:
            self.problems.append("partial: mo_meta is missing, so MatrixOne did not finish this backup")
            return self
        meta = self._checked(MO_META, blocked=False)
        summary = self._checked(TAE_SUM, blocked=True)
        listing = self._checked(TAE_LIST, blocked=True)
        self._checked(HK_DATA, blocked=True)
        if meta is not None:
            for row in _csv(meta.decode("utf-8", "replace")):
                if row[0] == "version" and len(row) > 1:
                    self.format_version = row[1]
                elif row[0] == "buildinfo" and len(row) > 1:
                    found = re.search(r"(?:^|\|)Version: (\S+)", row[1])
                    self.mo_version = found.group(1) if found else None
                elif row[0] == "launchconfig" and len(row) > 2:
                    self._checked("config/" + row[2], blocked=False)
        if summary is not None:
            rows = _csv(summary.decode("utf-8", "replace"))
            if not rows or len(rows[0]) < 3 or not TS_PATTERN.match(rows[0][2]):
                self.problems.append("%s does not hold a backup time and timestamp" % TAE_SUM)
            else:
                self.local_time, self.data_bytes, self.backup_ts = rows[0][0], int(rows[0][1]), rows[0][2]
                self.backup_type = (rows[0][3] if len(rows[0]) > 3 else "") or "full"
        if listing is not None:
            for row in _csv(listing.decode("utf-8", "replace")):
                if len(row) < 5:
                    self.problems.append("%s has a malformed line: %s" % (TAE_LIST, ",".join(row)))
                    continue
                self.entries.append((row[0], int(row[1]), row[2], row[3] == "true", row[4]))
        self.complete = not self.problems and self.backup_ts is not None
        return self

    @property
    def stored_bytes(self):
        return sum(self.files.values())

    @property
    def time(self):
        return ts_time(self.backup_ts)

    # -- verifying ----------------------------------------------------------------------------------------------
    def verify(self, level="checksums"):
        """Check every file the backup holds: present (metadata), its SHA-256 or size (checksums), and every block
        CRC-32C on a local disk (blocks). Files without a recorded SHA-256 are always checked by size and CRC."""
        if not self.complete:
            return self
        before = len(self.problems)
        for name, size, sha, copied, _ts in self.entries:
            if not copied:
                continue
            path = "tae/" + name
            if path not in self.files:
                self.problems.append("%s is listed in tae_list but missing" % path)
                continue
            if level == "metadata":
                continue
            content = self._content(path, blocked=True, check_crc=(level == "blocks" or not sha))
            if content is None:
                continue
            if sha and hashlib.sha256(content).hexdigest() != sha:
                self.problems.append("%s does not match its SHA-256 in tae_list" % path)
            elif not sha and len(content) != size:
                self.problems.append("%s has %d bytes, tae_list says %d" % (path, len(content), size))
        if len(self.problems) == before:
            self.verified = level
        else:
            self.complete = False
        return self

    def summary(self):
        """The backup as modules return it."""
        when = self.time
        return {
            "location": self.location,
            "name": self.location.rstrip("/").rsplit("/", 1)[-1],
            "complete": self.complete,
            "type": self.backup_type,
            "backup_ts": self.backup_ts,
            "time": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if when else None,
            "epoch": when.timestamp() if when else None,
            "server_local_time": self.local_time,
            "mo_version": self.mo_version,
            "format_version": self.format_version,
            "data_bytes": self.data_bytes,
            "stored_bytes": self.stored_bytes,
            "files": len(self.files),
            "listed_files": len(self.entries),
            "copied_files": sum(1 for e in self.entries if e[3]),
            # every file its listing names is in it: it restores alone (an incremental on a young cluster copies all)
            "self_contained": self.complete and all(e[3] for e in self.entries),
            "depends_on": list(self.depends_on),
            "verified": self.verified,
            "problems": list(self.problems),
        }


def link_chains(backups):
    """For each incremental backup find the earlier backups that hold the files it did not copy (newest first);
    a file held by none is a problem: the chain is broken. Needs complete backups sorted in any order."""
    ordered = sorted((b for b in backups if b.complete), key=lambda b: ts_key(b.backup_ts))
    holders = {}  # file name -> backups holding a copy, oldest first
    for backup in ordered:
        if backup.backup_type == "incremental":
            needed = set()
            missing = []
            for name, _size, _sha, copied, _ts in backup.entries:
                if copied:
                    continue
                held = holders.get(name)
                if held:
                    needed.add(held[-1].location)
                else:
                    missing.append(name)
            backup.depends_on = [b.location for b in reversed(ordered) if b.location in needed]
            if missing:
                backup.problems.append("%d file(s) it did not copy are in no intact earlier backup here (first: tae/%s): "
                                       "its base is missing, damaged or elsewhere" % (len(missing), missing[0]))
                backup.complete = False
                backup.verified = None
        for name, _size, _sha, copied, _ts in backup.entries:
            if copied:
                holders.setdefault(name, []).append(backup)
    return backups


def ts_key(ts):
    m = TS_PATTERN.match(ts or "")
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def newest_first(backups):
    return sorted(backups, key=lambda b: ts_key(b.backup_ts), reverse=True)


def select_prune(backups, rules, older_than=None, exclude=(), zone=UTC):
    """Which complete backups to delete under _retention's rules ({rule: N}) and older_than, never an excluded one
    and never one a kept backup needs (transitively). Returns (delete, kept_as_base, {location: the rule that kept
    it}); kept_reasons() says why for every backup that remains."""
    by_location = dict((b.location, b) for b in backups)
    candidates = [b for b in backups if b.time is not None]  # a backup whose time cannot be read is never chosen
    drop, why = _retention.select([(b.location, b.time) for b in candidates], rules, older_than, zone)
    chosen = [by_location[location] for location in drop
              if location not in exclude and by_location[location].rel not in exclude]
    doomed = set(b.location for b in chosen)
    needed = set()
    pending = [b for b in backups if b.location not in doomed]
    while pending:
        backup = pending.pop()
        for location in backup.depends_on:
            if location not in needed:
                needed.add(location)
                if location in by_location:
                    pending.append(by_location[location])
    delete = [b for b in chosen if b.location not in needed]
    kept_as_base = [b for b in chosen if b.location in needed]
    return delete, kept_as_base, why


def kept_reasons(remaining, kept_as_base, why, exclude=()):
    """{name: why it remains} of the backups select_prune did not delete."""
    bases = set(b.location for b in kept_as_base)
    excluded = set(b.location for b in remaining if b.location in exclude or b.rel in exclude)
    return dict((b.rel, "base of a kept backup" if b.location in bases
                 else _retention.why_kept(b.location, why, excluded)) for b in remaining)


def problems_of(summaries):
    """'location: problem' for every problem of the backup summaries."""
    return ["%s: %s" % (s["location"], text) for s in summaries for text in s["problems"]]


def newest_complete(backups):
    """The newest complete backup, or None."""
    return next((backup for backup in newest_first(backups) if backup.complete), None)


def survey(store, level=None, names=None):
    """Read (and with a level, verify) the backups under a store, then link incremental chains."""
    backups = [Backup(store, name).read() for name in (store.children() if names is None else names)]
    if level:
        for backup in backups:
            backup.verify(level)
    return link_chains(backups)


def survey_one(store, name, level=None):
    """One backup with its chain: the backups beside it are read, but only it and the backups it needs are verified
    (not every backup in the directory). Returns the backups read, linked."""
    names = store.children()
    first = dict((b.rel, b) for b in survey(store, names=names))
    needed = set(first[name].depends_on) if name in first else set()
    backups = [Backup(store, rel).read() for rel in names]  # read again: linking marks what it links
    for backup in backups:
        if level and (backup.rel == name or backup.location in needed):
            backup.verify(level)
    return link_chains(backups)
