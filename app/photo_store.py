"""Where photo files live, behind one small interface: a folder on disk (the default) or an
S3-compatible bucket (MinIO, Ceph, the clouds' object stores), chosen by settings.

PHOTO_STORAGE = "disk" (PHOTO_DIR, default instance/photos) or "s3" (PHOTO_S3_BUCKET,
PHOTO_S3_ENDPOINT_URL, PHOTO_S3_REGION, PHOTO_S3_ACCESS_KEY, PHOTO_S3_SECRET_KEY). The only
module that imports boto3."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from flask import current_app

# Keys are made by us (random hex, a slash or two); anything else is refused before it reaches
# a path or a URL.
_KEY = re.compile(r"^[0-9a-z]{2}/[0-9a-z]{8,64}\.[a-z]{3,4}$")


class MissingPhoto(LookupError):
    """The store has no object under this key."""


class PhotoStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...  # no error when the key is already gone
    def keys_before(self, moment: datetime) -> Iterator[str]: ...  # last written before `moment`


def _checked(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(f"not a photo key: {key!r}")
    return key


class DiskStore:
    """One file per photo under `root`; written to a temporary name and renamed, so a reader
    never sees half a file."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise MissingPhoto(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys_before(self, moment: datetime) -> Iterator[str]:
        """The keys of files last written before `moment`; half-written temporaries that old (a
        process killed mid-write) are removed on the way, nobody can be writing them any more."""
        if not self.root.is_dir():
            return
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir()):
            for path in sorted(folder.iterdir()):
                try:
                    written = datetime.fromtimestamp(path.stat().st_mtime, UTC)
                except FileNotFoundError:
                    continue  # deleted meanwhile
                if written >= moment:
                    continue
                key = f"{folder.name}/{path.name}"
                if _KEY.match(key):
                    yield key
                elif path.name.startswith(".upload-"):
                    path.unlink(missing_ok=True)


class S3Store:
    """One object per photo in a bucket of an S3-compatible service."""

    def __init__(
        self,
        bucket: str,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
    ):
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region or "us-east-1",
            aws_access_key_id=access_key or None,
            aws_secret_access_key=secret_key or None,
            # Path-style addressing is what MinIO and most self-hosted stores speak.
            config=Config(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
            ),
        )
        from botocore.exceptions import ClientError

        self._client_error = ClientError

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=_checked(key), Body=data, ContentType=content_type
        )

    def get(self, key: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=_checked(key))
        except self._client_error as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise MissingPhoto(key) from None
            raise
        return answer["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=_checked(key))

    def keys_before(self, moment: datetime) -> Iterator[str]:
        """The keys of our making whose objects were last written before `moment`, page by page."""
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for item in page.get("Contents", []):
                if item["LastModified"] < moment and _KEY.match(item["Key"]):
                    yield item["Key"]


def store_from_config(config) -> PhotoStore:
    """The store the settings name."""
    kind = (config.get("PHOTO_STORAGE") or "disk").lower()
    if kind == "s3":
        return S3Store(
            config["PHOTO_S3_BUCKET"],
            config.get("PHOTO_S3_ENDPOINT_URL"),
            config.get("PHOTO_S3_REGION"),
            config.get("PHOTO_S3_ACCESS_KEY"),
            config.get("PHOTO_S3_SECRET_KEY"),
        )
    if kind == "disk":
        return DiskStore(config.get("PHOTO_DIR") or Path(current_app.instance_path) / "photos")
    raise ValueError(f"PHOTO_STORAGE must be disk or s3, not {kind!r}")


def photo_store() -> PhotoStore:
    """The current app's store, made on first use."""
    extensions = current_app.extensions
    if extensions.get("photo_store") is None:
        extensions["photo_store"] = store_from_config(current_app.config)
    return extensions["photo_store"]
