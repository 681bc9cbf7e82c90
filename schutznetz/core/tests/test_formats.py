"""English pages write dates day first and times on the 24-hour clock, like the German ones."""

import datetime

from django.utils import formats, translation


def test_english_dates_and_times_read_like_the_german_ones():
    moment = datetime.datetime(2026, 11, 5, 14, 7)
    with translation.override("en"):
        assert formats.date_format(moment.date(), "SHORT_DATE_FORMAT") == "05/11/2026"
        assert formats.date_format(moment.date()) == "5 November 2026"
        assert formats.time_format(moment.time()) == "14:07"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "05/11/2026 14:07"
    with translation.override("de"):
        assert formats.date_format(moment.date(), "SHORT_DATE_FORMAT") == "05.11.2026"
        assert formats.time_format(moment.time()) == "14:07"
