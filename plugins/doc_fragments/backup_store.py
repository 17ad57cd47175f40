# -*- coding: utf-8 -*-
# Copyright (c) matrixone.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  s3:
    description:
      - Keep the backups in an S3 bucket (AWS, MinIO or any S3-compatible server) instead of a directory; O(path) is
        then the key prefix inside the bucket.
      - The host running the module reads the bucket with boto3; MatrixOne writes to it itself, so both must reach
        O(s3.endpoint).
    type: dict
    suboptions:
      endpoint:
        description: The S3 endpoint URL, for example V(https://s3.us-east-1.amazonaws.com) or V(http://minio:9000).
        type: str
        required: true
      bucket:
        description: The bucket name.
        type: str
        required: true
      region:
        description: The bucket's region.
        type: str
        default: us-east-1
      access_key_id:
        description:
          - Access key. Never logged, masked in C(queries) and messages.
          - Taken from E(AWS_ACCESS_KEY_ID) when not set.
        type: str
      secret_access_key:
        description:
          - Secret key. Never logged, masked in C(queries) and messages.
          - Taken from E(AWS_SECRET_ACCESS_KEY) when not set.
        type: str
      is_minio:
        description: Tell MatrixOne the server is MinIO (it then uses its MinIO client).
        type: bool
        default: false
      validate_certs:
        description: Verify the endpoint's TLS certificate when the module reads the bucket.
        type: bool
        default: true
      ca_bundle:
        description: CA bundle file for verifying the endpoint's certificate when the module reads the bucket.
        type: path
'''
