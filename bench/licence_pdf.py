"""A licence's PDF — render, sign, store — against a bare ReportLab page of the same text.

``python -m bench.licence_pdf`` (``make bench``) times, interleaved in one run so both see the
same machine load, ``BENCH_ROUNDS`` (default 60) of:

- **licence**: what issuing a licence does for its PDF — ``render_licence`` (layout, frame,
  particulars, QR code, seal), ``LicenceSigner.sign`` (PAdES, the process's one signer) and
  ``FileStorage.put_bytes`` (temp file, fsync, rename, directory fsync);
- **floor**: a ReportLab canvas with the same font drawing the same strings, saved to bytes.

It prints the medians and their ratio (goal ≤ 3) as JSON. No database is needed.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.integrations.signer import LicenceSigner, ensure_dev_pki
from app.integrations.storage import FileStorage
from pdf_templates.render import LicenceDocument, render_licence, select_typeface
from pdf_templates.render.text import format_cn_date

DOCUMENT = LicenceDocument(
    template="hazchem-trading",
    title="危险化学品经营许可证",
    number="津安经〔2026〕000123",
    identifier="1.2.156.3005.2.11100000000013338W011.11120000MB1234567X.000123.001.K",
    holder_name="天津市恒安化工贸易有限公司",
    fields=[
        ("统一社会信用代码", "91350100M000100Y43"),
        ("法定代表人（主要负责人）", "王建国"),
        ("注册地址", "天津市滨海新区经济技术开发区第三大街51号"),
        ("经营场所", "天津市滨海新区经济技术开发区第三大街51号"),
        ("储存场所", "天津市滨海新区临港经济区渤海十路88号1号库"),
        ("经营方式", "带有储存设施经营"),
        ("许可范围", "硫酸、盐酸、氢氧化钠、甲醇、乙醇[无水]、丙酮、甲苯"),
    ],
    valid_from=date(2026, 11, 23),
    valid_until=date(2029, 11, 22),
    issued_on=date(2026, 11, 23),
    issuer_name="天津市应急管理局",
    verification_url="https://zerovisit.example.gov.cn/api/v1/verify/%E6%B4%A5?code=7K3Q9X2M",
    check_code="7K3Q9X2M",
)
SIGNED_AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def page_strings(doc: LicenceDocument) -> list[str]:
    """Every string the licence prints, for the bare page to draw."""
    return [
        doc.title,
        f"编号：{doc.number}",
        f"电子证照标识：{doc.identifier}",
        f"企业名称 {doc.holder_name}",
        *(f"{label} {value}" for label, value in doc.fields),
        f"有效期：{format_cn_date(doc.valid_from)}至{format_cn_date(doc.valid_until)}",
        f"扫码核验 校验码：{doc.check_code}",
        f"发证机关：{doc.issuer_name}",
        f"发证日期：{format_cn_date(doc.issued_on)}",
        "本证照为电子证照，与纸质证照具有同等法律效力；扫描二维码可核验真伪及状态。",
    ]


def bare_page(font: str, strings: list[str]) -> bytes:
    """The floor: one A4 canvas, the same font, the same strings, nothing else."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(210 * mm, 297 * mm), invariant=1, pageCompression=1)
    canvas.setFont(font, 12)
    for index, line in enumerate(strings):
        canvas.drawString(20 * mm, (270 - index * 10) * mm, line)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def timed_ms(work: Callable[[], object], rounds: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        work()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return times


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def main() -> None:
    rounds = int(os.environ.get("BENCH_ROUNDS", "60"))
    typeface = select_typeface(os.environ.get("PDF_FONT_PATH") or None)
    strings = page_strings(DOCUMENT)
    with tempfile.TemporaryDirectory() as scratch:
        pki = ensure_dev_pki(Path(scratch) / "pki")
        signer = LicenceSigner(pki.signing_key, pki.signing_cert, pki.root_cert)
        storage = FileStorage(Path(scratch) / "licences")

        parts: dict[str, list[float]] = {"render": [], "sign": [], "store": []}

        def licence() -> str:
            started = time.perf_counter()
            unsigned = render_licence(DOCUMENT, typeface=typeface)
            rendered = time.perf_counter()
            signed = signer.sign(
                unsigned, reason="签发电子证照", location="天津市应急管理局", signing_time=SIGNED_AT
            )
            signed_at = time.perf_counter()
            sha256 = storage.put_bytes(signed)  # ECDSA is randomised: every file is new
            parts["render"].append((rendered - started) * 1000)
            parts["sign"].append((signed_at - rendered) * 1000)
            parts["store"].append((time.perf_counter() - signed_at) * 1000)
            return sha256

        def floor() -> bytes:
            return bare_page(typeface.primary, strings)

        licence_times: list[float] = []
        floor_times: list[float] = []
        for _ in range(rounds // 10 or 1):  # interleaved, so both see the same load
            licence_times += timed_ms(licence, 10)
            floor_times += timed_ms(floor, 10)
    licence_ms, floor_ms = statistics.median(licence_times), statistics.median(floor_times)
    print(
        json.dumps(
            {
                "figure": "licence render + sign + store vs bare ReportLab page",
                "licence_ms": round(licence_ms, 2),
                "floor_ms": round(floor_ms, 2),
                "ratio": round(licence_ms / floor_ms, 2),
                "parts_ms": {name: round(statistics.median(v), 2) for name, v in parts.items()},
                "goal": "<= 3",
                "font": typeface.primary,
                "rounds": len(licence_times),
                "machine": {"nproc": os.cpu_count(), "cpu": cpu_model()},
                "date": date.today().isoformat(),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
