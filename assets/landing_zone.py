"""The landing zone: a local folder or an ``s3://bucket/prefix``, listed per source.

Files stay where they land; the registry in ``raw._landing_files`` remembers what was loaded.
A file that cannot be loaded at all moves to ``_rejected/<its path>`` with ``<name>.error.txt``
beside it, so the landing folder only ever holds what is loaded or still to load.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path
from typing import BinaryIO, Protocol

from models.landing import LandingSource

REJECTED_FOLDER = "_rejected"


@dataclass(frozen=True)
class LandingFile:
    """A file as listed: ``path`` is relative to the landing root, ``etag`` set on S3 only."""

    path: str
    size: int
    modified_at: datetime
    etag: str | None = None


class LandingZone(Protocol):
    location: str

    def list_files(self, source: LandingSource) -> list[LandingFile]: ...

    def open(self, file: LandingFile) -> BinaryIO: ...

    def checksum(self, file: LandingFile) -> str: ...

    def quarantine(self, file: LandingFile, error: str) -> str: ...


class FolderLandingZone:
    def __init__(self, root: Path):
        self.root = root.resolve()
        self.location = str(self.root)

    def list_files(self, source: LandingSource) -> list[LandingFile]:
        folder = self.root / source.folder
        if not folder.is_dir():
            return []
        files = []
        for path in sorted(folder.iterdir()):
            if path.is_file() and fnmatch(path.name, source.pattern):
                stat = path.stat()
                modified = datetime.fromtimestamp(stat.st_mtime, UTC)
                files.append(LandingFile(str(path.relative_to(self.root)), stat.st_size, modified))
        return files

    def open(self, file: LandingFile) -> BinaryIO:
        return (self.root / file.path).open("rb")

    def checksum(self, file: LandingFile) -> str:
        digest = hashlib.sha256()
        with self.open(file) as stream:
            while block := stream.read(1 << 20):
                digest.update(block)
        return "sha256:" + digest.hexdigest()

    def quarantine(self, file: LandingFile, error: str) -> str:
        target = self.root / REJECTED_FOLDER / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(self.root / file.path, target)
        target.with_name(target.name + ".error.txt").write_text(error + "\n", encoding="utf-8")
        return str(target)


class S3LandingZone:
    """``s3://bucket/prefix``; boto3 finds its endpoint and credentials in the environment."""

    def __init__(self, url: str, client=None):
        without_scheme = url.removeprefix("s3://")
        self.bucket, _, prefix = without_scheme.partition("/")
        self.prefix = prefix.strip("/")
        self.location = url
        if client is None:
            import boto3

            client = boto3.client("s3")
        self.client = client

    def _key(self, relative: str) -> str:
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def list_files(self, source: LandingSource) -> list[LandingFile]:
        folder = self._key(source.folder) + "/"
        files = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=folder, Delimiter="/"):
            for item in page.get("Contents", []):
                name = item["Key"][len(folder) :]
                if fnmatch(name, source.pattern):
                    relative = f"{source.folder}/{name}"
                    etag = "etag:" + item["ETag"].strip('"')
                    files.append(LandingFile(relative, item["Size"], item["LastModified"], etag))
        return sorted(files, key=lambda f: f.path)

    def open(self, file: LandingFile) -> BinaryIO:
        return self.client.get_object(Bucket=self.bucket, Key=self._key(file.path))["Body"]

    def checksum(self, file: LandingFile) -> str:
        assert file.etag is not None, "S3 listings always carry an ETag"
        return file.etag

    def quarantine(self, file: LandingFile, error: str) -> str:
        source_key = self._key(file.path)
        target_key = self._key(f"{REJECTED_FOLDER}/{file.path}")
        self.client.copy_object(
            Bucket=self.bucket,
            Key=target_key,
            CopySource={"Bucket": self.bucket, "Key": source_key},
        )
        self.client.put_object(
            Bucket=self.bucket, Key=target_key + ".error.txt", Body=(error + "\n").encode()
        )
        self.client.delete_object(Bucket=self.bucket, Key=source_key)
        return f"s3://{self.bucket}/{target_key}"


def landing_zone_at(location: str) -> LandingZone:
    if location.startswith("s3://"):
        return S3LandingZone(location)
    return FolderLandingZone(Path(location))


@contextmanager
def opened(zone: LandingZone, file: LandingFile) -> Iterator[BinaryIO]:
    stream = zone.open(file)
    try:
        yield stream
    finally:
        stream.close()
