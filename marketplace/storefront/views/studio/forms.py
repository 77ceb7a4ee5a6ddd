"""The listing editor's forms: every field the seller listings API takes.

Forms only parse what a person typed (a price in major units, tags separated by commas, one
"name: value" line per variable example); the rules live in prompts' services, which the views
call exactly as the API does, and whose refusals come back as errors next to the field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from marketplace.core.money import CURRENCIES, get_currency, too_many_decimals
from marketplace.storefront import labels
from marketplace.storefront.views.tutoring.tutor_forms import major_units
from prompts import selectors
from prompts.cleaning import MAX_EXAMPLE_OUTPUTS, MAX_TAGS
from prompts.models import TRIAL_RUNS_MAX, Listing

EXAMPLE_FIELDS = [f"example_output_{n}" for n in range(1, MAX_EXAMPLE_OUTPUTS + 1)]
# Form field -> the service's keyword (the rest have the same name in both).
SERVICE_NAME = {"price": "price_amount", "currency": "price_currency"}
# A service's field name -> where its error shows in the form.
FORM_FIELD_OF = {
    "price_amount": "price",
    "price.amount": "price",
    "price_currency": "currency",
    "price.currency": "currency",
    "example_outputs": EXAMPLE_FIELDS[0],
}


def _choices(names: dict[str, Any]) -> list[tuple[str, Any]]:
    return list(names.items())


class QuickSelect(forms.Select):
    """A plain <select>, written here rather than through Django's widget templates.

    The editor has five selects with 33 options; the template path renders two templates per
    option and made up half of the editor's server time (bench/pages.py). Same markup.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) == chosen else "", label)
                for key, label in self.choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options
        )


class QuickTextarea(forms.Textarea):
    """A <textarea> written here, for the same reason as QuickSelect (the editor has eleven)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        text = self.format_value(value) or ""
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>', name, flatatt(self.build_attrs(self.attrs, attrs)), text
        )


def _textarea(rows: int, **attrs: str) -> QuickTextarea:
    return QuickTextarea(attrs={"rows": rows, **attrs})


class ListingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=_textarea(5),
        help_text=_("What the prompt makes and what makes it good. Buyers read this before buying."),
    )
    language = forms.ChoiceField(
        label=_("Language of the listing"), choices=_choices(labels.LANGUAGES), widget=QuickSelect
    )
    target_model = forms.ChoiceField(label=_("Model"), choices=_choices(labels.MODELS), widget=QuickSelect)
    category = forms.ChoiceField(label=_("Category"), choices=_choices(labels.CATEGORIES), widget=QuickSelect)
    tags = forms.CharField(
        label=_("Tags"),
        max_length=MAX_TAGS * 32,
        required=False,
        help_text=_("Separated by commas, at most 10, e.g. neon, koi, wallpaper."),
    )
    price = forms.DecimalField(
        label=_("Price"),
        min_value=Decimal(0),
        max_digits=14,
        required=False,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=_("In the currency's usual units, e.g. 4.99; leave empty or 0 for a free listing."),
    )
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[(code, code) for code in CURRENCIES], widget=QuickSelect
    )
    trial_runs = forms.TypedChoiceField(
        label=_("Trial runs per buyer"),
        choices=[(n, str(n)) for n in range(TRIAL_RUNS_MAX + 1)],
        coerce=int,
        empty_value=0,  # type: ignore[arg-type]  # an unset field (an older form) means trials off
        required=False,
        initial=0,
        widget=QuickSelect,
        help_text=_(
            "Signed-in buyers may render the prompt with their own values this many times before "
            "buying; they see a small, watermarked result, never the prompt. 0 turns trials off."
        ),
    )
    prompt_text = forms.CharField(
        label=_("Prompt"),
        max_length=20_000,
        strip=False,
        widget=_textarea(8, spellcheck="false", **{"data-variables": ""}),
        help_text=_(
            "Only buyers who unlock the listing read it. Put the parts a buyer fills in between "
            "square brackets, e.g. [subject] or [colour]."
        ),
    )
    variable_examples = forms.CharField(
        label=_("Example values"),
        required=False,
        widget=_textarea(3, spellcheck="false"),
        help_text=_(
            "One per line as name: value, e.g. subject: a koi fish. The platform fills them in "
            "when it renders example images of the prompt."
        ),
    )
    usage_notes = forms.CharField(
        label=_("Usage notes"),
        max_length=5000,
        required=False,
        widget=_textarea(3),
        help_text=_("Settings and tips for buyers; shown with the prompt once unlocked."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, name in enumerate(EXAMPLE_FIELDS, start=1):
            self.fields[name] = forms.CharField(
                label=_("Example output %(number)s") % {"number": number},
                max_length=4000,
                required=False,
                widget=_textarea(3),
            )

    @classmethod
    def for_new(cls, data: Any = None) -> ListingForm:
        chinese = translation.get_language() == "zh-hans"
        initial = {
            "language": "zh-hans" if chinese else "en",
            "currency": "CNY" if chinese else "USD",
            "trial_runs": 0,
        }
        return cls(data, initial=initial)

    @classmethod
    def for_listing(cls, listing: Listing, data: Any = None) -> ListingForm:
        version = selectors.current_version(listing)
        initial: dict[str, Any] = {
            "title": listing.title,
            "description": listing.description,
            "language": listing.language,
            "target_model": listing.target_model,
            "category": listing.category,
            "tags": ", ".join(sorted(tag.slug for tag in listing.tags.all())),
            "price": major_units(listing.price_amount, listing.price_currency)
            if listing.price_amount
            else None,
            "currency": listing.price_currency,
            "trial_runs": listing.trial_runs,
            "prompt_text": version.text if version else "",
            "usage_notes": version.usage_notes if version else "",
            "variable_examples": "\n".join(
                f"{name}: {value}" for name, value in (version.variable_examples if version else {}).items()
            ),
        }
        initial.update(zip(EXAMPLE_FIELDS, listing.example_outputs, strict=False))
        return cls(data, initial=initial)

    @property
    def example_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in EXAMPLE_FIELDS]

    def clean_tags(self) -> list[str]:
        # Chinese keyboards type "，" or "、" between words; each separates tags like ",".
        text = str(self.cleaned_data["tags"]).replace("，", ",").replace("、", ",")
        return [tag.strip() for tag in text.split(",") if tag.strip()]

    def clean_variable_examples(self) -> dict[str, str]:
        examples: dict[str, str] = {}
        for number, line in enumerate(str(self.cleaned_data["variable_examples"]).splitlines(), start=1):
            if not line.strip():
                continue
            # The first colon splits, ASCII or a Chinese keyboard's "：".
            cut = min((at for at in (line.find(":"), line.find("：")) if at >= 0), default=-1)
            name, value = line[:cut], line[cut + 1 :]
            if cut < 0 or not name.strip():
                raise forms.ValidationError(
                    _("Line %(number)s: write it as name: value, e.g. subject: a koi fish.")
                    % {"number": number}
                )
            examples[name.strip().strip("[]").strip()] = value.strip()
        return examples

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        price, code = cleaned.get("price"), cleaned.get("currency")
        if code:
            cleaned["price"] = self._minor_units(price or Decimal(0), code)
        cleaned["example_outputs"] = [
            str(cleaned[name]).strip() for name in EXAMPLE_FIELDS if str(cleaned.get(name) or "").strip()
        ]
        return cleaned

    def _minor_units(self, price: Decimal, code: str) -> int:
        """The typed price in minor units (JPY has none); an error on the price field if it has too
        many decimals. The price rules themselves (minimum, maximum) are the service's."""
        exponent = get_currency(code).exponent
        minor = price.scaleb(exponent)
        if minor != minor.to_integral_value():
            self.add_error("price", too_many_decimals(code))
            return 0
        return int(minor)

    def service_fields(self, *, only_changed: bool = False) -> dict[str, Any]:
        """What the services take, named as they name it; on edit, only what the seller changed."""
        names = [
            "title", "description", "language", "target_model", "category", "tags", "price",
            "currency", "trial_runs", "prompt_text", "variable_examples", "usage_notes",
        ]  # fmt: skip
        changed = set(self.changed_data)
        fields = {
            SERVICE_NAME.get(name, name): self.cleaned_data[name]
            for name in names
            if not only_changed or name in changed or (name == "currency" and "price" in changed)
        }
        if not only_changed or changed & set(EXAMPLE_FIELDS):
            fields["example_outputs"] = self.cleaned_data["example_outputs"]
        if only_changed and "price_currency" in fields:
            fields["price_amount"] = self.cleaned_data["price"]  # a currency needs its amount
        return fields


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Django's documented pattern for <input type=file multiple>: each file is checked alone."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/avif"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class ImageUploadForm(forms.Form):
    """Several example images at once; each goes through the API's upload service on its own."""

    images = MultipleFileField(
        label=_("Add example images"),
        error_messages={
            "required": _("Choose one or more image files first."),
            "empty": _("A file is empty; choose an image file (PNG, JPEG, WebP or AVIF)."),
        },
        help_text=_("PNG, JPEG, WebP or AVIF; at most 15 MB and 40 megapixels each, 12 images per listing."),
    )
    ai_declared = forms.BooleanField(
        required=False,
        label=_("These images are AI-generated"),
        help_text=_(
            "China's labelling rules ask you to say so. The listing then shows \"declared AI-generated by "
            "the seller\" beside each image, unless the file's own metadata already says it."
        ),
    )
