"""Times as staff read them: in the clinic's time zone, with the zone named.

The console and the command line print stored UTC moments through `clinic_time`, so a time
reads the same, and says which clock it is on, wherever staff look at it.
"""

from __future__ import annotations

from datetime import datetime, tzinfo


def clinic_time(moment: datetime, tz: tzinfo) -> str:
    """`moment` (timezone-aware) in the clinic's zone, e.g. '2026-03-02 09:30 PST'."""
    local = moment.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or tz}"
