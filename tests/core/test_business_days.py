"""core.business_days: Mexican official rest days (LFT art. 74) and the reconducción date edges."""
from datetime import date

from sistema_seguimiento.core import business_days as bd


def test_rest_days_of_2026_and_the_six_yearly_first_of_october():
    days = bd.rest_days(2026)
    assert sorted(days) == [date(2026, 1, 1), date(2026, 2, 2), date(2026, 3, 16), date(2026, 5, 1),
                            date(2026, 9, 16), date(2026, 11, 16), date(2026, 12, 25)]
    assert date(2024, 10, 1) in bd.rest_days(2024) and date(2030, 10, 1) in bd.rest_days(2030)
    assert date(2026, 10, 1) not in bd.rest_days(2026) and date(2027, 10, 1) not in bd.rest_days(2027)
    # the Mondays move: 2027 → first Monday of February is the 1st, third Monday of March the 15th
    assert bd.nth_monday(2027, 2, 1) == date(2027, 2, 1) and bd.nth_monday(2027, 3, 3) == date(2027, 3, 15)
    assert bd.nth_monday(2026, 11, 3) == date(2026, 11, 16)


def test_business_day_checks_weekends_and_holidays():
    assert bd.is_business_day(date(2026, 9, 30))  # Wednesday
    assert not bd.is_business_day(date(2026, 9, 16))  # Independencia, a Wednesday
    assert not bd.is_business_day(date(2029, 6, 30))  # Saturday
    assert not bd.is_business_day(date(2030, 10, 1))  # transmisión del Poder Ejecutivo, a Tuesday


def test_last_business_day_of_quarter():
    assert bd.last_business_day_of_quarter(2026, 3) == date(2026, 9, 30)
    assert bd.last_business_day_of_quarter(2026, 4) == date(2026, 12, 31)
    assert bd.last_business_day_of_quarter(2029, 2) == date(2029, 6, 29)  # June 30 2029 is a Saturday
    assert bd.last_business_day_of_quarter(2029, 1) == date(2029, 3, 30)  # March 31 2029 is a Saturday


def test_fifth_business_day_after_the_quarter_skips_holidays():
    # 2026-T4 closes on Thursday 31 Dec; 1 Jan 2027 (Friday) is a rest day: Jan 4, 5, 6, 7, 8
    assert bd.business_days_after_quarter(2026, 4, 5) == date(2027, 1, 8)
    assert bd.business_days_after_quarter(2026, 4, 6) == date(2027, 1, 11)
    # 2030-T3 closes on Monday 30 Sep; 1 Oct 2030 is a rest day: Oct 2, 3, 4, 7, 8
    assert bd.business_days_after_quarter(2030, 3, 5) == date(2030, 10, 8)
    # 2027-T3: no rest day after it: Oct 1 (Fri), 4, 5, 6, 7
    assert bd.business_days_after_quarter(2027, 3, 5) == date(2027, 10, 7)


def test_spanish_date():
    assert bd.fmt_date(date(2026, 9, 30)) == "30 de septiembre de 2026"
