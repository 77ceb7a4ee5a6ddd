"""The bench database: created once, topped up to N published listings with COPY.

Rows look like the real catalog: a few sellers, every target model and category, free and paid
listings in several currencies, half of them Chinese, tags, one PromptVersion each, and the
card/detail documents rendered per row by prompts.documents. Django must be set up first.
"""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from harness import ROOT, BenchError

DETAIL_ID_SAMPLE = 5000
CHUNK = 10_000


def ensure_database(database_url: str) -> None:
    """CREATE DATABASE if it does not exist (connects to the server's 'postgres' database)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"Created database {name}.")
    except psycopg.OperationalError as exc:
        raise BenchError(f"Cannot reach PostgreSQL at {admin_url}: {exc}".strip()) from None


SELLERS = [
    ("bench-lotus", "莲花提示词工坊"),
    ("bench-pixel", "Pixel Forge"),
    ("bench-mochi", "麻薯工作室"),
    ("bench-aurora", "Aurora Prompt Lab"),
    ("bench-bamboo", "竹影设计"),
]
EXTRA_SENTENCES = {
    "en": [
        "Includes twelve tested variations and a short guide to swapping the variables.",
        "Works best at 2:3 or 9:16; upscale once for print.",
        "Every example in the gallery was produced with this exact prompt and the default seed.",
        "Tuned over forty iterations so that hands, text and fine patterns stay clean.",
    ],
    "zh-hans": [
        "附赠十二组已验证的变体，以及替换变量的简短说明。",
        "推荐使用2:3或9:16画幅，打印前放大一次即可。",
        "示例图全部使用本提示词和默认种子生成，所见即所得。",
        "经过四十多轮调试，手部、文字和细密花纹都能保持干净。",
    ],
}
TITLE_SUFFIXES = {
    "en": ["Vol. {n}", "Pack {n}", "Series {n}", "Edition {n}"],
    "zh-hans": ["第{n}辑", "合集{n}", "系列{n}", "{n}号"],
}
CURRENCY_BY_LANGUAGE = {
    "en": ["USD"] * 6 + ["EUR", "GBP", "JPY", "AUD"],
    "zh-hans": ["CNY"] * 8 + ["HKD", "USD"],
}
TEXT_EXAMPLES = {
    "en": ["Input: bamboo toothbrush, eco, soft bristles → Output: 'Brush greener every morning...'"],
    "zh-hans": ["输入：保温杯、316不锈钢、12小时保温 → 输出：『打工人续命神器！☕️ ...』"],
}


def _sellers() -> list[Any]:
    from marketplace.accounts.models import User

    sellers = []
    for handle, name in SELLERS:
        user = User.objects.filter(handle=handle).first()
        if user is None:
            user = User(email=f"{handle}@bench.dimsum.local", handle=handle, display_name=name)
            user.set_unusable_password()
            user.save()
        sellers.append(user)
    return sellers


def _tag_ids(templates: list[dict[str, Any]]) -> dict[str, int]:
    from prompts.cleaning import normalize_tag
    from prompts.models import Tag

    slugs = {normalize_tag(tag) for row in templates for tag in row["tags"]}
    Tag.objects.bulk_create([Tag(slug=slug) for slug in sorted(slugs)], ignore_conflicts=True)
    return dict(Tag.objects.filter(slug__in=slugs).values_list("slug", "id"))


def _previews(rng: random.Random, count: int) -> list[dict[str, Any]]:
    from prompts.documents import preview_json
    from prompts.models import ListingImage, new_public_id

    previews = []
    for _ in range(count):
        ratio = rng.choice([(1, 1), (2, 3), (9, 16), (16, 9), (4, 3)])
        image = ListingImage(public_id=new_public_id(), width=1280, height=1280 * ratio[1] // ratio[0])
        platform = rng.random() < 0.3
        _set_if_present(  # fields of newer schemas; older ones render without them
            image,
            blurhash="LEHV6nWB2yk8pyo0adR*.7kCMdnj"[: rng.randrange(20, 29)],
            dominant_color=f"#{rng.randrange(0x1000000):06x}",
            source="platform" if platform else "seller",
            generator={"model": "sdxl", "seed": rng.randrange(2**31)} if platform else {},
        )
        image.renditions = [
            {"width": w, "height": w * ratio[1] // ratio[0], "name": f"previews/{image.public_id}/{w}.webp"}
            for w in (1280, 640, 320)
        ]
        previews.append(preview_json(image))
    return previews


def _row(model_fields: list[Any], instance: Any, connection: Any) -> tuple[Any, ...]:
    """An unsaved model instance as COPY values: every column, through the field's own adaptation."""
    return tuple(
        field.get_db_prep_save(getattr(instance, field.attname), connection) for field in model_fields
    )


def _listing_rows(
    *, ids: list[int], start: int, rng: random.Random, templates: list[dict[str, Any]], sellers: list[Any],
    tag_ids: dict[str, int], now: datetime,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[int, int]]]:  # fmt: skip
    """Rows for prompts_listing (all columns), prompts_promptversion (all but id) and the tag table.

    Listing and PromptVersion are built as unsaved model instances, so columns added to the models
    later get their model defaults without changes here.
    """
    import orjson
    from django.db import connection

    from marketplace.core.money import CURRENCIES
    from marketplace.rates.selectors import reference_amount
    from prompts.cleaning import extract_variables, normalize_tag
    from prompts.documents import card, detail
    from prompts.models import (
        Category,
        License,
        Listing,
        ListingStatus,
        PromptVersion,
        TargetModel,
        new_public_id,
    )

    listing_fields = Listing._meta.concrete_fields
    version_fields = [field for field in PromptVersion._meta.concrete_fields if not field.primary_key]
    by_language = {lang: [t for t in templates if t["language"] == lang] for lang in ("en", "zh-hans")}
    models, categories = TargetModel.values, Category.values
    listings, versions, listing_tags = [], [], []
    for offset, listing_id in enumerate(ids):
        number = start + offset
        language = "zh-hans" if number % 2 else "en"
        template = rng.choice(by_language[language])
        target_model = rng.choice(models)
        currency = rng.choice(CURRENCY_BY_LANGUAGE[language])
        exponent = CURRENCIES[currency].exponent
        # 12% free; otherwise 1-59 major units with .00/.49/.99 endings (JPY: 100-5,900 yen).
        if rng.random() < 0.12:
            price = 0
        elif exponent:
            price = rng.randrange(1, 60) * 10**exponent + rng.choice([0, 49, 99])
        else:
            price = rng.randrange(1, 60) * 100
        price = max(price, CURRENCIES[currency].minimum_charge) if price else 0
        separator = "" if language == "zh-hans" else " "  # Chinese puts no space between sentences
        description = separator.join(
            [template["description"], *rng.sample(EXTRA_SENTENCES[language], rng.randrange(0, 5))]
        )
        prompt_text = f"{template['prompt_text']}, [style {number % 7}]"
        tags = sorted({normalize_tag(tag) for tag in template["tags"]})
        published_at = now - timedelta(seconds=number * 173 + rng.randrange(0, 170))
        created_at = published_at - timedelta(hours=rng.randrange(1, 72))
        unlocks = rng.randrange(0, 300)
        ratings = rng.randrange(0, min(unlocks, 40) + 1)
        listing = Listing(
            id=listing_id,
            public_id=new_public_id(),
            seller=sellers[number % len(sellers)],
            title=f"{template['title']} · {rng.choice(TITLE_SUFFIXES[language]).format(n=number % 97 + 1)}",
            description=description,
            language=language,
            target_model=target_model,
            category=rng.choice(categories),
            price_amount=price,
            price_currency=currency,
            license=rng.choice(License.values),
            variables=extract_variables(prompt_text),
            example_outputs=TEXT_EXAMPLES[language] if target_model == TargetModel.CHATGPT else [],
            status=ListingStatus.PUBLISHED,
            created_at=created_at,
            updated_at=published_at,
            submitted_at=published_at,
            published_at=published_at,
            first_published_at=published_at,
            view_count=rng.randrange(unlocks, 5000 + unlocks),
            unlock_count=unlocks,
        )
        _set_if_present(
            listing,
            trending_score=round(unlocks / (1 + number / 2000), 3),
            price_reference=reference_amount(price, currency),
            rating_count=ratings,
            rating_sum=sum(rng.choice((3, 4, 4, 5, 5, 5)) for _ in range(ratings)),
        )
        previews = _previews(rng, rng.choice([1, 2, 2, 3])) if listing.needs_preview else []
        listing.card_json = orjson.dumps(card(listing, tags, previews)).decode()
        listing.detail_json = orjson.dumps(detail(listing, tags, previews)).decode()
        listings.append(_row(listing_fields, listing, connection))
        version = PromptVersion(
            listing_id=listing_id,
            number=1,
            text=prompt_text,
            usage_notes="Replace the [bracketed] variables with your own values.",
            variables=listing.variables,
            created_at=created_at,
        )
        versions.append(_row(version_fields, version, connection))
        listing_tags.extend((listing_id, tag_ids[slug]) for slug in tags)
    return listings, versions, listing_tags


def _set_if_present(instance: Any, **values: Any) -> None:
    """Counters that only newer schemas have; older ones keep working without them."""
    names = {field.name for field in instance._meta.concrete_fields}
    for name, value in values.items():
        if name in names:
            setattr(instance, name, value)


def seed(target: int) -> None:
    """Top the database up to `target` published listings. Each chunk commits on its own."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from prompts.models import Listing, ListingStatus, PromptVersion

    call_command("migrate", interactive=False, verbosity=0)
    if _documents_outdated():
        print("Stored card/detail documents differ from what prompts.documents renders now; re-seeding.")
        with connection.cursor() as cursor:
            # The bench database holds nothing else worth keeping.
            cursor.execute("TRUNCATE prompts_listing CASCADE")
    existing = Listing.objects.filter(status=ListingStatus.PUBLISHED).count()
    missing = target - existing
    if missing <= 0:
        print(f"Database holds {existing} published listings; no seeding needed.")
        return
    print(f"Database holds {existing} published listings; adding {missing} ...", flush=True)
    templates = json.loads((ROOT / "marketplace" / "demo" / "demo_listings.json").read_text(encoding="utf-8"))
    sellers, tag_ids = _sellers(), _tag_ids(templates)
    rng = random.Random(existing)
    # Continue the timeline below the oldest listing already there, so new rows never jump ahead.
    oldest = Listing.objects.order_by("published_at").values_list("published_at", flat=True).first()
    now = (oldest - timedelta(minutes=5)) if oldest else datetime.now(UTC)
    started = time.monotonic()
    done = 0
    while done < missing:
        size = min(CHUNK, missing - done)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('prompts_listing', 'id')) FROM generate_series(1, %s)",
                [size],
            )
            ids = [row[0] for row in cursor.fetchall()]
            listings, versions, listing_tags = _listing_rows(
                ids=ids, start=done, rng=rng, templates=templates, sellers=sellers, tag_ids=tag_ids, now=now
            )
            raw = cursor.cursor  # the psycopg cursor, for COPY
            _copy(raw, Listing, listings)
            _copy(raw, PromptVersion, versions, skip_primary_key=True)
            tags_table = Listing.tags.through._meta.db_table
            with raw.copy(f"COPY {tags_table} (listing_id, tag_id) FROM STDIN") as copy:
                for row in listing_tags:
                    copy.write_row(row)
        done += size
        print(f"  {existing + done}/{target} listings ({time.monotonic() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
        cursor.execute("VACUUM (ANALYZE) prompts_listing, prompts_promptversion, prompts_listing_tags")
    print(f"Seeded {missing} listings and ran VACUUM ANALYZE in {time.monotonic() - started:.0f} s.")


def _copy(cursor: Any, model: Any, rows: list[tuple[Any, ...]], skip_primary_key: bool = False) -> None:
    fields = [field for field in model._meta.concrete_fields if not (skip_primary_key and field.primary_key)]
    columns = ", ".join(f'"{field.column}"' for field in fields)
    with cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _documents_outdated() -> bool:
    """True when a stored card or detail has other keys than prompts.documents renders today."""
    import orjson

    from prompts.documents import card, detail
    from prompts.models import Listing, ListingStatus

    stored = (
        Listing.objects.filter(status=ListingStatus.PUBLISHED).select_related("seller").order_by("pk").first()
    )
    if stored is None:
        return False
    fresh_card, fresh_detail = card(stored, [], []), detail(stored, [], [])
    return set(orjson.loads(stored.card_json)) != set(fresh_card) or set(
        orjson.loads(stored.detail_json)
    ) != set(fresh_detail)


def sample_detail_ids(path: Path) -> int:
    from django.db import connection

    from prompts.models import Listing, ListingStatus

    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        ids = list(
            Listing.objects.filter(status=ListingStatus.PUBLISHED)
            .order_by("?")
            .values_list("public_id", flat=True)[:DETAIL_ID_SAMPLE]
        )
    path.write_text("\n".join(ids) + "\n")
    return len(ids)


def list_query_plan() -> str:
    """EXPLAIN of the default catalog page's query (informational; see bench/README.md)."""
    from prompts.selectors import CatalogFilters, _filtered

    qs = (
        _filtered(CatalogFilters())
        .order_by("-published_at", "-pk")
        .values_list("pk", "published_at", "card_json")
    )
    return qs[:25].explain()
