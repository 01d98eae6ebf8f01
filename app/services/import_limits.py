"""How big an import file is, measured before it is read, and refused early when it is too big.

A file is measured in one streaming pass that keeps memory flat: its bytes, then for XLSX the
sizes the zip declares, then the inflated bytes actually read from the shared strings and the
first sheet (counted as they stream, with row and string counts). Past any limit the pass stops
at once and raises TooLarge (413) naming the limit. Only a file that passes is read for real.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from flask import current_app
from flask_babel import gettext

from app.errors import Invalid, TooLarge

XLSX_MAGIC = b"PK\x03\x04"
CHUNK = 64 * 1024
MB = 1024 * 1024
# Enough for every column an import knows; cells further right are never padded into rows.
MAX_COLUMNS = 64
# Any part of a workbook but its first sheet and shared strings (styles, other sheets, ...).
PART_MAX = 8 * MB


@dataclass(frozen=True)
class ImportLimits:
    """The limits of the contract; each can be lowered or raised in the configuration."""

    sync_rows: int = 5_000
    max_rows: int = 200_000
    max_bytes: int = 32 * MB
    max_inflated: int = 200 * MB
    max_shared_strings_bytes: int = 32 * MB
    max_shared_strings: int = 1_000_000

    @classmethod
    def from_config(cls) -> ImportLimits:
        config = current_app.config
        return cls(
            **{
                name: config[f"IMPORT_{name.upper()}"]
                for name in cls.__dataclass_fields__
                if f"IMPORT_{name.upper()}" in config
            }
        )


def _too_large(message: str) -> TooLarge:
    return TooLarge(message, {"file": message})


def count_rows(data: bytes, limits: ImportLimits | None = None) -> int:
    """The number of rows under the header, streaming; TooLarge past a limit, Invalid when unreadable."""
    limits = limits or ImportLimits.from_config()
    if len(data) > limits.max_bytes:
        raise _too_large(
            gettext("the file is larger than %(limit)s MB", limit=limits.max_bytes // MB)
        )
    rows = _xlsx_rows(data, limits) if data.startswith(XLSX_MAGIC) else _csv_rows(data, limits)
    return max(rows - 1, 0)


def _csv_rows(data: bytes, limits: ImportLimits) -> int:
    from app.services.importing import csv_reader

    count = 0
    try:
        for count, _row in enumerate(csv_reader(data), start=1):
            if count > limits.max_rows + 1:
                raise _rows_error(limits)
    except csv.Error:
        return count  # the reader reports the damaged row itself, with its number
    return count


def _rows_error(limits: ImportLimits) -> TooLarge:
    return _too_large(
        gettext("the file has more than %(limit)s rows", limit=f"{limits.max_rows:,}")
    )


class _Budget:
    """Inflated bytes read so far, across every part of one workbook."""

    def __init__(self, limits: ImportLimits):
        self.limits, self.used = limits, 0

    def spend(self, size: int) -> None:
        self.used += size
        if self.used > self.limits.max_inflated:
            raise _inflated_error(self.limits)


def _inflated_error(limits: ImportLimits) -> TooLarge:
    return _too_large(
        gettext("the file inflates to more than %(limit)s MB", limit=limits.max_inflated // MB)
    )


def _strings_error(limits: ImportLimits) -> TooLarge:
    return _too_large(
        gettext(
            "the file's shared strings are larger than %(limit)s MB or %(count)s entries",
            limit=limits.max_shared_strings_bytes // MB,
            count=f"{limits.max_shared_strings:,}",
        )
    )


def _xlsx_rows(data: bytes, limits: ImportLimits) -> int:
    from openpyxl.reader.excel import ExcelReader

    try:
        reader = ExcelReader(io.BytesIO(data), read_only=True)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _unreadable() from None
    archive = reader.archive
    infos = archive.infolist()
    if sum(info.file_size for info in infos) > limits.max_inflated:
        raise _inflated_error(limits)
    declared = {info.filename: info.file_size for info in infos}
    try:
        strings, sheet = _parts(reader, declared)
    except TooLarge:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged or foreign package
        raise _unreadable() from None
    if strings and declared.get(strings, 0) > limits.max_shared_strings_bytes:
        raise _strings_error(limits)
    # openpyxl parses every other part whole (styles, other sheets' dimensions): each stays small.
    if any(size > PART_MAX for name, size in declared.items() if name not in (sheet, strings)):
        raise _part_error()
    budget = _Budget(limits)
    try:
        if strings:
            _scan(archive, strings, budget, _StringCounter(limits), limits.max_shared_strings_bytes)
        rows = _RowCounter(limits)
        _scan(archive, sheet, budget, rows, limits.max_inflated)
    except (zipfile.BadZipFile, OSError, EOFError, expat.ExpatError):
        raise _unreadable() from None
    return rows.rows


def _unreadable() -> Invalid:
    message = gettext("the file is not a readable CSV or XLSX table")
    return Invalid(message, {"file": message})


def _part_error() -> TooLarge:
    return _too_large(
        gettext(
            "a part of the file other than its first sheet and shared strings inflates "
            "to more than %(limit)s MB",
            limit=PART_MAX // MB,
        )
    )


def _parts(reader, declared: dict[str, int]) -> tuple[str | None, str]:
    """(shared strings part or None, first worksheet part), found as openpyxl finds them; the
    parts read whole to find them (content types, workbook, relationships) must be small."""
    from openpyxl.reader.excel import ARC_CONTENT_TYPES, SHARED_STRINGS, _find_workbook_part
    from openpyxl.reader.workbook import get_rels_path

    if declared.get(ARC_CONTENT_TYPES, 0) > PART_MAX:
        raise _part_error()
    reader.read_manifest()
    workbook = _find_workbook_part(reader.package).PartName[1:]
    if max(declared.get(workbook, 0), declared.get(get_rels_path(workbook), 0)) > PART_MAX:
        raise _part_error()
    reader.read_workbook()
    strings = reader.package.find(SHARED_STRINGS)
    for _sheet, rel in reader.parser.find_sheets():
        if rel.Type.endswith("/worksheet") and rel.target in reader.valid_files:
            return (strings.PartName[1:] if strings is not None else None), rel.target
    raise KeyError("no worksheet")


def _scan(archive: zipfile.ZipFile, name: str, budget: _Budget, counter, cap: int) -> None:
    """Stream one part through expat, counting the inflated bytes as they come; no tree is built."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_doctype  # no entities, no billion laughs
    parser.StartElementHandler = counter.start
    read = 0
    with archive.open(name) as stream:
        while chunk := stream.read(CHUNK):
            read += len(chunk)
            budget.spend(len(chunk))
            if read > cap:
                raise counter.too_large()
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _refuse_doctype(*_args) -> None:
    raise expat.ExpatError("a workbook part declares a DOCTYPE")


class _RowCounter:
    """Rows of a sheet: the count of <row> elements or the highest row number, whichever is more."""

    def __init__(self, limits: ImportLimits):
        self.limits, self.rows = limits, 0

    def start(self, name: str, attributes: dict) -> None:
        if name == "row" or name.endswith(":row"):
            number = attributes.get("r", "")
            self.rows = max(self.rows + 1, int(number) if number.isdigit() else 0)
            if self.rows > self.limits.max_rows + 1:
                raise _rows_error(self.limits)

    def too_large(self) -> TooLarge:
        return _inflated_error(self.limits)


class _StringCounter:
    """Entries of the shared strings table, which openpyxl keeps in memory whole."""

    def __init__(self, limits: ImportLimits):
        self.limits, self.count = limits, 0

    def start(self, name: str, _attributes: dict) -> None:
        if name == "si" or name.endswith(":si"):
            self.count += 1
            if self.count > self.limits.max_shared_strings:
                raise _strings_error(self.limits)

    def too_large(self) -> TooLarge:
        return _strings_error(self.limits)
