"""Every notification reads right in Vietnamese and English, by email and by SMS."""
from __future__ import annotations

import pytest

from portal.notifications.messages import render_message
from portal.workflow.transitions import TRANSITIONS
from tests.notifications.conftest import CODE

TEMPLATES = sorted({t.notification for t in TRANSITIONS.values() if t.notification})
TRACK = f"http://127.0.0.1:5000/track?code={CODE}"
CONTEXT = {
    "code": CODE,
    "procedure": "Đăng ký thường trú",
    "procedure_en": "Permanent residence registration",
    "appointment": "2026-07-03T09:30:00",
    "note": "Bổ sung bản sao giấy khai sinh.",
}


def test_every_workflow_notification_has_a_template():
    assert TEMPLATES == sorted([
        "dossier_submitted", "dossier_accepted", "dossier_refused", "supplement_requested",
        "supplement_received", "result_ready", "payment_requested", "payment_received", "extension_approved", "appointment_replanned",
        "processing_stopped", "dossier_withdrawn", "result_returned", "result_shipped", "result_undelivered",
        "dossier_not_supplemented",
    ])


@pytest.mark.parametrize("locale", ["vi", "en"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_email_names_the_dossier_and_links_to_tracking(ctx, template, locale):
    email = render_message(template, locale, CONTEXT, "email")
    assert CODE in email.subject and "\n" not in email.subject
    assert f"{CODE}\n" in email.body
    assert TRACK in email.body
    assert CONTEXT["note"] in email.body
    greeting, procedure = {"vi": ("Kính gửi", "Đăng ký thường trú"), "en": ("Dear", "Permanent residence registration")}[locale]
    assert email.body.startswith(greeting)
    assert procedure in email.body


@pytest.mark.parametrize("locale", ["vi", "en"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_sms_is_one_short_text_with_the_code_and_link(ctx, template, locale):
    sms = render_message(template, locale, CONTEXT, "sms")
    assert CODE in sms.body and sms.body.endswith(TRACK)
    assert len(sms.body) <= 160, sms.body
    assert "\n" not in sms.body
    assert CONTEXT["note"] not in sms.body


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_two_languages_differ(ctx, template):
    vi = render_message(template, "vi", CONTEXT, "email")
    en = render_message(template, "en", CONTEXT, "email")
    assert "hồ sơ" in vi.subject.lower()
    assert "dossier" in en.subject.lower()
    assert vi.body != en.body


def test_appointment_is_shown_in_vietnam_time(ctx):
    # 09:30 UTC is 16:30 in Hà Nội.
    assert "Ngày hẹn trả kết quả: 16:30 03/07/2026." in render_message("dossier_accepted", "vi", CONTEXT, "email").body
    assert "New appointment: 16:30 03/07/2026." in render_message("extension_approved", "en", CONTEXT, "email").body
    without = render_message("dossier_accepted", "vi", {**CONTEXT, "appointment": None}, "email").body
    assert "Ngày hẹn" not in without


def test_no_note_leaves_no_empty_line_for_it(ctx):
    body = render_message("dossier_accepted", "vi", {"code": CODE, "procedure": "Đăng ký thường trú"}, "email").body
    assert "Nội dung từ cơ quan" not in body
    assert "\n\n\n" not in body


def test_public_base_url_builds_the_link(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://dichvucong.example/")
    sms = render_message("result_ready", "vi", CONTEXT, "sms")
    assert sms.body.endswith(f"https://dichvucong.example/track?code={CODE}")


def test_unknown_language_falls_back_to_vietnamese(ctx):
    assert render_message("dossier_accepted", "fr", CONTEXT, "email") == render_message("dossier_accepted", "vi", CONTEXT, "email")
