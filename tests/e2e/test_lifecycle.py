"""A dossier's whole life in a real browser, once for each way the result comes back.

1. The citizen signs in through the mock VNeID, finds the procedure, sees their details
   prefilled from the register (read-only, labelled, described as such), fills the rest
   (the province → ward cascade, a person looked up by ID), uploads PDFs, chooses the delivery,
   checks the answers, pays on the mock gateway and downloads the receipt (slip 01).
2. ``intake1`` accepts the dossier and asks for a supplement (slip 02); the citizen sends it.
3. ``intake1`` assigns ``specialist1``, who proposes the result; ``leader1`` approves and signs it.
4. ``intake1`` returns the result online, sends it by post (S10 tracking number, delivered) or
   hands it over at the counter.
5. The citizen downloads the signed result and rates the service; anyone tracks the dossier by
   its code, with the name masked until the last digits of the personal ID are given.

Each journey runs in one language at one window size: online on a phone in Vietnamese, by post
on a desktop in English, at the counter on a desktop in Vietnamese. Officers work on desktops.
Every page is checked with axe-core in both languages (``audit``); the key pages, and the
public statistics, are screenshotted at the journey's size.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.dossiers.postal import is_valid_tracking_number
from portal.eforms.definitions import Field, get_form_definition
from portal.registry.records import PersonRecord
from tests.e2e.conftest import Audit, use_language
from tests.e2e.people import (
    CODE,
    DESKTOP,
    FULL_NAMES,
    PHONE,
    Screenshot,
    Words,
    act,
    address_ready,
    expect_status,
    fact,
    fetch,
    file_input,
    found,
    main_navigation,
    open_dossier,
    open_from_queue,
    pdf_file,
    pdf_text,
    sign_in_citizen,
    sign_in_officer,
    verify_signature,
)

pytestmark = pytest.mark.e2e

PROCEDURES = {
    "1.004222": {"vi": ("thuong tru", "Đăng ký thường trú"), "en": ("permanent residence", "Permanent residence registration")},
    "1.004194": {"vi": ("tam tru", "Đăng ký tạm trú"), "en": ("temporary residence", "Temporary residence registration")},
}
FEES = {"1.004222": 10_000, "1.004194": 7_000}
DISCOUNTS = {"1.004222": 20, "1.004194": 10}
# Money as each language writes it: "10.000 ₫" in Vietnamese, "10,000 ₫" in English.
MONEY = {"vi": lambda amount: f"{amount:,}\u00a0₫".replace(",", "."), "en": lambda amount: f"{amount:,}\u00a0₫"}
DELIVERY_CHOICES = {
    "online": "Online: download the electronic result (signed) from the portal",
    "post": "By public postal service to your address",
    "counter": "At the counter of the agency",
}
UNREADABLE = {"vi": "Bản chụp bị mờ, không đọc được.", "en": "The copy is blurred and cannot be read."}
RELATION = {"vi": "vợ, chồng", "en": "spouse"}
REQUEST = {"vi": "Đăng ký thường trú tại địa chỉ trên.", "en": "Register my permanent residence at the address above."}
DECISION = {"vi": "Đồng ý giải quyết theo đề nghị của công dân.", "en": "Granted as the citizen asked."}
DELIVERY_FACTS = {"online": "online", "post": "by public postal service", "counter": "at the counter"}
APPOINTMENT = re.compile(r"(\d\d):(\d\d) (\d\d/\d\d/\d{4})")
S10 = re.compile(r"[A-Z]{2}\d{9}VN")


@dataclass(frozen=True)
class Journey:
    delivery: str
    size: tuple[int, int]
    lang: str
    procedure: str

    def __str__(self) -> str:
        return f"{self.delivery}-{'phone' if self.size == PHONE else 'desktop'}-{self.lang}"


JOURNEYS = [
    Journey("online", PHONE, "vi", "1.004222"),
    Journey("post", DESKTOP, "en", "1.004194"),
    Journey("counter", DESKTOP, "vi", "1.004222"),
]


def fill_field(page: Page, words: Words, field: Field, value: object) -> None:
    """Answer one e-form field the way a person does, whatever its type."""
    label = field.label(words.lang)
    if field.type == "address":
        group = page.get_by_role("group", name=label)
        province, ward, street = value
        address_ready(group, words)
        group.get_by_label(words("Province or city")).select_option(label=province)
        wards = group.get_by_label(words("Ward or commune"))
        expect(wards.locator("option", has_text=ward)).to_be_attached()
        wards.select_option(label=ward)
        group.get_by_label(words("House number and street, or hamlet or village")).fill(street)
    elif field.type == "person":
        group = page.get_by_role("group", name=label)
        group.get_by_role("textbox", name=words("Personal ID number")).fill(value.personal_id)
        expect(group.get_by_text(found(words, value))).to_be_visible()
    elif field.type == "select":
        page.get_by_label(label, exact=True).select_option(value)
    elif not field.required:  # its label ends "(optional)"
        page.get_by_label(f"{label} ({words('optional')})", exact=True).fill(value)
    else:
        page.get_by_label(label, exact=True).fill(value)


def answers(journey: Journey, host: PersonRecord) -> dict[str, dict[str, object]]:
    """What the citizen answers on each step after the first, by field key."""
    address = ("Thành phố Hà Nội", "Phường Ba Đình", "Số 12 phố Đội Cấn")
    if journey.procedure == "1.004222":
        joining, relation = {"residence_basis": "owned"}, {}
        if journey.delivery == "online":
            joining = {"residence_basis": "relative", "new_household_head": host}
            relation = {"relation_to_new_head": RELATION[journey.lang]}
        # Issue 17: the home comes on its own step, filled in when the register knows it.
        return {"new_residence": joining, "home": {"new_address": address, **relation, "reason": REQUEST[journey.lang]}}
    return {"stay": {"temporary_address": address, "accommodation": "rented", "host": host, "months": "12",
                     "purpose": "work"}}


def submit(page: Page, journey: Journey, live_server: str, citizen: PersonRecord, host: PersonRecord,
           audit: Audit, screenshot: Screenshot) -> str:
    """Step 1 of the module docstring; returns the dossier code."""
    words = Words(journey.lang)
    definition = get_form_definition(journey.procedure)
    query, name = PROCEDURES[journey.procedure][journey.lang]
    sign_in_citizen(page, live_server, citizen, words, audit)

    main_navigation(page, words).get_by_role("link", name=words("Procedures"), exact=True).click()
    audit(page, "catalog")
    page.get_by_label(words("Name or code")).fill(query)
    page.get_by_role("button", name=words("Search"), exact=True).click()
    screenshot(page, "catalog")
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    audit(page, f"procedure-{journey.procedure}")
    page.get_by_role("link", name=words("Submit online")).click()

    filled = answers(journey, host)
    total = len(definition.steps) + 2  # then the delivery and the check
    for number, step in enumerate(definition.steps, start=1):
        expect(page.get_by_text(words("Step %(n)d of %(total)d", n=number, total=total))).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_have_text(step.title(journey.lang))
        audit(page, f"{journey.procedure}-step-{step.key}")
        if number == 1:
            # Read-only, labelled and described as coming from the register, for screen readers too.
            full_name = page.get_by_label(definition.field("full_name").label(journey.lang), exact=True)
            expect(full_name).to_have_value(citizen.full_name)
            expect(full_name).to_have_attribute("readonly", "")
            expect(full_name).to_have_attribute("data-prefilled", "registry")
            expect(full_name).to_have_accessible_description(words("From the national population database"))
            if journey.procedure == "1.004194":
                page.get_by_label(definition.field("occupation").label(journey.lang)).fill("Kỹ sư, Công ty TNHH Sông Hồng")
            page.get_by_label(definition.field("phone").label(journey.lang)).fill("0912345678")
            screenshot(page, "form-prefilled")
        elif step.key == "documents":
            for field in step.fields:
                if field.required:
                    file_input(page, words, field.label(journey.lang)).set_input_files(pdf_file())
        else:
            for key, value in filled[step.key].items():
                fill_field(page, words, definition.field(key), value)
        page.get_by_role("button", name=words("Save and continue")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(words("How do you want to receive the result?"))
    audit(page, "delivery")
    page.get_by_label(words(DELIVERY_CHOICES[journey.delivery])).check()
    page.get_by_role("button", name=words("Save and continue")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(words("Check your answers before submitting"))
    main = page.locator("main")
    people = [v.full_name for step in filled.values() for v in step.values() if isinstance(v, PersonRecord)]
    fee = MONEY[journey.lang](FEES[journey.procedure])
    for shown in (citizen.full_name, "Phường Ba Đình", "Số 12 phố Đội Cấn", *people, fee):
        expect(main).to_contain_text(shown)
    # Online with the result online: the committed appointment is sooner by the procedure's discount.
    expect(main.get_by_text(words("%(pct)d %% sooner online", pct=DISCOUNTS[journey.procedure]))).to_have_count(
        1 if journey.delivery == "online" else 0)
    optional = [f for f in definition.file_fields if not f.required and f.is_visible(
        {k: v for step in filled.values() for k, v in step.items()})]
    expect(main.get_by_text(words("Not attached"), exact=True)).to_have_count(len(optional))
    audit(page, f"{journey.procedure}-check")
    screenshot(page, "check-answers")
    page.get_by_role("button", name=words("Pay and submit the dossier")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(words("Pay %(amount)s", amount=fee))
    audit(page, "payment-gateway")
    page.get_by_role("button", name=words("Pay"), exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(words("Dossier submitted"))
    code = page.locator("[data-dossier-code]").inner_text().strip()
    assert CODE.fullmatch(code), code
    expect(page.get_by_text(words("The fee of %(amount)s has been paid.", amount=fee))).to_be_visible()
    audit(page, "confirmation")
    screenshot(page, "confirmation")
    hour, minute, day = APPOINTMENT.search(main.inner_text()).groups()
    receipt = pdf_text(fetch(page, page.get_by_role("link", name=words("Download the receipt (PDF)"))))
    assert code in receipt and citizen.full_name in receipt
    # The slip is in the page's language: the appointment it prints is the one the page showed.
    assert words("%(hour)s:%(minute)s on %(date)s", hour=hour, minute=minute, date=day) in receipt, receipt

    main_navigation(page, words).get_by_role("link", name=words("My dossiers")).click()
    expect(page.get_by_role("row").filter(has=page.get_by_role("link", name=code))).to_contain_text(
        words("Submitted, waiting for intake"))
    audit(page, "my-dossiers")
    screenshot(page, "my-dossiers")
    return code


def open_own_dossier(page: Page, code: str, words: Words) -> None:
    main_navigation(page, words).get_by_role("link", name=words("My dossiers")).click()
    open_dossier(page, code)


@pytest.mark.parametrize("journey", JOURNEYS, ids=str)
def test_dossier_lifecycle(journey: Journey, live_app: Flask, live_server, open_page, audit, screenshot, couples):
    citizen, spouse = couples[JOURNEYS.index(journey)]
    words = Words(journey.lang)
    definition = get_form_definition(journey.procedure)
    applicant = open_page(*journey.size)
    code = submit(applicant, journey, live_server, citizen, spouse, audit, screenshot)

    # 2. Accepted, then a supplement is asked for and sent.
    intake = open_page(*DESKTOP)
    sign_in_officer(intake, live_server, "intake1", words, audit)
    open_from_queue(intake, words("Waiting for intake"), code, words)
    audit(intake, "officer-queue")
    screenshot(intake, "officer-queue")
    open_dossier(intake, code)
    expect_status(intake, words, "Submitted, waiting for intake", 1)
    expect(fact(intake, words("Channel and result"))).to_contain_text(words(DELIVERY_FACTS[journey.delivery]))
    audit(intake, "officer-dossier-submitted")
    screenshot(intake, "officer-dossier")
    act(intake, words, "Accept the dossier")
    expect_status(intake, words, "Accepted", 2)
    missing = definition.field("doc_legal_residence").label(journey.lang)
    act(intake, words, "Request a supplement (slip 02)", items=[missing], **{words("Reason"): UNREADABLE[journey.lang]})
    expect_status(intake, words, "Supplement requested", 5)

    open_own_dossier(applicant, code, words)
    expect_status(applicant, words, "Supplement requested", 5)
    supplement = applicant.get_by_role("region", name=words("The agency asks you to add documents"))
    expect(supplement).to_contain_text(UNREADABLE[journey.lang])
    audit(applicant, "citizen-dossier-supplement")
    file_input(supplement, words, missing).set_input_files(pdf_file("hop-dong.pdf"))
    applicant.get_by_role("button", name=words("Send the supplement")).click()
    expect(applicant.get_by_role("status")).to_have_text(
        words("Your supplement has been sent. The processing time runs again from now."))
    expect_status(applicant, words, "Accepted", 2)

    # 3. Assigned, proposed, approved and signed.
    open_from_queue(intake, words("Supplements received"), code, words)
    open_dossier(intake, code)
    act(intake, words, "Assign to a specialist", **{words("Specialist"): FULL_NAMES["specialist1"]})
    expect_status(intake, words, "Being processed", 4)

    specialist = open_page(*DESKTOP)
    sign_in_officer(specialist, live_server, "specialist1", words)
    open_from_queue(specialist, words("My dossiers"), code, words)
    open_dossier(specialist, code)
    audit(specialist, "officer-dossier-in-process")
    act(specialist, words, "Propose the result for approval",
        **{words("Proposal note (internal; printed only as the reasons of a refusal)"): DECISION[journey.lang]})
    expect_status(specialist, words, "Being processed, waiting for the leader's approval", 4)

    leader = open_page(*DESKTOP)
    sign_in_officer(leader, live_server, "leader1", words)
    open_from_queue(leader, words("Waiting for approval"), code, words)
    open_dossier(leader, code)
    expect(leader.locator(".result-body")).to_have_text(DECISION[journey.lang])
    audit(leader, "officer-dossier-approval")
    act(leader, words, "Approve and sign the result")
    expect_status(leader, words, "Processed, result ready", 9)
    result = fetch(leader, leader.get_by_role("link", name=words("Signed result (PDF)")))
    # The law's result document, filled from the dossier; the specialist's note stays internal.
    assert code in pdf_text(result) and "/verify/" in pdf_text(result)
    assert DECISION[journey.lang] not in pdf_text(result)
    check = verify_signature(live_app, result)
    assert check.is_valid and check.is_intact

    # 4. Returned the way the citizen chose.
    open_from_queue(intake, words("Results to return"), code, words)
    open_dossier(intake, code)
    audit(intake, "officer-dossier-result-ready")
    if journey.delivery == "online":
        act(intake, words, "Return the result online")
    elif journey.delivery == "post":
        act(intake, words, "Send the result by post")
        expect_status(intake, words, "Processed, result sent by post", 9)
        tracking = fact(intake, words("Postal tracking number")).inner_text().strip()
        assert S10.fullmatch(tracking) and is_valid_tracking_number(tracking), tracking
        envelope = words("Write the tracking number %(number)s on the envelope.", number=tracking)
        expect(intake.get_by_text(envelope)).to_be_visible()
        act(intake, words, "Record delivery by the post")
    else:
        act(intake, words, "Hand the result over at the counter",
            **{words("Handed over to (name and identity document)"): f"{citizen.full_name}, {citizen.personal_id}"})
    expect_status(intake, words, "Result returned", 10)
    screenshot(intake, "officer-dossier-returned")

    # 5. The citizen takes the signed result and rates the service; anyone can track it.
    open_own_dossier(applicant, code, words)
    expect_status(applicant, words, "Result returned", 10)
    if journey.delivery == "post":
        expect(applicant.get_by_text(words("Sent by post, tracking number %(number)s.", number=tracking))).to_be_visible()
    assert fetch(applicant, applicant.get_by_role("link", name=words("Download the result (PDF)"))) == result
    audit(applicant, "citizen-dossier-returned")
    screenshot(applicant, "citizen-result")
    applicant.get_by_role("group", name=words("From 1 (very dissatisfied) to 5 (very satisfied)")).get_by_label("5").check()
    applicant.get_by_label(words("Comment")).fill(words("Quick and clear."))
    applicant.get_by_role("button", name=words("Send my rating")).click()
    expect(applicant.get_by_role("status")).to_have_text(words("Thank you for your rating."))
    expect(applicant.get_by_text(words("Your rating: %(score)d of 5.", score=5))).to_be_visible()

    anyone = open_page(*journey.size)
    anyone.goto(f"{live_server}/track")
    use_language(anyone, journey.lang)
    audit(anyone, "track")
    anyone.get_by_label(words("Dossier code")).fill(code)
    anyone.get_by_role("button", name=words("Track"), exact=True).click()
    tracked = anyone.locator(".tracking-result")
    expect(fact(tracked, words("Status"))).to_have_text(
        f"{words('Result returned')} ({words('national status code %(code)d', code=10)})")
    expect(fact(tracked, words("Applicant"))).not_to_have_text(citizen.full_name)
    audit(anyone, "track-result")
    screenshot(anyone, "tracking")
    anyone.get_by_label(words("Last four digits of the applicant's personal ID")).fill(citizen.personal_id[-4:])
    anyone.get_by_role("button", name=words("Show details")).click()
    expect(fact(tracked, words("Applicant"))).to_have_text(citizen.full_name)
    anyone.goto(f"{live_server}/stats")
    expect(anyone.get_by_role("heading", level=1)).to_be_visible()
    screenshot(anyone, "statistics")
