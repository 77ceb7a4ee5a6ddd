"""Load the demo catalog: sellers, a buyer, a moderator and 36 bilingual listings with images.

Safe to run again: it does nothing when the demo data is already there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand

from marketplace.accounts.models import User
from payments.services import seller_onboarding_link
from prompts import services
from prompts.demo_art import draw_example
from prompts.models import Listing, ListingStatus, ScreeningAction, ScreeningList, ScreeningTerm

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
            self.stdout.write("Demo data already loaded.")
            return
        sellers = [
            User.objects.create_user(email, DEMO_PASSWORD, handle=handle, display_name=name)
            for email, handle, name in SELLERS
        ]
        for seller in sellers:
            seller_onboarding_link(user=seller)  # the sandbox onboards at once
        User.objects.create_user("buyer@demo.dimsum.local", DEMO_PASSWORD, handle="demo-buyer")
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
            services.listing_approve(listing=listing, by=moderator)
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
            **row,
        )
        if listing.needs_preview:
            for n in range(2):
                png = draw_example(listing.category, seed=index * 10 + n)
                upload = SimpleUploadedFile(f"example-{n}.png", png, content_type="image/png")
                services.listing_image_add(listing=listing, by=seller, upload=upload)
        services.listing_submit(listing=listing, by=seller)
