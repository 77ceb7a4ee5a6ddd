"""Load the demo catalog: sellers, a buyer, a moderator and 36 bilingual listings with images.

Safe to run again: it does nothing when the demo data is already there.
"""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand

from marketplace.accounts.models import User
from marketplace.demo.demo_art import draw_example
from marketplace.tutoring import services as tutoring_services
from marketplace.verification import services as verification
from marketplace.verification.providers.sandbox import SANDBOX_CODE
from payments.models import DiscountCode
from payments.services import seller_onboarding_link
from payments.services.codes import code_create
from prompts import services
from prompts.bundles import bundle_create, bundle_publish
from prompts.models import Listing, ListingStatus, ScreeningAction, ScreeningList, ScreeningTerm
from prompts.moderation.decisions import listing_approve

DEMO_PASSWORD = "dimsum-demo-2026"
SELLERS = [
    ("lotus@demo.dimsum.local", "lotus-prompts", "莲花提示词工坊"),
    ("pixel@demo.dimsum.local", "pixel-forge", "Pixel Forge"),
    ("mochi@demo.dimsum.local", "mochi-studio", "麻薯工作室"),
]

DEMO_LISTINGS = Path(__file__).resolve().parents[2] / "demo_listings.json"

TEXT_EXAMPLES = {
    "en": ["Input: bamboo toothbrush, eco, soft bristles → Output: 'Brush greener every morning...'"],
    "zh-hans": ["输入：保温杯、316不锈钢、12小时保温 → 输出：『打工人续命神器！☕️ ...』"],
}


class Command(BaseCommand):
    help = "Load demo sellers, a buyer and 36 listings with example images (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(email=SELLERS[0][0]).exists():
            added = seed_tutoring_offers()  # demo data loaded before the tutoring offers existed
            seed_bundles_and_codes()  # ... or before bundles and discount codes
            self.stdout.write(f"Demo data already loaded ({added} tutoring offers added).")
            return
        sellers = [
            User.objects.create_user(email, DEMO_PASSWORD, handle=handle, display_name=name)
            for email, handle, name in SELLERS
        ]
        for index, seller in enumerate(sellers):
            seller_onboarding_link(user=seller)  # the sandbox onboards at once
            verify_demo_user(seller, index, seller=True)
        buyer = User.objects.create_user("buyer@demo.dimsum.local", DEMO_PASSWORD, handle="demo-buyer")
        verify_demo_user(buyer, len(sellers), seller=False)
        moderator = User.objects.filter(
            email="admin@demo.dimsum.local"
        ).first() or User.objects.create_superuser(
            "admin@demo.dimsum.local", DEMO_PASSWORD, handle="moderator"
        )
        screening_list, _ = ScreeningList.objects.get_or_create(
            name="Prohibited (demo)", defaults={"action": ScreeningAction.BLOCK}
        )
        ScreeningTerm.objects.bulk_create(
            [
                ScreeningTerm(screening_list=screening_list, term=t)
                for t in ("deepfake", "换脸", "裸体", "nude")
            ],
            ignore_conflicts=True,
        )
        rows = json.loads(DEMO_LISTINGS.read_text(encoding="utf-8"))
        for index, row in enumerate(rows):
            self._listing(index, sellers, row)
        # The procedural demo pictures share silhouettes across sellers, so the copied-image check
        # rightly flags some of them. The demo moderator approves those listings; the flags stay
        # open in the admin (Listing flags), which shows what a moderator would see.
        for listing in Listing.objects.filter(status=ListingStatus.PENDING_REVIEW):
            listing_approve(listing=listing, by=moderator)
        seed_tutoring_offers()
        seed_bundles_and_codes()
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {len(rows)} listings by {len(sellers)} sellers. Log in as any "
                f"*@demo.dimsum.local with password {DEMO_PASSWORD} (admin@demo.dimsum.local is staff)."
            )
        )

    def _listing(self, index: int, sellers: list[User], row: dict[str, Any]) -> None:
        seller = sellers[row.pop("seller")]
        listing = services.listing_create(
            seller=seller,
            usage_notes="Replace the [bracketed] variables with your own values.",
            example_outputs=TEXT_EXAMPLES[row["language"]] if row["target_model"] == "chatgpt" else None,
            trial_runs=3 if index % 2 == 0 else 0,  # half the demo listings can be tried before buying
            **row,
        )
        if listing.needs_preview:
            for n in range(2):
                png = draw_example(listing.category, seed=index * 10 + n)
                upload = SimpleUploadedFile(f"example-{n}.png", png, content_type="image/png")
                services.listing_image_add(listing=listing, by=seller, upload=upload)
        services.listing_submit(listing=listing, by=seller)


def seed_bundles_and_codes() -> None:
    """Per demo seller: one bundle of three paid listings of one currency at 20% off, and a code
    WELCOME10 (10% off their listings), so that `make run` shows both. Idempotent."""
    if DiscountCode.objects.filter(code="WELCOME10").exists():
        return
    for email, _handle, _name in SELLERS:
        seller = User.objects.get(email=email)
        code_create(seller=seller, code="WELCOME10", kind="percent", percent=10)
        by_currency: dict[str, list[Listing]] = {}
        for listing in Listing.objects.published().filter(seller=seller, price_amount__gt=0).order_by("pk"):
            by_currency.setdefault(listing.price_currency, []).append(listing)
        members = next((found[:3] for found in by_currency.values() if len(found) >= 3), None)
        if members is None:
            continue
        bundle = bundle_create(
            seller=seller,
            title=f"{seller.display_name} · 3 prompts / 三件套",
            description="Three of this seller's prompts together, 20% off. 本店三个提示词合购，八折。",
            discount_percent=20,
            listings=[listing.public_id for listing in members],
        )
        bundle_publish(bundle=bundle, by=seller)


# Tutoring offers of the demo sellers: (seller email, fields, weekly windows in the offer's zone).
DEMO_OFFERS: list[tuple[str, dict[str, Any], list[tuple[int, str, str]]]] = [
    (
        SELLERS[0][0],
        {
            "title": "中文 AI 绘画提示词一对一 · Chinese image prompts 1:1",
            "description": "从构图、光线到风格词，一起把你的想法写成稳定出图的提示词。\n"
            "We turn your idea into a prompt that renders reliably: composition, light, style words.",
            "languages": ["zh-hans", "en"],
            "duration_minutes": 60,
            "price_amount": 19900,
            "price_currency": "CNY",
            "buffer_after_minutes": 15,
            "min_notice_minutes": 12 * 60,
            "timezone": "Asia/Shanghai",
            "meeting_link": "https://meet.example.com/lotus-prompts",
        },
        [(day, "19:00", "22:00") for day in range(5)] + [(5, "10:00", "16:00")],
    ),
    (
        SELLERS[1][0],
        {
            "title": "Stable Diffusion and FLUX prompt review",
            "description": "Bring three prompts that almost work; we fix weights, negatives and samplers.",
            "languages": ["en"],
            "duration_minutes": 45,
            "price_amount": 4500,
            "price_currency": "EUR",
            "buffer_before_minutes": 15,
            "min_notice_minutes": 24 * 60,
            "cancel_full_refund_hours": 48,
            "timezone": "Europe/Berlin",
            "meeting_link": "https://meet.example.com/pixel-forge",
        },
        [(day, "09:00", "12:00") for day in range(5)] + [(day, "14:00", "17:00") for day in (1, 3)],
    ),
    (
        SELLERS[2][0],
        {
            "title": "ChatGPT prompts for product copy · 电商文案提示词",
            "description": "A prompt template for your shop's listings, in English or Chinese.",
            "languages": ["en", "zh-hans"],
            "duration_minutes": 30,
            "price_amount": 2500,
            "price_currency": "USD",
            "min_notice_minutes": 6 * 60,
            "timezone": "America/Los_Angeles",
            "meeting_link": "https://meet.example.com/mochi-studio",
        },
        [(day, "18:00", "21:00") for day in (1, 3)] + [(6, "09:00", "12:00")],
    ),
]


def seed_tutoring_offers() -> int:
    """One tutoring offer per demo seller who has none yet, with weekly hours; returns how many."""
    added = 0
    for email, fields, windows in DEMO_OFFERS:
        seller = User.objects.filter(email=email).first()
        if seller is None or seller.tutoring_offers.exists():
            continue
        offer = tutoring_services.offer_create(seller=seller, **fields)
        tutoring_services.availability_set(
            offer=offer,
            weekly=[
                tutoring_services.Rule(day, time.fromisoformat(start), time.fromisoformat(end))
                for day, start, end in windows
            ],
            overrides=[],
        )
        added += 1
    return added


def verify_demo_user(user: User, index: int, *, seller: bool) -> None:
    """Where verification is required (COMPLIANCE_PROFILE=cn), the sandbox verifies the demo users:
    a phone for everyone, a made-up resident ID number (valid checksum, one per seller) for sellers."""
    if not settings.VERIFICATION_REQUIRED or settings.VERIFICATION_PROVIDER != "sandbox":
        return
    verification.phone_code_send(user=user, phone=f"1380000{index:04d}")
    verification.phone_code_confirm(user=user, code=SANDBOX_CODE)
    if seller:
        body = f"1101051990010{index:03d}1"
        weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
        check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
        verification.identity_verify(user=user, name="演示卖家", id_number=body + check)
