"""Exporting 100,000 licences to ``.xlsx``: time and peak memory, each against a floor.

On the benchmark database (rebuilt) this loads 1,000 enterprises and ``BENCH_EXPORT_LICENCES``
(default 100,000) licences of region 120101 with ``COPY`` and one admin of 120000. Each
measurement runs in a fresh process (so its peak RSS is its own), ``BENCH_ROUNDS`` times,
interleaved:

- **time**: ``exports.export_licences`` (the API's ``?format=xlsx``: the scoped query read in
  batches, status and masking per row, openpyxl's write-only workbook, the export record)
  against its floor — the same rows read by one bare server-side cursor and the same eight
  cells per row written by the same write-only workbook;
- **memory**: the peak RSS of the export process against the peak RSS of a process that builds
  the app and reads one page of the licence list. The goal is the issue's budget: the export
  may add at most 200 MiB to what the app itself takes (about 190 MiB with its libraries).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select, text

from app.extensions import db
from app.licences import access
from app.models import User
from app.services import exports
from bench.database import bench_url, build_app, fresh_app
from bench.figures import Figure
from bench.reminder_scan import copy_rows
from bench.report import show
from permits.identifiers import mask_id_number

ENTERPRISES = 1_000
BUDGET_MIB = 200.0
ROOT = Path(__file__).resolve().parent.parent


def _count() -> int:
    return int(os.environ.get("BENCH_EXPORT_LICENCES", "100000"))


def load(count: int) -> None:
    now = datetime.now(UTC)
    db.session.add(
        User(kind="staff", username="bench-admin", roles=["admin"], region_code="120000")
    )
    db.session.commit()
    copy_rows(
        "enterprises",
        (
            "name",
            "credit_code",
            "legal_representative",
            "address",
            "region_code",
            "contact_phone",
            "bad_credit",
            "created_at",
            "updated_at",
        ),
        (
            (f"导出基准化工有限公司{n}", f"91120101{n:010d}", "张三", "天津市和平区测试路1号")
            + ("120101", "13800138000", False, now, now)
            for n in range(1, ENTERPRISES + 1)
        ),
    )
    start = date(2025, 1, 1)

    def rows():
        for n in range(1, count + 1):
            valid_from = start + timedelta(days=n % 700)
            form = {"worker_id_number": "11010519491231002X"} if n % 3 == 0 else {}
            holder = {"name": f"导出基准化工有限公司{n % ENTERPRISES + 1}", "form": form}
            holder["credit_code"] = f"91120101{n % ENTERPRISES + 1:010d}"
            yield (
                f"津安经〔{valid_from.year}〕{n:07d}",
                "",
                "hazchem-trading",
                n % ENTERPRISES + 1,
                "120101",
                json.dumps(holder, ensure_ascii=False),
                "天津市应急管理局",
                valid_from,
                valid_from,
                valid_from + timedelta(days=3 * 365 - 1),
                None,
                "imported",
                1,
                now,
                now,
            )

    copy_rows(
        "licences",
        (
            "number",
            "identifier",
            "permit_type",
            "enterprise_id",
            "region_code",
            "holder",
            "issuer_name",
            "issued_on",
            "valid_from",
            "valid_until",
            "terminal_status",
            "source",
            "version",
            "created_at",
            "updated_at",
        ),
        rows(),
    )
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def _admin() -> User:
    return db.session.scalars(select(User).where(User.username == "bench-admin")).one()


def _export() -> int:
    made = exports.export_licences(_admin(), {})
    made.path.unlink()
    return made.rows


def _floor_export() -> int:
    """The bare minimum of the same export: one cursor, the same cells, the same workbook."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("licences")
    sheet.append(list(exports.LICENCE_HEADER))
    count = 0
    raw = db.engine.raw_connection()
    try:
        with raw.driver_connection.cursor(name="floor") as cursor:
            cursor.itersize = exports.BATCH
            cursor.execute(
                "SELECT number, holder, valid_from, valid_until FROM licences "
                "WHERE region_code LIKE '12%' ORDER BY valid_until, id"
            )
            for number, holder, valid_from, valid_until in cursor:
                worker = (holder.get("form") or {}).get("worker_id_number")
                sheet.append(
                    [
                        number,
                        "危险化学品经营许可证",
                        holder.get("name", ""),
                        holder.get("credit_code", ""),
                        valid_from,
                        valid_until,
                        "有效",
                        mask_id_number(worker) if worker else "",
                    ]
                )
                count += 1
    finally:
        raw.close()
    with tempfile.TemporaryDirectory() as folder:
        workbook.save(Path(folder) / "floor.xlsx")
    return count


def _one_page() -> int:
    items, _ = access.list_licences(
        _admin(), enterprise_id=None, status=None, expiring_within_days=None, page=1, page_size=20
    )
    return len(items)


CHILD_WORK = {"export": _export, "floor": _floor_export, "page": _one_page}


def child(mode: str) -> None:
    """One measurement in this process: seconds and peak RSS (KiB) as JSON on stdout."""
    app = build_app(bench_url())
    with app.app_context():
        started = time.perf_counter()
        rows = CHILD_WORK[mode]()
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_kib": peak}))


def measure(mode: str) -> dict:
    command = [sys.executable, "-m", "bench.licence_export", "--child", mode]
    done = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def figures() -> list[Figure]:
    count = _count()
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    app = fresh_app(bench_url())
    with app.app_context():
        load(count)
    runs: dict[str, list[dict]] = {"export": [], "floor": [], "page": []}
    for _ in range(rounds):
        for mode in runs:
            runs[mode].append(measure(mode))
    assert all(r["rows"] == count for r in runs["export"] + runs["floor"]), runs
    seconds = statistics.median(r["seconds"] for r in runs["export"])
    floor_seconds = statistics.median(r["seconds"] for r in runs["floor"])
    peak = max(r["peak_kib"] for r in runs["export"]) / 1024
    page_peak = max(r["peak_kib"] for r in runs["page"]) / 1024
    rate = f"{count / seconds:,.0f} rows/s"
    return [
        Figure(
            name=f"export {count:,} licences to .xlsx (time)",
            measured=seconds,
            floor=floor_seconds,
            unit="s",
            goal=1.5,
            before="no export",
            notes=[
                f"Export: median {seconds:.2f} s ({rate}) of {rounds}; floor (bare cursor and "
                f"the same workbook): {floor_seconds:.2f} s.",
            ],
        ),
        Figure(
            name=f"export {count:,} licences to .xlsx (peak RSS)",
            measured=peak,
            floor=page_peak,
            unit="MiB",
            goal=(page_peak + BUDGET_MIB) / page_peak,
            before="no export",
            notes=[
                f"Peak RSS of the exporting process {peak:.0f} MiB against {page_peak:.0f} MiB "
                f"for the app reading one page: the export adds {peak - page_peak:.0f} MiB; the "
                f"goal is the issue's budget of {BUDGET_MIB:.0f} MiB on top of the app.",
            ],
        ),
    ]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        show(figures())
