"""The tutor's weekly hours (a few from/to pairs per weekday) and date overrides (a day off, or other hours).

Times are wall-clock times in the offer's zone. The forms check what a person typed (both ends given,
end after start, no overlaps) and hand availability_set the rules, as the API's PUT does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from itertools import pairwise
from typing import Any, cast

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from marketplace.core.dates import validate_in_range
from marketplace.tutoring.models import TutoringOffer
from marketplace.tutoring.services import Override, Rule

WINDOWS_PER_DAY = 3
MAX_OVERRIDES = 400


def _time_field(label: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


@dataclass
class DayRow:
    """One weekday of the form: its name and its (from, to) bound field pairs."""

    name: str
    windows: list[tuple[forms.BoundField, forms.BoundField]]


class WeeklyHoursForm(forms.Form):
    """Up to WINDOWS_PER_DAY from/to pairs per weekday (more if the API set more), wall-clock times."""

    def __init__(self, *args: Any, slots_per_day: int = WINDOWS_PER_DAY, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slots_per_day = slots_per_day
        for day in range(7):
            for n in range(slots_per_day):
                self.fields[f"d{day}_{n}_from"] = _time_field(_("From"))
                self.fields[f"d{day}_{n}_to"] = _time_field(_("To"))
        self.rules: list[Rule] = []

    @classmethod
    def for_offer(cls, offer: TutoringOffer, data: Any = None) -> WeeklyHoursForm:
        per_day: dict[int, list[tuple[time, time]]] = {}
        for rule in offer.weekly.all():
            per_day.setdefault(rule.weekday, []).append((rule.start_time, rule.end_time))
        slots = max([WINDOWS_PER_DAY, *(len(windows) for windows in per_day.values())])
        initial = {}
        for day, windows in per_day.items():
            for n, (start, end) in enumerate(windows):
                initial[f"d{day}_{n}_from"], initial[f"d{day}_{n}_to"] = start, end
        return cls(data, initial=initial, slots_per_day=slots)

    def days(self) -> list[DayRow]:
        return [
            DayRow(
                name=str(WEEKDAYS[day]),
                windows=[
                    (self[f"d{day}_{n}_from"], self[f"d{day}_{n}_to"]) for n in range(self.slots_per_day)
                ],
            )
            for day in range(7)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.rules = []
        for day in range(7):
            windows = []
            for n in range(self.slots_per_day):
                window = _window(self, cleaned, f"d{day}_{n}_from", f"d{day}_{n}_to")
                if window is not None:
                    windows.append((window, f"d{day}_{n}_from"))
            windows.sort()
            for (earlier, _name), (later, name) in pairwise(windows):
                if later[0] < earlier[1]:
                    self.add_error(name, _("This overlaps another window on the same day."))
            self.rules += [Rule(day, start, end) for (start, end), _name in windows]
        return cleaned


def _window(
    form: forms.Form, cleaned: dict[str, Any], start_name: str, end_name: str
) -> tuple[time, time] | None:
    """A checked (from, to) pair: None when both are empty or one of them has an error."""
    start, end = cleaned.get(start_name), cleaned.get(end_name)
    if start_name in form.errors or end_name in form.errors or (start is None and end is None):
        return None
    if start is None or end is None:
        form.add_error(start_name if start is None else end_name, _("Give both a start and an end."))
        return None
    if start >= end:
        form.add_error(end_name, _("The end must be after the start."))
        return None
    return start, end


# --- date overrides and days off --------------------------------------------------------------------


class OverrideForm(forms.Form):
    """One date: no hours is a day off; hours replace that day's weekly hours."""

    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_in_range],
    )
    start = _time_field(_("From"))
    end = _time_field(_("To"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "date" in self.errors:
            return cleaned
        window = _window(self, cleaned, "start", "end")
        has_time = cleaned.get("start") is not None or cleaned.get("end") is not None
        if cleaned.get("date") is None and has_time:
            self.add_error("date", _("Which date are these hours for?"))
        cleaned["window"] = window
        return cleaned


class BaseOverrideFormSet(BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")

    def clean(self) -> None:
        super().clean()
        self.overrides: list[Override] = []
        if any(self.errors):
            return
        by_date: dict[date, list[tuple[time, time] | None]] = {}
        for form in self.forms:
            if form.cleaned_data.get("DELETE") or not form.cleaned_data.get("date"):
                continue
            windows = by_date.setdefault(form.cleaned_data["date"], [])
            window = form.cleaned_data.get("window")
            if window is None and None in windows:
                continue  # the same day off twice
            if (window is None and windows) or (window is not None and None in windows):
                form.add_error("date", _("This date is listed as a day off and with hours; keep one."))
                continue
            if window is not None and any(w and w[0] < window[1] and window[0] < w[1] for w in windows):
                form.add_error("start", _("This overlaps other hours on the same date."))
                continue
            windows.append(window)
        for day, windows in sorted(by_date.items()):
            if windows == [None]:
                self.overrides.append(Override(day, None, None, blackout=True))
            else:
                self.overrides += [
                    Override(day, w[0], w[1], blackout=False) for w in sorted(w for w in windows if w)
                ]


OverrideFormSet = cast(
    type[BaseOverrideFormSet],
    formset_factory(
        OverrideForm,
        formset=BaseOverrideFormSet,
        extra=3,
        can_delete=True,
        max_num=MAX_OVERRIDES,
        validate_max=True,
    ),
)
