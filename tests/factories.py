"""Test data built through the same services the product uses."""

from __future__ import annotations

import io
from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from PIL import Image

from marketplace.accounts.models import User
from prompts import services
from prompts.models import Listing

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    handle = factory.Sequence(lambda n: f"user-{n}")
    display_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


def png_bytes(
    width: int = 64, height: int = 48, colour: tuple[int, int, int] = (200, 30, 30), **save: Any
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG", **save)
    return buffer.getvalue()


def png_upload(name: str = "example.png", **kwargs: Any) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(**kwargs), content_type="image/png")


DEFAULTS: dict[str, Any] = {
    "title": "Neon koi wallpaper",
    "description": "Koi fish glowing in a neon pond.",
    "target_model": "stable-diffusion",
    "category": "wallpaper",
    "prompt_text": "glowing [animal] in a neon pond, 8k wallpaper",
    "price_amount": 499,
    "price_currency": "USD",
    "tags": ["neon", "koi"],
}


def onboard(user: User) -> User:
    """Give the seller a payout account (the sandbox onboards at once), as paid listings need."""
    from payments.services import seller_onboarding_link

    seller_onboarding_link(user=user)
    user.refresh_from_db()
    return user


def make_listing(seller: User, *, publish: bool = False, **fields: Any) -> Listing:
    """A draft through listing_create; with publish=True also an image and a submit (auto review).

    On-commit work (preview rendering, public documents) runs as it would after each real commit.
    """
    with TestCase.captureOnCommitCallbacks(execute=True):
        listing = services.listing_create(seller=seller, **{**DEFAULTS, **fields})
    if publish:
        if listing.price_amount > 0 and not seller.can_accept_payments:
            onboard(seller)
        with TestCase.captureOnCommitCallbacks(execute=True):
            if listing.needs_preview:
                services.listing_image_add(listing=listing, by=seller, upload=png_upload())
            elif not listing.example_outputs:
                services.listing_update(
                    listing=listing, by=seller, changes={"example_outputs": ["An example."]}
                )
        with TestCase.captureOnCommitCallbacks(execute=True):
            services.listing_submit(listing=listing, by=seller)
    listing.refresh_from_db()
    return listing


def make_mixed_currency_listings(seller: Any) -> dict[str, Any]:
    """Four published text listings whose amounts alone sort differently from their real value.

    At the shipped rates: €5.00 ≈ $5.43 ≈ ¥39, ¥50.00 (CNY) ≈ $6.96, $10.00 ≈ ¥71.80,
    ¥2,000 (JPY) ≈ $13.33; by amount alone they would read €5, $10, ¥2,000, ¥50."""
    shop = {"eur": ("Euro prompt", 500), "cny": ("Yuan prompt", 5000), "usd": ("Dollar prompt", 1000)}
    shop["jpy"] = ("Yen prompt", 2000)
    return {
        key: make_listing(
            seller,
            publish=True,
            title=title,
            target_model="chatgpt",
            category="product",
            example_outputs=["An example."],
            price_amount=amount,
            price_currency=key.upper(),
        )
        for key, (title, amount) in shop.items()
    }
