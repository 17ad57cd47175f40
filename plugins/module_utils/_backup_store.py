# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where physical backups live: a directory on the host running the module, or an S3 bucket (boto3).

The options `path` and `s3` are shared by mo_backup, mo_backup_info and mo_backup_prune (argspec below); a store
is rooted at the directory or key prefix that holds backups, and each backup is one entry (`rel`) under it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import posixpath
import shutil
import traceback

from ansible_collections.matrixone.backup.plugins.module_utils import _errors
from ansible_collections.matrixone.backup.plugins.module_utils._connection import env_fallback_nonblank

try:
    import boto3
    from botocore.config import Config as BotoConfig
    from botocore.exceptions import BotoCoreError, ClientError
    HAS_BOTO3 = True
    BOTO3_IMPORT_ERROR = None
except ImportError:
    HAS_BOTO3 = False
    BOTO3_IMPORT_ERROR = traceback.format_exc()

    class BotoCoreError(Exception):
        """Stand-in so that the except clauses parse without boto3 (an S3 store cannot be opened then)."""

    class ClientError(Exception):
        """Stand-in, as above."""

S3_DELETE_BATCH = 1000  # the most keys one DeleteObjects request takes


def argspec():
    return dict(
        path=dict(type="str", required=True),
        s3=dict(type="dict", options=dict(
            endpoint=dict(type="str", required=True),
            bucket=dict(type="str", required=True),
            region=dict(type="str", default="us-east-1"),
            access_key_id=dict(type="str", no_log=True, fallback=(env_fallback_nonblank, ["AWS_ACCESS_KEY_ID"])),
            secret_access_key=dict(type="str", no_log=True,
                                   fallback=(env_fallback_nonblank, ["AWS_SECRET_ACCESS_KEY"])),
            is_minio=dict(type="bool", default=False),
            validate_certs=dict(type="bool", default=True),
            ca_bundle=dict(type="path"),
        )),
    )


def validate_path(params, param="path"):
    """A filesystem path must be absolute (MatrixOne resolves a relative one against its own working directory);
    an S3 path is a key prefix without a leading slash."""
    value = params[param]
    if not value or not value.strip("/"):
        raise _errors.InvalidInput("%s must name a directory or key prefix below the root, got %r" % (param, value))
    if any(ch in value for ch in ("\0", "\n", "\r")):
        raise _errors.InvalidInput("%s must not contain control characters" % param)
    if params.get("s3") is None:
        if not os.path.isabs(value):
            raise _errors.InvalidInput("%s=%r must be absolute: MatrixOne would resolve a relative path against its own "
                                       "working directory" % (param, value))
        return os.path.normpath(value)
    if value.startswith("/") or ".." in value.split("/"):
        raise _errors.InvalidInput("%s=%r: with s3 give the key prefix inside the bucket, without a leading '/' "
                                   "or '..'" % (param, value))
    return value.strip("/")


def split(path, s3):
    """(root, name): the directory or prefix holding the backup, and the backup's own entry."""
    if s3 is None:
        return os.path.dirname(path), os.path.basename(path)
    root, _sep, name = path.rpartition("/")
    return root, name


def open_store(module, root, s3):
    """A store rooted at root (a directory, or a key prefix of the s3 bucket)."""
    if s3 is None:
        return LocalStore(root)
    if not HAS_BOTO3:
        from ansible.module_utils.basic import missing_required_lib  # pylint: disable=import-outside-toplevel
        module.fail_json(msg=missing_required_lib("boto3 (for backups on S3)"), exception=BOTO3_IMPORT_ERROR)
    return S3Store(s3, root)


class LocalStore:
    """Backups under a directory of the host running the module (MatrixOne's host, or a mount of the same path)."""

    blocked = True  # MatrixOne's local file service stores tae/ and hakeeper/ files in checksummed blocks

    def __init__(self, root):
        self.root = root

    def location(self, rel=""):
        return os.path.join(self.root, rel) if rel else self.root

    def exists(self):
        return os.path.isdir(self.root)

    def children(self):
        try:
            return sorted(e for e in os.listdir(self.root) if os.path.isdir(os.path.join(self.root, e)))
        except OSError as exc:
            if not os.path.exists(self.root):
                return []
            raise _errors.StoreError("cannot list %s: %s" % (self.root, exc))

    def list(self, rel):
        top = self.location(rel)
        files = {}
        for folder, _dirs, names in os.walk(top):
            for name in names:
                full = os.path.join(folder, name)
                try:
                    files[os.path.relpath(full, top).replace(os.sep, "/")] = os.path.getsize(full)
                except OSError:
                    continue
        return files

    def read(self, rel, path):
        try:
            with open(os.path.join(self.location(rel), path), "rb") as handle:
                return handle.read()
        except IOError as exc:
            if not os.path.exists(os.path.join(self.location(rel), path)):
                return None
            raise _errors.StoreError("cannot read %s: %s" % (os.path.join(self.location(rel), path), exc))

    def remove(self, rel):
        try:
            shutil.rmtree(self.location(rel))
        except OSError as exc:
            raise _errors.StoreError("cannot delete %s: %s" % (self.location(rel), exc))


class S3Store:
    """Backups under a key prefix of an S3 bucket (AWS, MinIO or any S3-compatible server)."""

    blocked = False  # on S3 MatrixOne writes plain content

    def __init__(self, s3, root):
        endpoint = s3["endpoint"] if "://" in s3["endpoint"] else "https://" + s3["endpoint"]
        self.bucket = s3["bucket"]
        self.root = root
        self.client = boto3.client(
            "s3", endpoint_url=endpoint, region_name=s3["region"],
            aws_access_key_id=s3.get("access_key_id"), aws_secret_access_key=s3.get("secret_access_key"),
            verify=(s3.get("ca_bundle") or True) if s3.get("validate_certs", True) else False,
            config=BotoConfig(s3={"addressing_style": "path"}, retries={"max_attempts": 5}))

    def _key(self, rel, path=""):
        return "/".join(p for p in (self.root, rel, path) if p)

    def location(self, rel=""):
        return "s3://%s/%s" % (self.bucket, self._key(rel))

    def _call(self, what, fn, **kwargs):
        try:
            return fn(**kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise _errors.StoreError("S3 %s on %s failed: %s" % (what, self.location(), exc))

    def exists(self):
        return True

    def _pages(self, prefix, **kwargs):
        """Every page of ListObjectsV2 under prefix."""
        paginator = self.client.get_paginator("list_objects_v2")
        return self._call("list", lambda **kw: list(paginator.paginate(**kw)), Bucket=self.bucket, Prefix=prefix,
                          **kwargs)

    def children(self):
        prefix = self._key("") + "/" if self.root else ""
        return sorted(common["Prefix"][len(prefix):].rstrip("/")
                      for page in self._pages(prefix, Delimiter="/") for common in page.get("CommonPrefixes", []))

    def list(self, rel):
        prefix = self._key(rel) + "/"
        return dict((obj["Key"][len(prefix):], obj["Size"])
                    for page in self._pages(prefix) for obj in page.get("Contents", []))

    def read(self, rel, path):
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(rel, path))["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise _errors.StoreError("S3 read of %s failed: %s" % (self.location(posixpath.join(rel, path)), exc))
        except BotoCoreError as exc:
            raise _errors.StoreError("S3 read of %s failed: %s" % (self.location(posixpath.join(rel, path)), exc))

    def remove(self, rel):
        keys = sorted(self.list(rel))
        prefix = self._key(rel) + "/"
        for start in range(0, len(keys), S3_DELETE_BATCH):
            batch = [{"Key": prefix + k} for k in keys[start:start + S3_DELETE_BATCH]]
            answer = self._call("delete", self.client.delete_objects, Bucket=self.bucket,
                                Delete={"Objects": batch, "Quiet": True})
            if answer.get("Errors"):
                raise _errors.StoreError("S3 delete under %s failed for %d key(s), first: %s"
                                         % (self.location(rel), len(answer["Errors"]), answer["Errors"][0]))
