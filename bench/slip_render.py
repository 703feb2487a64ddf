"""Time to render slip 01 (issue 4): p50/p95 over N renders, target p95 < 300 ms.

Renders the receipt of a realistic online dossier in an app context, as the confirmation page
does, after one cold render (fonts loaded). Then again after ``gc.freeze()``: a full garbage
collection walks the whole heap of the app (~150,000 objects, ~100 ms here) and lands inside
whichever render triggers it, which is what makes the p95; a server that freezes the heap after
start-up (``gc.freeze()`` in ``wsgi.py``) avoids that.

Then each declaration form (issue 17), frozen likewise, with its answers left blank: every dotted
answer line is drawn, the most a form draws. A submission renders its declaration while it holds
its agency's dossier-code counter for the day (the code is printed on the form), so every
millisecond here is one that other submissions to that agency wait.
Run ``python -m bench.slip_render [--count N]``.
"""
from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial

from bench.common import machine, percentile, report
from portal import create_app
from portal.deadlines import VN_TZ
from portal.paperwork import Declaration, Slip01, SlipDocument, render_declaration, render_slip01
from portal.paperwork.declarations import DECLARATION_TEMPLATES

TARGET_P95_MS = 300

SLIP = Slip01(
    dossier_code="000.00.19.H26-260212-0007",
    agency_name="Ủy ban nhân dân Phường Ba Đình",
    agency_address="Số 10 Phố Đội Cấn, Phường Ba Đình, Thành phố Hà Nội",
    procedure_code="1.004222",
    procedure_name="Đăng ký thường trú",
    applicant_name="Nguyễn Thị Hồng Nhung",
    applicant_personal_id="001196012345",
    applicant_address="Số 5 ngõ 12 Phố Liễu Giai, Phường Ba Đình, Thành phố Hà Nội",
    applicant_phone="0912345678",
    channel="online",
    received_at=datetime(2026, 2, 12, 9, 15, tzinfo=VN_TZ),
    appointment_at=datetime(2026, 3, 2, 14, 0, tzinfo=VN_TZ),
    is_appointment_estimated=True,
    legal_due_at=datetime(2026, 3, 4, 10, 30, tzinfo=VN_TZ),
    discount_pct=20,
    documents=(
        SlipDocument("Tờ khai thay đổi thông tin cư trú (Mẫu CT01)"),
        SlipDocument("Giấy tờ, tài liệu chứng minh việc sở hữu chỗ ở hợp pháp"),
        SlipDocument("Văn bản đồng ý cho đăng ký thường trú của chủ hộ"),
    ),
    delivery="online",
    fee_amount=10_000,
    fee_status="Đã thanh toán trực tuyến",
    tracking_url="https://dichvucong.example.gov.vn/track?code=000.00.19.H26-260212-0007",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50, help="renders to time (default 50)")
    count = parser.parse_args().count

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "REGISTRY_DATABASE_URL": "sqlite://"})
    print(f"machine: {machine()}")
    with app.app_context():
        started = time.perf_counter()
        size = len(render_slip01(SLIP))
        cold_ms = (time.perf_counter() - started) * 1000
        print(f"slip 01 ({size:,} bytes), first render {cold_ms:.0f} ms, then {count} renders:")
        show("as is", time_renders(partial(render_slip01, SLIP), count))
        gc.collect()
        gc.freeze()
        show("after gc.freeze() (as wsgi.py does)", time_renders(partial(render_slip01, SLIP), count))
        print(f"declarations, {count} renders each after the first:")
        for key in DECLARATION_TEMPLATES:
            declaration = blank_declaration(key)
            size = len(render_declaration(declaration))
            timings = time_renders(partial(render_declaration, declaration), count)
            figures = f"p50 {statistics.median(timings):.0f} ms, p95 {percentile(timings, 0.95):.0f} ms, {size:,} bytes"
            print(f"  {key}: {figures}")
            report(f"declaration {key} PDF rendering", figures)


def blank_declaration(key: str) -> Declaration:
    return Declaration(
        document_key=key, title="TỜ KHAI", addressee="Ủy ban nhân dân Phường Ba Đình",
        dossier_code=SLIP.dossier_code, procedure_name=SLIP.procedure_name, declarant_name=SLIP.applicant_name,
        place="Hà Nội", declared_at=SLIP.received_at, values={}, choices={},
    )


def time_renders(render: Callable[[], bytes], count: int) -> list[float]:
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        render()
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings)


def show(label: str, timings: list[float]) -> None:
    p95 = percentile(timings, 0.95)
    verdict = "meets" if p95 < TARGET_P95_MS else "MISSES"
    print(
        f"  {label}: p50 {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms, max {timings[-1]:.0f} ms"
        f" ({verdict} the p95 < {TARGET_P95_MS} ms target)"
    )
    report(f"slip 01 PDF rendering, {label}", f"p50 {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms",
           f"p95 < {TARGET_P95_MS} ms")


if __name__ == "__main__":
    main()
