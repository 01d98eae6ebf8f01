"""All-or-nothing spreadsheet imports: read CSV or XLSX rows under known headers, report bad rows.

An import reads every row first, collecting one error per bad row; only a file with no
error is written. Imports of households, warnings and cases share this reader and report:

    report = ImportReport()
    for number, values in read_rows(data, COLUMNS, report):
        ...check values, report.error(number, "...") or keep the row...
    if report.ok: report.created = bulk_insert(Model.__table__, rows)
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import JSON, Table
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.i18n import N_
from app.services import rollup_cache
from app.services.storable import check_rows

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
DELIMITERS = (",", "\t", ";")
PROGRESS_EVERY = 1000


RowMessage = tuple[str, dict]
ECHO_MAX = 80


def _shorten(value: object) -> object:
    if isinstance(value, str) and len(value) > ECHO_MAX:
        return value[: ECHO_MAX - 1] + "…"
    return value


def row_message(text: str, **params: object) -> RowMessage:
    """A problem with a row: an English msgid and its parameters, translated when answered."""
    return text, params


@dataclass
class ImportReport:
    """What an import did: rows created, and the bad rows with their spreadsheet row numbers.

    A message is an English msgid with %(name)s parameters, translated when the report is
    answered (`as_dict`), so a report kept by a background job reads in its reader's language.
    Only the first `max_errors` errors by row are kept; `error_count` counts them all.
    """

    created: int = 0
    updated: int | None = None  # only imports that may update existing rows (people) count these
    error_count: int = 0
    max_errors: int = 1000
    _entries: list[tuple[int, str, dict]] = field(default_factory=list)

    def error(self, row: int, message: str | RowMessage, **params: object) -> None:
        if isinstance(message, tuple):
            message, params = message
        # A cell is echoed in its message: a long one is cut, so 1,000 errors stay a small answer.
        params = {key: _shorten(value) for key, value in params.items()}
        self.error_count += 1
        self._entries.append((row, message, params))
        if len(self._entries) > 2 * self.max_errors:
            self._trim()

    def _trim(self) -> None:
        self._entries.sort(key=lambda entry: entry[0])  # stable: a row's messages keep their order
        del self._entries[self.max_errors :]

    @property
    def ok(self) -> bool:
        return not self.error_count

    def _rendered(self, translate) -> list[dict]:
        self._trim()
        return [
            {"row": row, "message": translate(message, **params)}
            for row, message, params in self._entries
        ]

    @property
    def errors(self) -> list[dict]:
        """The kept errors in English, first row first."""
        return self._rendered(lambda message, **params: message % params if params else message)

    def as_dict(self) -> dict:
        """The answer of an import, its messages in the current language."""
        answer = {
            "created": self.created,
            "errors": self._rendered(gettext),
            "error_count": self.error_count,
        }
        if self.updated is not None:
            answer["updated"] = self.updated
        return answer

    def to_stored(self) -> dict:
        """The report as JSON a job keeps, messages untranslated."""
        self._trim()
        return {
            "created": self.created,
            "updated": self.updated,
            "error_count": self.error_count,
            "errors": [
                {"row": row, "message": message, "params": params}
                for row, message, params in self._entries
            ],
        }

    @classmethod
    def from_stored(cls, stored: dict) -> ImportReport:
        report = cls(
            created=stored["created"],
            updated=stored.get("updated"),
            error_count=stored["error_count"],
        )
        report._entries = [(e["row"], e["message"], e["params"]) for e in stored["errors"]]
        return report


def normalize_header(name: object) -> str:
    """Compare headers loosely: width-folded, trimmed, lower case, no inner spaces or BOM."""
    text = unicodedata.normalize("NFKC", str(name or "")).replace("\ufeff", "")
    return "".join(text.split()).lower()


def cell_text(value: object) -> str:
    """A cell as trimmed text; whole numbers from a spreadsheet lose their `.0`."""
    if type(value) is str:  # every CSV cell, most XLSX cells: the fast path
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def decode_text(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (GBK's superset)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def csv_reader(data: bytes) -> Iterator[list[str]]:
    """The rows of CSV bytes, streaming, split on the delimiter the header line uses most."""
    text = decode_text(data)
    header_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = max(DELIMITERS, key=header_line.count)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(data: bytes) -> Iterator[Sequence[object]]:
    from openpyxl import load_workbook

    from app.services.import_limits import MAX_COLUMNS

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        # max_col: a cell far to the right must not pad every row to thousands of columns.
        yield from workbook.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS)
    finally:
        workbook.close()


def raw_rows(data: bytes) -> Iterator[Sequence[object]]:
    """Every row of the first sheet (XLSX) or of the file (CSV), header included."""
    if data.startswith(XLSX_MAGIC):
        return _xlsx_rows(data)
    return csv_reader(data)


def file_problem(data: bytes) -> str | None:
    """Why the bytes cannot be a table before even reading them, or None."""
    if not data.strip():
        return N_("the file is empty")
    if data.startswith(XLS_MAGIC):
        return N_("old .xls files are not supported: save as .xlsx or CSV")
    return None


def _guarded(rows: Iterator[Sequence[object]], report: ImportReport) -> Iterator[Sequence[object]]:
    """Pass rows through; a damaged workbook ends the reading with an error instead of a crash."""
    number = 1
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception:  # openpyxl and zipfile raise many kinds on a damaged or foreign file
            report.error(number, N_("the file is not a readable CSV or XLSX table"))
            return
        number += 1
        yield row


def match_columns(header: Sequence[object], columns: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """Map each known column to its position, by its name or any alias (first match wins)."""
    wanted = {
        normalize_header(alias): name
        for name, aliases in columns.items()
        for alias in (name, *aliases)
    }
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        name = wanted.get(normalize_header(title))
        if name is not None and name not in positions:
            positions[name] = index
    return positions


def read_rows(
    data: bytes,
    columns: Mapping[str, Iterable[str]],
    report: ImportReport,
    required: Iterable[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row number, {column: text}) for each non-blank row; header problems go to the report.

    `columns` maps each column to its header aliases; row 1 is the header. `progress`, when
    given, hears the number of rows read every PROGRESS_EVERY rows.
    """
    problem = file_problem(data)
    if problem:
        report.error(1, problem)
        return
    rows = _guarded(raw_rows(data), report)
    header = next(rows, None) or ()
    if not report.ok:
        return
    positions = match_columns(header, columns)
    missing = [
        name for name in (columns if required is None else required) if name not in positions
    ]
    for name in missing:
        report.error(1, N_("missing column: %(column)s"), column=name)
    if missing:
        return
    for number, row in enumerate(rows, start=2):
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number - 1)
        values = {name: cell_text(row[i]) if i < len(row) else "" for name, i in positions.items()}
        if any(values.values()):
            yield number, values


def bulk_insert(table: Table, rows: Sequence[Mapping[str, object]], chunk: int = 5000) -> int:
    """Insert rows (dicts with the same keys) in the caller's transaction, as fast as the engine allows.

    PostgreSQL: one COPY (a 100,000-row import spends half the time of an executemany there);
    elsewhere: executemany in chunks. A duplicate raises SQLAlchemy's IntegrityError either way.
    """
    if not rows:
        return 0
    check_rows(table, rows)
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        for part in chunked(rows, chunk):
            connection.execute(table.insert(), list(part))
        return len(rows)
    rollup_cache.note(table.name, rows)  # COPY passes by SQLAlchemy's events
    keys = list(rows[0])
    as_json = {key for key in keys if isinstance(table.c[key].type, JSON)}
    sql = f"COPY {table.name} ({', '.join(keys)}) FROM STDIN"
    cursor = connection.connection.driver_connection.cursor()
    try:
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([json.dumps(row[k]) if k in as_json else row[k] for k in keys])
    except connection.dialect.dbapi.IntegrityError as error:
        raise IntegrityError(sql, None, error) from error
    finally:
        cursor.close()
    return len(rows)


def chunked(items: Sequence, size: int) -> Iterator[Sequence]:
    """Slices of at most `size` items, for bulk inserts."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
