# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The two backup stores: a directory, and an S3 prefix (here against a fake client that answers as S3 does; the
integration target mo_backup runs them against moto's S3 server)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io

import pytest

from ansible_collections.matrixone.backup.plugins.module_utils import _backup_store, _errors

botocore_exceptions = pytest.importorskip("botocore.exceptions", reason="boto3 is in tests/unit/requirements.txt")


class FakeS3:
    """ListObjectsV2 pages, GetObject and DeleteObjects over a dict of keys."""

    def __init__(self, objects, page_size=2, delete_errors=None):
        self.objects = dict(objects)
        self.page_size = page_size
        self.deletes = []
        self.delete_errors = delete_errors

    def get_paginator(self, _name):
        store = self

        class Paginator:
            def paginate(self, Bucket, Prefix, Delimiter=None):  # pylint: disable=invalid-name,unused-argument
                keys = sorted(k for k in store.objects if k.startswith(Prefix))
                if Delimiter:
                    common = sorted(set(Prefix + k[len(Prefix):].split(Delimiter)[0] + Delimiter for k in keys
                                        if Delimiter in k[len(Prefix):]))
                    return [{"CommonPrefixes": [{"Prefix": p} for p in common]}]
                pages = [keys[i:i + store.page_size] for i in range(0, len(keys), store.page_size)] or [[]]
                return [{"Contents": [{"Key": k, "Size": len(store.objects[k])} for k in page]} for page in pages]
        return Paginator()

    def get_object(self, Bucket, Key):  # pylint: disable=invalid-name,unused-argument
        if Key not in self.objects:
            raise botocore_exceptions.ClientError({"Error": {"Code": "NoSuchKey"}}, "GetObject")
        return {"Body": io.BytesIO(self.objects[Key])}

    def delete_objects(self, Bucket, Delete):  # pylint: disable=invalid-name,unused-argument
        self.deletes.append([o["Key"] for o in Delete["Objects"]])
        if self.delete_errors:
            return {"Errors": self.delete_errors}
        for obj in Delete["Objects"]:
            self.objects.pop(obj["Key"], None)
        return {}


def s3_store(objects, root="mo/prod", **kwargs):
    store = _backup_store.S3Store.__new__(_backup_store.S3Store)
    store.bucket, store.root, store.client = "bk", root, FakeS3(objects, **kwargs)
    return store


OBJECTS = {"mo/prod/full1/mo_meta": b"meta", "mo/prod/full1/tae/a": b"12345", "mo/prod/full1/tae/b": b"1",
           "mo/prod/inc1/mo_meta": b"m2", "mo/other/x": b"no"}


def test_s3_lists_backups_files_across_pages_and_reads_them():
    store = s3_store(OBJECTS)
    assert store.children() == ["full1", "inc1"]
    assert store.list("full1") == {"mo_meta": 4, "tae/a": 5, "tae/b": 1}  # two pages of two keys
    assert store.read("full1", "tae/a") == b"12345" and store.read("full1", "nope") is None
    assert store.location("full1") == "s3://bk/mo/prod/full1" and not store.blocked


def test_s3_deletes_in_batches_and_a_refused_key_is_an_error(monkeypatch):
    monkeypatch.setattr(_backup_store, "S3_DELETE_BATCH", 2)
    store = s3_store(OBJECTS)
    store.remove("full1")
    assert store.client.deletes == [["mo/prod/full1/mo_meta", "mo/prod/full1/tae/a"], ["mo/prod/full1/tae/b"]]
    assert sorted(store.client.objects) == ["mo/other/x", "mo/prod/inc1/mo_meta"]
    refused = s3_store(OBJECTS, delete_errors=[{"Key": "mo/prod/inc1/mo_meta", "Code": "AccessDenied"}])
    with pytest.raises(_errors.StoreError, match=r"S3 delete under s3://bk/mo/prod/inc1 failed for 1 key\(s\)"):
        refused.remove("inc1")


def test_s3_errors_name_the_operation_and_the_location():
    store = s3_store(OBJECTS)

    def broken(**_kwargs):
        raise botocore_exceptions.EndpointConnectionError(endpoint_url="https://s3.example")
    store.client.get_paginator = lambda _name: type("P", (), {"paginate": staticmethod(broken)})()
    with pytest.raises(_errors.StoreError, match="S3 list on s3://bk/mo/prod failed: Could not connect"):
        store.children()


def test_a_directory_store_lists_reads_and_removes(tmp_path):
    (tmp_path / "full1" / "tae").mkdir(parents=True)
    (tmp_path / "full1" / "tae" / "a").write_bytes(b"123")
    (tmp_path / "stray-file").write_bytes(b"x")
    store = _backup_store.LocalStore(str(tmp_path))
    assert store.children() == ["full1"] and store.list("full1") == {"tae/a": 3} and store.blocked
    assert store.read("full1", "tae/a") == b"123" and store.read("full1", "missing") is None
    store.remove("full1")
    assert store.children() == []
    assert _backup_store.LocalStore(str(tmp_path / "nowhere")).children() == []
