"""Time to render each declaration form (issue 17's paperwork, issue 19's submission path).

A submission renders the procedure's declaration while it holds its agency's dossier-code
counter for the day (the code is printed on the form), so every millisecond here is one that
other submissions to that agency wait. Each form is rendered once cold, then ``--count`` times,
with its answers left blank: every dotted answer line is drawn, the most a form draws.
Run ``python -m bench.declaration_render [--count N]``.
"""
from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime

from bench.common import machine, percentile, report
from portal import create_app
from portal.deadlines import VN_TZ
from portal.paperwork import Declaration, render_declaration
from portal.paperwork.declarations import DECLARATION_TEMPLATES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20, help="renders to time per form (default 20)")
    count = parser.parse_args().count

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "REGISTRY_DATABASE_URL": "sqlite://"})
    print(f"machine: {machine()}")
    with app.app_context():
        for key in DECLARATION_TEMPLATES:
            declaration = Declaration(
                document_key=key, title="TỜ KHAI", addressee="Ủy ban nhân dân Phường Ba Đình",
                dossier_code="000.00.19.H26-261207-0001", procedure_name="Đăng ký thường trú",
                declarant_name="Nguyễn Thị Hồng Nhung", place="Hà Nội",
                declared_at=datetime(2026, 12, 7, 9, 15, tzinfo=VN_TZ), values={}, choices={},
            )
            size = len(render_declaration(declaration))
            timings = []
            for _ in range(count):
                started = time.perf_counter()
                render_declaration(declaration)
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            figures = f"p50 {statistics.median(timings):.0f} ms, p95 {percentile(timings, 0.95):.0f} ms, {size:,} bytes"
            print(f"{key}: {figures}")
            report(f"declaration {key} PDF rendering", figures)


if __name__ == "__main__":
    main()
