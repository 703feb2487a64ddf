"""The shortcuts the hot pages take in their language work (issue 19) say what Flask-Babel says:
dates written as Babel writes them, templates translated in the locale in force at each string."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from flask import render_template_string
from flask_babel import force_locale, format_date, format_datetime, refresh
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.i18n import day, moment

MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 31))


@settings(max_examples=300, deadline=None)
@given(value=MOMENTS, aware=st.booleans(), lang=st.sampled_from(["vi", "en"]))
def test_dates_and_times_read_as_babel_writes_them(app, value, aware, lang):
    """Naive values are UTC, aware ones are shifted; both land in Vietnam's time zone, across
    midnight and the turn of the year."""
    if aware:
        value = value.replace(tzinfo=timezone(timedelta(hours=-5)))
    with app.test_request_context(), force_locale(lang):
        assert moment(value) == format_datetime(value, "HH:mm dd/MM/yyyy")
        assert day(value) == format_date(value, "dd/MM/yyyy")
        assert day(value.date()) == format_date(value.date(), "dd/MM/yyyy")


def test_a_day_just_before_midnight_utc_is_the_next_day_in_vietnam(app):
    with app.test_request_context():
        assert day(datetime(2026, 12, 31, 17, 30)) == "01/01/2027"
        assert moment(datetime(2026, 12, 31, 17, 30)) == "00:30 01/01/2027"
        assert day(date(2026, 12, 31)) == "31/12/2026"
        assert (day(None), moment(None)) == ("", "")


def test_templates_translate_in_the_locale_in_force_at_each_string(app):
    """A page in Vietnamese that writes an English message inside (a notification to someone who
    reads English) gets each in its language, and Vietnamese again after."""
    template = "{{ _('Track a dossier') }}"
    with app.test_request_context():
        before = render_template_string(template)
        with force_locale("en"):
            inside = render_template_string(template)
        after = render_template_string(template)
        refresh()  # the locale chosen again, as after a change of language
        refreshed = render_template_string(template)
    assert inside == "Track a dossier"
    assert before == after == refreshed != inside


def test_underscore_in_a_template_says_what_jinja_gettext_says(app):
    """``_()`` in a template is the portal's one-call translation; it answers as Jinja's own
    newstyle ``gettext`` does: translated, its variables escaped, ``%%`` read as ``%``."""
    pairs = [
        ("_('%(pct)d %% sooner online', pct=20)", "gettext('%(pct)d %% sooner online', pct=20)"),
        ("_('No dossier has the code %(code)s. Check the code on your receipt.', code='<b>X</b>')",
         "gettext('No dossier has the code %(code)s. Check the code on your receipt.', code='<b>X</b>')"),
        ("_('Track a dossier')", "gettext('Track a dossier')"),
        ("_('All 100%% online')", "gettext('All 100%% online')"),
    ]
    for lang in ("vi", "en"):
        with app.test_request_context(), force_locale(lang):
            for ours, jinjas in pairs:
                assert render_template_string("{{ " + ours + " }}") == render_template_string("{{ " + jinjas + " }}")
    with app.test_request_context(), force_locale("vi"):
        sooner = render_template_string("{{ _('%(pct)d %% sooner online', pct=20) }}")
        escaped = render_template_string("{{ _('No dossier has the code %(code)s. Check the code on your receipt.', code='<b>X</b>') }}")
    assert sooner == "Trả kết quả sớm 20 % khi nộp trực tuyến"
    assert "&lt;b&gt;X&lt;/b&gt;" in escaped and "<b>" not in escaped
    with app.test_request_context():
        assert render_template_string("{{ _('%(string)s', string='<i>') }}") == "&lt;i&gt;"
        assert render_template_string("{{ _('All 100%% online') }}") == "All 100% online"


def test_python_gettext_says_what_flask_babel_says(app):
    """``portal.i18n.gettext`` and ``lazy_gettext`` (what the Python code translates with) give
    Flask-Babel's text in the locale in force at each call: formatted with their variables, in
    English inside ``force_locale``, in Vietnamese again after, and untranslated outside an
    application."""
    import flask_babel

    from portal.i18n import gettext, lazy_gettext

    cases = [("Track a dossier", {}), ("submitted from %(day)s", {"day": "01/12/2026"}),
             ("Online", {})]
    label = lazy_gettext("Online")
    with app.test_request_context():
        for text, variables in cases:
            assert gettext(text, **variables) == flask_babel.gettext(text, **variables)
        vietnamese = gettext("Online")
        assert vietnamese != "Online" and str(label) == vietnamese
        with force_locale("en"):
            assert gettext("Online") == flask_babel.gettext("Online") == "Online" == str(label)
        assert gettext("Online") == str(label) == vietnamese
    assert gettext("Online") == "Online"  # no application: the message id, as Flask-Babel's
