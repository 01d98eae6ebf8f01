"""Benchmark the household import: 100,000 rows from CSV and XLSX, through the service and over HTTP.

    .venv/bin/python bench/import_households.py                       # SQLite file in bench/out/
    .venv/bin/python bench/import_households.py postgresql://USER@HOST:PORT/DBNAME --rows 100000

The database named is emptied (every table dropped and rebuilt): give it a scratch one.
Each format is measured against two baselines taken in the same run: reading the file alone
(the row reader, no checks), and a bare executemany of the same rows (no file, no checks).
Speed: wall-clock seconds and rows/s. Memory: Python's peak allocation during a second,
traced run of the same step (tracemalloc slows code down, so it never times a step), and the
process's peak resident size at the end.
"""

from __future__ import annotations

import argparse
import csv
import io
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

OUT = Path(__file__).resolve().parent / "out"
TAGS = ("elderly", "floating", "student", "enterprise", "finance", "parent", "other")
GRIDS = 200


def make_rows(count: int, grids: list[tuple[int, str, str]]) -> list[list[object]]:
    """Rows naming their grid by id, code or name in turn, with 0-2 tags each (Chinese headers)."""
    rows: list[list[object]] = [["网格", "地址", "标签"]]
    for i in range(count):
        grid = grids[i % len(grids)][i % 3]
        n = i // len(grids)  # the household's number within its grid
        tags = ";".join(TAGS[(i + k) % len(TAGS)] for k in range(i % 3))
        rows.append([grid, f"{n // 240 + 1}-{n // 60 % 4 + 1}-{n % 60 + 101}", tags])
    return rows


def csv_file(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_file(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def excel_like_xlsx(rows: list[list[object]]) -> bytes:
    """An XLSX as Excel and WPS write it: text in the shared-strings table (openpyxl writes inline text)."""
    import zipfile
    from xml.sax.saxutils import escape

    strings: dict[str, int] = {}
    sheet = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{'ABC'[c]}{r}"
            if isinstance(value, int):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif value != "":
                cells.append(
                    f'<c r="{ref}" t="s"><v>{strings.setdefault(str(value), len(strings))}</v></c>'
                )
        sheet.append(f'<row r="{r}">{"".join(cells)}</row>')
    main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>",
        "_rels/.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook {main} xmlns:r="{rel}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f"<worksheet {main}><sheetData>{''.join(sheet)}</sheetData></worksheet>",
        "xl/sharedStrings.xml": f'<sst {main} count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
        + "</sst>",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(
                name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + text
            )
    return out.getvalue()


def build_district(db) -> tuple[object, list[tuple[int, str, str]]]:
    """A street, 10 communities, GRIDS grids, and an admin; committed."""
    from app.models import Area, User

    def area(name, level, parent=None, code=None):
        a = Area(name=name, level=level, parent=parent, code=code)
        db.session.add(a)
        db.session.flush()
        a.path = f"{parent.path if parent else '/'}{a.id}/"
        return a

    street = area("基准街道", "street")
    communities = [area(f"第{c + 1}社区", "community", street) for c in range(10)]
    grids = [
        area(f"第{c + 1}社区{g + 1}号网格", "grid", communities[c], code=f"G{c:02d}{g:03d}")
        for c in range(10)
        for g in range(GRIDS // 10)
    ]
    admin = User(username="bench-admin", password_hash="x", role="admin", display_name="bench")
    db.session.add(admin)
    db.session.commit()
    return admin, [(g.id, g.code, g.name) for g in grids]


def empty_households(db) -> None:
    from app.models import AuditEvent, Household

    db.session.rollback()
    db.session.execute(Household.__table__.delete())
    db.session.execute(AuditEvent.__table__.delete())
    db.session.commit()


def timed(
    step: Callable[[], int], reset: Callable[[], None], memory: bool
) -> tuple[float, float, int]:
    """(seconds, peak MiB traced, rows) of a step, reset before each of its two runs."""
    reset()
    started = time.perf_counter()
    rows = step()
    seconds = time.perf_counter() - started
    if not memory:
        return seconds, float("nan"), rows
    reset()
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak, rows


def steps(app, db, admin, grids, data: bytes, name: str) -> dict[str, Callable[[], int]]:
    """The baselines and the two ways in, for one file."""
    from app.models import Household
    from app.models.base import utcnow
    from app.services.household_import import COLUMNS, import_households
    from app.services.importing import ImportReport, chunked, read_rows

    def read_only() -> int:
        return sum(1 for _ in read_rows(data, COLUMNS, ImportReport()))

    prepared = [
        {
            "area_id": grids[i % len(grids)][0],
            "label": f"raw-{i}",
            "tags": [],
            "unreachable": False,
            "created_at": utcnow(),
        }
        for i in range(read_only())
    ]

    def bare_insert() -> int:
        for chunk in chunked(prepared, 5000):
            db.session.execute(Household.__table__.insert(), chunk)
        db.session.commit()
        return len(prepared)

    def service() -> int:
        report = import_households(admin, data)
        assert report.ok, report.errors[:5]
        db.session.commit()
        return report.created

    def http() -> int:
        from app.services.auth import issue_token

        token, _ = issue_token(db.session.get(type(admin), admin.id))
        db.session.commit()
        response = app.test_client().post(
            "/api/v1/households/import",
            headers={"Authorization": f"Bearer {token}"},
            data={"file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 201, response.get_data(as_text=True)[:500]
        return response.get_json()["created"]

    return {
        "read file only (baseline)": read_only,
        "bare executemany (baseline)": bare_insert,
        "import service": service,
        "HTTP endpoint": http,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", nargs="?", default=f"sqlite:///{OUT / 'import-bench.db'}")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--formats",
        default="csv,xlsx,xlsx-inline",
        help="csv (UTF-8 with BOM), xlsx (shared strings, as Excel and WPS write it), "
        "xlsx-inline (inline strings, as openpyxl writes it)",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the traced runs (faster)")
    args = parser.parse_args(argv)
    writers = {"csv": csv_file, "xlsx": excel_like_xlsx, "xlsx-inline": xlsx_file}

    from app import create_app
    from app.extensions import db
    from config import Config, database_url

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url(args.database_url, "")

    OUT.mkdir(exist_ok=True)
    app = create_app(BenchConfig)
    with app.app_context():
        db.drop_all()
        db.create_all()
        admin, grids = build_district(db)
        rows = make_rows(args.rows, grids)
        engine = db.engine.dialect.name
        print(f"{args.rows:,} rows, {len(grids)} grids, on {engine}")
        print(f"{'file':<11} {'step':<30} {'seconds':>8} {'rows/s':>10} {'peak MiB':>9}")
        for kind in args.formats.split(","):
            data = writers[kind](rows)
            name = "households." + kind.split("-")[0]
            print(f"{kind:<11} {'(file size, MiB)':<30} {len(data) / 2**20:>8.1f}")
            for label, step in steps(app, db, admin, grids, data, name).items():
                seconds, peak, count = timed(step, lambda: empty_households(db), not args.no_memory)
                print(
                    f"{kind:<11} {label:<30} {seconds:>8.2f} {count / seconds:>10,.0f} {peak:>9.1f}",
                    flush=True,
                )
        empty_households(db)
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak resident size: {maxrss:.0f} MiB")


if __name__ == "__main__":
    main()
