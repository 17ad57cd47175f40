"""BACKUP '0' FILESYSTEM 'dir' PARALLELISM 'n' [TYPE 't'] [TIMESTAMP 'ts'] and BACKUP '0' S3OPTION {...}.

Writes the layout real MatrixOne v3.0.18 and v4.1.4 write (recorded: tests/fixtures/recorded/backup-v*.json):
mo_meta (+ .sha256, plain), config/<file>_<uuid> (+ .sha256, plain), hakeeper/hk_data and everything under tae/
(on a local disk in 2048-byte blocks, each a little-endian CRC-32C and up to 2044 content bytes; on S3 plain),
tae/tae_list (name,size,sha256,copied,ts), tae/tae_sum (local time,total size,backup ts,type).
The data objects are a dump of each account and of the catalog, named by their content, so that an object stays
the same until its account changes and an incremental backup copies only the objects first seen after its base.
"""

import csv
import datetime
import hashlib
import io
import os
import struct
import uuid
from zoneinfo import ZoneInfo

from . import errors
from .common import NO_PRIVILEGE, Statements, now_ns, result, statement
from .errors import internal
from .lexer import Parser

FORMAT_VERSION = "0823"
BLOCK = 2048
LAUNCH_FILES = (("launch", "launch.toml"), ("log", "log.toml"), ("dn", "tn.toml"), ("cn", "cn.toml"))


def _crc32c(data):
    """CRC-32C bit by bit (independent of the collection's table-driven one; test data is small)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _bit in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


def blocked(content):
    step = BLOCK - 4
    return b"".join(struct.pack("<I", _crc32c(content[i:i + step])) + content[i:i + step]
                    for i in range(0, len(content), step))


def _csv(rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


class LocalTarget:
    """A directory of this host, as MatrixOne's local backup file service writes it."""

    def __init__(self, directory):
        self.directory = directory

    def prepare(self):
        try:
            os.makedirs(self.directory, exist_ok=True)
        except OSError as exc:
            raise errors.MoError(errors.UNKNOWN, "mkdir %s: %s" % (self.directory, exc.strerror.lower()))

    def write(self, path, content, blocks):
        full = os.path.join(self.directory, path)
        if os.path.exists(full):
            raise errors.MoError(20406, "file %s already exists" % path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as handle:
            handle.write(blocked(content) if blocks else content)


class S3Target:
    """A key prefix of an S3 bucket; MatrixOne writes plain objects there."""

    def __init__(self, options):
        import boto3  # pylint: disable=import-outside-toplevel
        from botocore.config import Config  # pylint: disable=import-outside-toplevel
        self.bucket = options.get("bucket", "")
        self.prefix = options.get("filepath", "").strip("/")
        self.client = boto3.client("s3", endpoint_url=options.get("endpoint"), region_name=options.get("region"),
                                   aws_access_key_id=options.get("access_key_id"),
                                   aws_secret_access_key=options.get("secret_access_key"),
                                   config=Config(s3={"addressing_style": "path"}))

    def prepare(self):
        pass

    def write(self, path, content, blocks):  # pylint: disable=unused-argument
        from botocore.exceptions import BotoCoreError, ClientError  # pylint: disable=import-outside-toplevel
        key = "%s/%s" % (self.prefix, path) if self.prefix else path
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=content)
        except (BotoCoreError, ClientError) as exc:
            raise errors.MoError(errors.UNKNOWN, str(exc))


class BackupStatements(Statements):
    """BACKUP ... TO (a directory or S3): the cluster written as MatrixOne lays a physical backup out."""

    @statement("BACKUP", own_txn=True)
    def backup(self, sql):
        p = Parser.after(sql, "BACKUP")
        p.string()
        if p.accept("FILESYSTEM"):
            directory = p.string()
            p.expect("PARALLELISM")
            parallelism = p.string()
            options = None
        else:
            p.expect("S3OPTION")
            p.expect_punct("{")
            options = {}
            while True:
                key = p.string()
                p.expect_punct("=")
                options[key.lower()] = p.string()
                if not p.accept_punct(","):
                    break
            p.expect_punct("}")
            parallelism = options.get("parallelism", "0")
        backup_type = backup_ts = ""
        if p.accept("TYPE"):
            backup_type = p.string()
        if p.accept("TIMESTAMP"):
            backup_ts = p.string()
        p.end()
        if not self.session.is_sys:
            raise internal(NO_PRIVILEGE)
        if options is None:
            if not parallelism.isdigit() or int(parallelism) > 65535:
                raise errors.MoError(errors.UNKNOWN, 'strconv.ParseUint: parsing "%s": invalid syntax' % parallelism)
            target = LocalTarget(directory)
        else:
            if self.cluster.aws_ca_bundle:  # real v3.0.18 and v4.1.4 started with AWS_CA_BUNDLE (its AWS SDK's config)
                raise errors.MoError(errors.UNKNOWN, "unable to add custom RootCAs HTTPClient, has no "
                                                     "WithTransportOptions, *http.Client")
            target = S3Target(options)
        target.prepare()
        base = None
        if backup_ts:
            parts = backup_ts.split("-")
            if len(parts) != 2 or not all(x.isdigit() for x in parts):
                raise errors.MoError(errors.UNKNOWN, "internal error: panic format of ts must be physical-logical: ")
            base = (int(parts[0]), int(parts[1]))
        self.cluster.write_backup(target, backup_type, base, self.session.fault == "fail_midway")
        return result([], [])


def _table_dumps(owner, conn):
    """One object per SQLite table (its definition and rows), so a change touches only its table's object."""
    dumps = []
    for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        rows = conn.execute('SELECT * FROM "%s"' % name.replace('"', '""')).fetchall()
        dumps.append(repr((owner, sql, sorted(rows, key=repr))).encode())
    return dumps


def _object_name(digest, created):
    """A uuid-shaped name unique to the content and the backup that first saw it, with MatrixOne's _00000 suffix."""
    unique = hashlib.sha256(("%s %d-%d" % ((digest,) + created)).encode()).hexdigest()
    return "%s-%s-%s-%s-%s_00000" % (unique[:8], unique[8:12], unique[12:16], unique[16:20], unique[20:32])


class BackupWriter:
    """Mixin for storage.Cluster: the objects it has shown so far (content name -> first-seen ts) and the writer."""

    def backup_objects(self, ts):
        """The current data objects: (name, content, ts). An object is new (ts of this backup) unless the previous
        backup saw the same content; content that went away and came back is a new object, as on MatrixOne, where
        every write makes a new object."""
        previous = getattr(self, "_backup_seen", {})
        dumps = _table_dumps("catalog", self.catalog)
        for (account_id,) in self.catalog.execute("SELECT id FROM accounts ORDER BY id").fetchall():
            dumps += _table_dumps("account %d" % account_id, self.account_conn(account_id))
        current = {}
        for content in dumps:
            digest = hashlib.sha256(content).hexdigest()
            created = previous.get(digest, (None, ts))[1]
            current[digest] = (_object_name(digest, created), created, content)
        self._backup_seen = current  # pylint: disable=attribute-defined-outside-init
        return [(name, content, created) for name, created, content in current.values()]

    def write_backup(self, target, backup_type, base, fail_midway=False):
        ts = (now_ns(), 1)
        ts_text = "%d-%d" % ts
        metas = [["version", FORMAT_VERSION, ""],
                 ["buildinfo", "GoVersion: go version go1.26.8 linux/amd64|BranchName: HEAD|CommitID: test-server|"
                  "BuildTime: 0|Version: v%s" % self.version.text, ""]]
        for kind, file_name in LAUNCH_FILES:  # config first, as MatrixOne does (unique names never collide)
            stored = "%s_%s" % (file_name, uuid.uuid4())
            content = ('[%s]\nservice-type = "%s"\n' % (kind, kind.upper())).encode()
            target.write("config/" + stored, content, False)
            target.write("config/" + stored + ".sha256", hashlib.sha256(content).digest(), False)
            metas.append(["launchconfig", kind, stored])
        if fail_midway:  # test-only fault: the config files are written, the rest is not
            raise errors.MoError(errors.UNKNOWN, "write /backup/tae: no space left on device")
        listing, total = [], 0
        for name, content, first_seen in self.backup_objects(ts):
            copy = base is None or first_seen > base
            sha = hashlib.sha256(content).hexdigest()
            if copy:
                target.write("tae/" + name, content, True)
            listing.append([name, str(len(content)), sha, "true" if copy else "false", ts_text])
            total += len(content)
        gc_name = "gc/acct_%d-%d_%s.acct" % ((base or (0, 0)) + (ts_text,))
        gc_content = ("gc %s\n" % ts_text).encode()
        target.write("tae/" + gc_name, gc_content, True)
        listing.append([gc_name, str(len(gc_content)), hashlib.sha256(gc_content).hexdigest(), "true", ts_text])
        total += len(gc_content)
        checkpoint = ("checkpoint %s\n" % ts_text).encode()  # MatrixOne recorded no SHA-256 for some of these
        checkpoint_name = "ckp/meta_%d-%d_%s.ckp" % ((base or (0, 0)) + (ts_text,))
        target.write("tae/" + checkpoint_name, checkpoint, True)
        listing.append([checkpoint_name, str(len(checkpoint)), "", "true", ts_text])
        total += len(checkpoint)
        self._write_checked(target, "tae/tae_list", _csv(listing), True)
        local = datetime.datetime.fromtimestamp(ts[0] / 1e9, ZoneInfo(self.timezone)).strftime("%Y-%m-%d %H:%M:%S")
        self._write_checked(target, "tae/tae_sum", _csv([[local, str(total), ts_text, backup_type]]), True)
        self._write_checked(target, "hakeeper/hk_data", ("hakeeper %s\n" % ts_text).encode(), True)
        self._write_checked(target, "mo_meta", _csv(metas), False)  # last: its presence marks a finished backup

    @staticmethod
    def _write_checked(target, path, content, blocks):
        target.write(path, content, blocks)
        target.write(path + ".sha256", hashlib.sha256(content).digest(), blocks)
