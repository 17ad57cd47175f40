"""Flip one byte of the first data file (tae/*_00000, by name) of a backup; run again to undo. The backup is a
directory or s3://bucket/prefix (endpoint and keys from S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
Prints the file's path inside the backup. Test helper, not part of the collection."""
import os
import sys

OFFSET = 100  # inside the content, past a local block's 4-byte CRC-32C


def flip(data):
    data = bytearray(data)
    data[OFFSET % len(data)] ^= 0x01
    return bytes(data)


def main(location):
    if location.startswith("s3://"):
        import boto3
        bucket, prefix = location[5:].split("/", 1)
        client = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"], region_name="us-east-1")
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/tae/")
        keys = sorted(o["Key"] for page in pages for o in page.get("Contents", []) if o["Key"].endswith("_00000"))
        key = keys[0]
        body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
        client.put_object(Bucket=bucket, Key=key, Body=flip(body))
        print(key[len(prefix) + 1:])
        return
    tae = os.path.join(location, "tae")
    name = sorted(n for n in os.listdir(tae) if n.endswith("_00000"))[0]
    with open(os.path.join(tae, name), "r+b") as handle:
        body = handle.read()
        handle.seek(0)
        handle.write(flip(body))
    print("tae/" + name)


if __name__ == "__main__":
    main(sys.argv[1])
