"""One date format per language (settings.FORMAT_MODULE_PATH points here).

Django's own locale formats mix styles: English shows "May 4, 2026, 8 a.m." in one place and
"05/04/2026 8 a.m." in another. Here each language has one date and one date-and-time format, and
the short names are the same formats, so every template (|date:"DATE_FORMAT" or
"SHORT_DATETIME_FORMAT"), the admin and the emails agree. Times match the tutoring pages' CLDR
times ("9:30 AM" in English, "09:30" in Chinese).
"""
