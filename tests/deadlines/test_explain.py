"""The explanation, word for word, in Vietnamese and English."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from portal.deadlines import VN_TZ, ClockEvent, ClockEventKind, ProcessingTime, WorkingCalendar, compute_deadline

CAL = WorkingCalendar()
K = ClockEventKind


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


def test_receipt_before_tet_2026_seven_days_with_twenty_percent() -> None:
    result = compute_deadline(
        [ClockEvent(K.START, vn(2026, 2, 13, 17, 20))], CAL, ProcessingTime(7, "working_days"),
        discount_pct=20, is_online_submission=True, is_online_delivery=True,
    )
    assert result.explanation == [
        "nhận lúc 17:20 thứ Sáu 13/02/2026 → tính từ 07:30 thứ Hai 23/02/2026 (nghỉ Tết 16–20/02)",
        "thời hạn giải quyết 7 ngày làm việc = 56 giờ làm việc",
        "giảm 20 %: 56 giờ làm việc → 44 giờ (nộp và nhận kết quả trực tuyến)",
        "hạn theo quy định: 17:00 thứ Ba 03/03/2026",
        "hạn cam kết trả kết quả: 11:30 thứ Hai 02/03/2026",
    ]
    assert result.explain("en") == [
        "received 17:20 Friday 13/02/2026 → counted from 07:30 Monday 23/02/2026 (Tết holiday 16–20/02)",
        "processing time 7 working days = 56 working hours",
        "20 % reduction: 56 working hours → 44 hours (submitted and delivered online)",
        "legal due: 17:00 Tuesday 03/03/2026",
        "committed due: 11:30 Monday 02/03/2026",
    ]


def test_receipt_before_tet_2027_and_a_restart() -> None:
    events = [
        ClockEvent(K.START, vn(2027, 2, 3, 17, 30)),
        ClockEvent(K.PAUSE, vn(2027, 2, 11, 9, 0), reason="chờ bổ sung"),
        ClockEvent(K.RESTART, vn(2027, 2, 15, 9, 0)),
    ]
    result = compute_deadline(
        events, CAL, ProcessingTime(1, "working_days"), supplement_policy="restart", now=vn(2027, 2, 16, 8, 0), lang="en"
    )
    assert result.explanation == [
        "received 17:30 Wednesday 03/02/2027 → counted from 07:30 Thursday 11/02/2027 (Tết holiday 04–10/02)",
        "processing time 1 working day = 8 working hours",
        "initial due: 17:00 Thursday 11/02/2027",
        "paused from 09:00 Thursday 11/02/2027 to 09:00 Monday 15/02/2027 (chờ bổ sung)",
        "clock restarted at 09:00 Monday 15/02/2027: a full new period from 09:00 Monday 15/02/2027"
        " → due 09:00 Tuesday 16/02/2027",
        "due: 09:00 Tuesday 16/02/2027",
        "at 08:00 Tuesday 16/02/2027: at risk, 1 working hour left",
    ]
    assert result.explain("vi")[0] == (
        "nhận lúc 17:30 thứ Tư 03/02/2027 → tính từ 07:30 thứ Năm 11/02/2027 (nghỉ Tết 04–10/02)"
    )
    assert result.explain("vi")[-1] == "lúc 08:00 thứ Ba 16/02/2027: sắp đến hạn, còn 1 giờ làm việc"


def test_pause_extension_and_late_result() -> None:
    events = [
        ClockEvent(K.START, vn(2026, 3, 3, 9, 0)),
        ClockEvent(K.PAUSE, vn(2026, 3, 4, 10, 0), reason="chờ bổ sung"),
        ClockEvent(K.RESUME, vn(2026, 3, 9, 10, 0)),
        ClockEvent(K.EXTEND, vn(2026, 3, 10, 8, 0), reason="xác minh", due_at=vn(2026, 3, 13, 17, 0)),
        ClockEvent(K.CLOSE, vn(2026, 3, 12, 10, 0)),
    ]
    result = compute_deadline(
        events, CAL, ProcessingTime(3, "working_days"), discount_pct=10, is_online_delivery=True
    )
    assert result.explanation == [
        "nhận lúc 09:00 thứ Ba 03/03/2026, trong giờ làm việc → tính từ lúc nhận",
        "thời hạn giải quyết 3 ngày làm việc = 24 giờ làm việc",
        "không giảm 10 %: hồ sơ không nộp trực tuyến",
        "hạn trả kết quả ban đầu: 09:00 thứ Sáu 06/03/2026",
        "tạm dừng từ 10:00 thứ Tư 04/03/2026 đến 10:00 thứ Hai 09/03/2026 (chờ bổ sung): 24 giờ làm việc"
        " → hạn lùi đến 09:00 thứ Tư 11/03/2026",
        "gia hạn lúc 08:00 thứ Ba 10/03/2026 (xác minh): hẹn trả mới 17:00 thứ Sáu 13/03/2026;"
        " trễ hạn vẫn tính theo hạn 09:00 thứ Tư 11/03/2026",
        "hạn trả kết quả: 09:00 thứ Tư 11/03/2026",
        "hẹn trả sau gia hạn: 17:00 thứ Sáu 13/03/2026",
        "có kết quả lúc 10:00 thứ Năm 12/03/2026: trễ hạn (hạn 09:00 thứ Tư 11/03/2026)",
    ]
    assert result.explain("en")[2] == "no 10 % reduction: not submitted online"
    assert result.explain("en")[-1] == "result ready 10:00 Thursday 12/03/2026: late (due 09:00 Wednesday 11/03/2026)"


def test_national_day_swapped_saturday_and_same_day() -> None:
    result = compute_deadline(
        [ClockEvent(K.START, vn(2026, 8, 28, 17, 5))], CAL, ProcessingTime(1, "same_day"), now=vn(2026, 9, 3, 16, 0)
    )
    assert result.explanation == [
        "nhận lúc 17:05 thứ Sáu 28/08/2026 → tính từ 07:30 thứ Năm 03/09/2026"
        " (Ngày nghỉ (thay cho ngày 22/08/2026), Quốc khánh 31/08–02/09)",
        "thủ tục giải quyết trong ngày, tiếp nhận không muộn hơn 15:00 → hạn cuối ngày làm việc đó",
        "hạn trả kết quả: 17:00 thứ Năm 03/09/2026",
        "lúc 16:00 thứ Năm 03/09/2026: sắp đến hạn, còn 1 giờ làm việc",
    ]
    assert result.explain("en")[0] == (
        "received 17:05 Friday 28/08/2026 → counted from 07:30 Thursday 03/09/2026"
        " (Day off (substituted from 08/22/2026), National Day 31/08–02/09)"
    )


def test_same_day_after_the_cutoff_and_a_saturday_that_is_worked() -> None:
    late = compute_deadline([ClockEvent(K.START, vn(2026, 8, 21, 15, 1))], CAL, ProcessingTime(1, "same_day"), lang="en")
    assert late.explanation == [
        "received 15:01 Friday 21/08/2026, within working hours → counted from receipt",
        "same-day procedure received after 15:00 → due at the end of the next working day",
        "due: 17:00 Saturday 22/08/2026 (make-up working day)",
    ]
    assert late.explain("vi")[1:] == [
        "thủ tục giải quyết trong ngày, tiếp nhận sau 15:00 → hạn cuối ngày làm việc tiếp theo",
        "hạn trả kết quả: 17:00 thứ Bảy 22/08/2026 (ngày làm việc bù)",
    ]


def test_overdue_and_administrator_day_off() -> None:
    calendar = WorkingCalendar(exceptions={date(2026, 3, 9): False}, exception_reasons={date(2026, 3, 9): "QĐ 12/QĐ-UBND"})
    result = compute_deadline(
        [ClockEvent(K.START, vn(2026, 3, 6, 18, 0))], calendar, ProcessingTime(1, "working_days"), now=vn(2026, 3, 12, 9, 0)
    )
    assert result.explanation == [
        "nhận lúc 18:00 thứ Sáu 06/03/2026 → tính từ 07:30 thứ Ba 10/03/2026 (QĐ 12/QĐ-UBND 09/03)",
        "thời hạn giải quyết 1 ngày làm việc = 8 giờ làm việc",
        "hạn trả kết quả: 17:00 thứ Ba 10/03/2026",
        "lúc 09:00 thứ Năm 12/03/2026: quá hạn 9 giờ 30 phút làm việc",
    ]
    assert result.explain("en")[-1] == "at 09:00 Thursday 12/03/2026: overdue by 9 hours 30 minutes of working time"


def test_no_discount_reasons() -> None:
    def why(submission: bool, delivery: bool, lang: str, unit: str = "working_days") -> str:
        result = compute_deadline(
            [ClockEvent(K.START, vn(2026, 3, 3, 9, 0))], CAL, ProcessingTime(1, unit), discount_pct=15,
            is_online_submission=submission, is_online_delivery=delivery,
        )
        return result.explain(lang)[2]

    assert why(True, False, "vi") == "không giảm 15 %: không nhận kết quả trực tuyến"
    assert why(False, False, "vi") == "không giảm 15 %: hồ sơ không nộp và không nhận kết quả trực tuyến"
    assert why(False, False, "en") == "no 15 % reduction: neither submitted nor delivered online"
    assert why(True, True, "en", "same_day") == "no 15 % reduction: same-day procedure"


def test_unknown_language_is_refused() -> None:
    result = compute_deadline([ClockEvent(K.START, vn(2026, 3, 3, 9, 0))], CAL, ProcessingTime(1, "working_days"))
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        result.explain("fr")
