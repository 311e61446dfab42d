"""English dates as the site writes them everywhere (British order, 24-hour clock: « 7 December
2026, 16:40 »), in the formats Django reads by name (the leaders' history, the admin): its own
English ones are American (« Dec. 7, 2026, 4:40 p.m. »). Numbers keep Django's English formats."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
