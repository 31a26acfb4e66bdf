"""The parameter checks of the public routes, without a database (plain pytest)."""

from datetime import date, datetime

import pytest

from odoo.addons.smartbook_website.tools import booking_params as bp


def test_ids_are_positive_ints_only():
    assert bp.parse_id({"service_id": 7}, "service_id") == 7
    assert bp.parse_id({}, "employee_id", required=False) is None
    for value, reason in ((None, "missing"), (True, "type"), ("7", "type"), (7.0, "type"), (0, "range")):
        with pytest.raises(bp.InvalidParam) as caught:
            bp.parse_id({"service_id": value}, "service_id")
        assert (caught.value.name, caught.value.reason) == ("service_id", reason)
    with pytest.raises(bp.InvalidParam):
        bp.parse_id({"service_id": 2**31}, "service_id")


def test_text_is_stripped_capped_and_cleaned():
    assert bp.parse_text({"name": "  Ana\x00 Díaz \n"}, "name", required=True) == "Ana Díaz"
    assert bp.parse_text({}, "note") == ""
    assert bp.parse_text({"note": "line 1\nline 2"}, "note") == "line 1\nline 2"
    with pytest.raises(bp.InvalidParam) as caught:
        bp.parse_text({"name": "x" * 129}, "name")
    assert caught.value.reason == "too_long"
    for value in (None, "", "   ", "\x00"):
        with pytest.raises(bp.InvalidParam):
            bp.parse_text({"name": value}, "name", required=True)
    with pytest.raises(bp.InvalidParam):
        bp.parse_text({"name": {"a": 1}}, "name")


def test_booleans_and_emails():
    assert bp.parse_bool({}, "consent_sms") is False
    assert bp.parse_bool({"consent_sms": True}, "consent_sms") is True
    for value in ("true", 1, "yes"):
        with pytest.raises(bp.InvalidParam):
            bp.parse_bool({"consent_sms": value}, "consent_sms")
    assert bp.parse_email({"email": " Ana@Example.COM "}) == "ana@example.com"
    assert bp.parse_email({}) == ""
    for value in ("ana", "ana@", "a b@example.com", "<a@b.c>", "a@b"):
        with pytest.raises(bp.InvalidParam):
            bp.parse_email({"email": value})


def test_start_needs_its_offset():
    assert bp.parse_start({"start": "2027-03-29T10:00:00+02:00"}) == datetime(2027, 3, 29, 8, 0)
    assert bp.parse_start({"start": "2027-03-29T10:00Z"}) == datetime(2027, 3, 29, 10, 0)
    assert bp.parse_start({"start": "2027-03-29T10:00:00-0500"}) == datetime(2027, 3, 29, 15, 0)
    for value in (
        "2027-03-29T10:00:00",
        "2027-03-29",
        "29/03/2027 10:00+02:00",
        "2027-02-30T10:00Z",
        5,
        None,
    ):
        with pytest.raises(bp.InvalidParam):
            bp.parse_start({"start": value})


def test_dates_time_zones_and_windows():
    assert bp.parse_date({"date_from": "2027-03-29"}, "date_from") == date(2027, 3, 29)
    for value in ("2027-3-29", "2027-02-30", "29.03.2027", 20270329):
        with pytest.raises(bp.InvalidParam):
            bp.parse_date({"date_from": value}, "date_from")
    assert bp.parse_tz({}, default="Europe/Madrid") == "Europe/Madrid"
    assert bp.parse_tz({"tz": "America/Sao_Paulo"}) == "America/Sao_Paulo"
    for value in ("Mars/Base", "x" * 100, 3):
        with pytest.raises(bp.InvalidParam):
            bp.parse_tz({"tz": value})
    today = date(2027, 3, 1)
    bp.check_window(date(2027, 3, 1), date(2027, 5, 2), today)  # 62 days
    for date_from, date_to in (
        (date(2027, 3, 1), date(2027, 5, 3)),  # 63 days
        (date(2027, 3, 2), date(2027, 3, 2)),
        (date(2027, 3, 3), date(2027, 3, 2)),
        (date(2027, 2, 28), date(2027, 3, 2)),  # starts in the past
    ):
        with pytest.raises(bp.InvalidParam):
            bp.check_window(date_from, date_to, today)


def test_local_days_across_a_clock_change():
    # Europe/Madrid moves to summer time on 2027-03-28
    start, end = bp.local_window_to_utc(date(2027, 3, 28), date(2027, 3, 29), "Europe/Madrid")
    assert (start, end) == (datetime(2027, 3, 27, 23, 0), datetime(2027, 3, 28, 22, 0))
    assert bp.to_local_iso(datetime(2027, 3, 28, 8, 0), "Europe/Madrid") == "2027-03-28T10:00:00+02:00"
    assert bp.local_today(datetime(2027, 3, 27, 23, 30), "Europe/Madrid") == date(2027, 3, 28)
    days = bp.compact_days(
        [datetime(2027, 3, 27, 22, 30), datetime(2027, 3, 28, 8, 0), datetime(2027, 3, 28, 8, 0)],
        "Europe/Madrid",
    )
    assert days == {"2027-03-27": ["23:30"], "2027-03-28": ["10:00"]}


def test_rate_limit_arithmetic():
    assert bp.parse_rate_limit(None) == 20
    assert bp.parse_rate_limit("0") == 0
    assert bp.parse_rate_limit(" 5 ") == 5
    assert bp.parse_rate_limit("many") == 20
    assert bp.parse_rate_limit("-4") == 0
    assert not bp.over_limit({"ip:a": 2, "phone:b": 0}, 3)
    assert bp.over_limit({"ip:a": 2, "phone:b": 3}, 3)
    assert not bp.over_limit({"ip:a": 1000}, 0), "0 turns the limit off"
    key = bp.attempt_key("phone", "+34612345678", "secret")
    assert key.startswith("phone:") and "612345678" not in key
    assert key == bp.attempt_key("phone", "+34612345678", "secret")
    assert key != bp.attempt_key("phone", "+34612345678", "other secret")
