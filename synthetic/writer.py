"""Streaming file sinks: rows go straight to disk, a new numbered file every ``max_rows`` rows.

Ingestion streams file by file, so no landing file is ever larger than ``max_rows`` data rows.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

DEFAULT_MAX_ROWS = 200_000
_BUFFER = 1 << 20


class RollingSink:
    """Numbered files ``<stem>_0001.<suffix>``, ``<stem>_0002.<suffix>``… under one folder."""

    def __init__(
        self, root: Path, folder: str, stem: str, suffix: str, max_rows: int, files: list[str]
    ) -> None:
        self.root, self.folder, self.stem, self.suffix = root, folder, stem, suffix
        self.max_rows = max_rows
        self.files = files  # shared, in the order the files were opened
        self.rows = 0  # data rows written, all files together
        self.file_number = 0
        self._in_file = 0
        self._handle: IO[str] | None = None

    @property
    def current_file(self) -> str:
        return f"{self.folder}/{self.stem}_{self.file_number:04d}.{self.suffix}"

    def _roll(self) -> IO[str]:
        self.close()
        self.file_number += 1
        self._in_file = 0
        self.files.append(self.current_file)
        handle = open_text(self.root / self.current_file)
        self._handle = handle
        self._opened(handle)
        return handle

    def _opened(self, handle: IO[str]) -> None:
        """Hook for a header."""

    def _slot(self) -> IO[str]:
        """The file the next row goes to, rolling over when the current one is full."""
        handle = self._handle
        if handle is None or self._in_file >= self.max_rows:
            handle = self._roll()
        self._in_file += 1
        self.rows += 1
        return handle

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class CsvSink(RollingSink):
    def __init__(
        self,
        root: Path,
        folder: str,
        stem: str,
        header: Iterable[str],
        max_rows: int,
        files: list[str],
    ) -> None:
        super().__init__(root, folder, stem, "csv", max_rows, files)
        self.header = list(header)
        self._writer: Any = None

    def _opened(self, handle: IO[str]) -> None:
        self._writer = csv.writer(handle, lineterminator="\n")
        self._writer.writerow(self.header)

    def write(self, row: list[str]) -> None:
        self._slot()
        self._writer.writerow(row)


class JsonlSink(RollingSink):
    """JSON lines, written as text the caller has already assembled."""

    def __init__(self, root: Path, folder: str, stem: str, max_rows: int, files: list[str]) -> None:
        super().__init__(root, folder, stem, "jsonl", max_rows, files)

    def write_line(self, line: str) -> None:
        self._slot().write(line + "\n")


def open_text(path: Path) -> IO[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("w", encoding="utf-8", newline="", buffering=_BUFFER)
