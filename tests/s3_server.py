"""A throwaway S3-compatible server for the photo store's tests: moto's standalone server,
speaking the S3 HTTP API on a free port of 127.0.0.1 (boto3 talks to it as to a real bucket)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

BUCKET = "gridreach-test-photos"
# moto accepts any credentials; these only have to be present.
KEYS = {"PHOTO_S3_ACCESS_KEY": "test-access", "PHOTO_S3_SECRET_KEY": "test-secret"}


@dataclass
class S3Server:
    endpoint_url: str
    stop: callable

    def settings(self, bucket: str) -> dict:
        return {
            "PHOTO_STORAGE": "s3",
            "PHOTO_S3_BUCKET": bucket,
            "PHOTO_S3_ENDPOINT_URL": self.endpoint_url,
            "PHOTO_S3_REGION": "us-east-1",
            **KEYS,
        }

    def new_bucket(self) -> str:
        """A fresh, empty bucket (one per test)."""
        import boto3

        name = f"{BUCKET}-{uuid.uuid4().hex[:8]}"
        client = boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id=KEYS["PHOTO_S3_ACCESS_KEY"],
            aws_secret_access_key=KEYS["PHOTO_S3_SECRET_KEY"],
        )
        client.create_bucket(Bucket=name)
        return name


def start_s3_server() -> S3Server:
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:  # pragma: no cover - the dev requirements install it
        pytest.skip("moto is not installed (pip install -r requirements-dev.txt)")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return S3Server(f"http://{host}:{port}", server.stop)
