"""Keyword screening of listings against the term lists moderators edit in the admin."""

from __future__ import annotations

import dataclasses
import random
from typing import Any

import pytest

from prompts.models import Listing, ListingEvent, ListingStatus, ScreeningList, ScreeningTerm
from prompts.moderation.screening import Hit, screen
from tests.factories import make_listing

pytestmark = pytest.mark.django_db


def term_list(name: str, *terms: str, action: str = "block", active: bool = True) -> ScreeningList:
    screening_list = ScreeningList.objects.create(name=name, action=action, is_active=active)
    ScreeningTerm.objects.bulk_create([ScreeningTerm(screening_list=screening_list, term=t) for t in terms])
    return screening_list


def hit_fields(fields: dict[str, str]) -> list[str]:
    return [hit.field for hit in screen(fields)]


# --- Matching rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["明星换脸高清写真", "换脸", "一键换脸", "换脸教程", "AI换脸app", "免费 换脸。"],
)
def test_chinese_term_matches_anywhere_inside_text_without_spaces(text):
    term_list("deepfake", "换脸")
    assert screen({"prompt_text": text}) == [Hit(field="prompt_text", list_name="deepfake", action="block")]


def test_chinese_text_without_the_term_passes():
    term_list("deepfake", "换脸")
    assert screen({"prompt_text": "换一张脸谱风格的海报", "title": "脸换"}) == []


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("ass!", True),
        ("what an ass", True),
        ("kick-ass poster, 8k", True),
        ("(ass)", True),
        ("ass", True),
        ("high class portrait", False),
        ("a passage through the forest", False),
        ("bass guitar", False),
        ("assets folder", False),
        ("classic", False),
        ("assassin", False),
    ],
)
def test_english_term_matches_whole_words_only(text, hit):
    term_list("profanity", "ass")
    assert hit_fields({"description": text}) == (["description"] if hit else [])


@pytest.mark.parametrize(
    ("stored", "text"),
    [
        ("nude", "ＮＵＤＥ art"),
        ("nude", "NuDe portrait"),
        ("nude", "ｎｕｄｅ"),
        ("ＮＵＤＥ", "a nude study"),
        ("NUDE", "nude"),
    ],
)
def test_case_and_full_width_forms_are_ignored(stored, text):
    term_list("adult", stored)
    assert hit_fields({"title": text}) == ["title"]


def test_full_width_letters_still_respect_word_boundaries():
    term_list("profanity", "ass")
    assert screen({"title": "ｆｉｒｓｔ ｃｌａｓｓ ｔｉｃｋｅｔ"}) == []
    assert hit_fields({"title": "ｋｉｃｋ ＡＳＳ"}) == ["title"]


def test_no_active_lists_means_no_hits():
    term_list("paused", "nude", active=False)
    assert screen({"title": "nude"}) == []


# --- What a hit says ------------------------------------------------------------------------------------


def test_hits_name_the_field_and_the_list_never_the_term():
    term_list("adult", "nude", action="review")
    term_list("deepfake", "换脸", "nude")

    hits = screen({"title": "Nude portrait", "description": "plain", "prompt_text": "明星换脸", "tags": ""})

    assert [f.name for f in dataclasses.fields(Hit)] == ["field", "list_name", "action"]
    assert hits == [
        Hit(field="title", list_name="adult", action="review"),
        Hit(field="title", list_name="deepfake", action="block"),
        Hit(field="prompt_text", list_name="deepfake", action="block"),
    ]
    assert "nude" not in repr(hits).lower() and "换脸" not in repr(hits)


def test_a_term_repeated_in_one_field_is_one_hit():
    term_list("adult", "nude")
    assert screen({"title": "nude nude NUDE ｎｕｄｅ"}) == [Hit("title", "adult", "block")]


# --- The cached automaton follows the lists -----------------------------------------------------------


def test_deactivated_list_stops_matching_and_reactivating_resumes():
    adult = term_list("adult", "nude")
    assert hit_fields({"title": "nude"}) == ["title"]

    adult.is_active = False
    adult.save()
    assert screen({"title": "nude"}) == []

    adult.is_active = True
    adult.save()
    assert hit_fields({"title": "nude"}) == ["title"]


def test_term_added_after_a_first_screen_is_picked_up():
    adult = term_list("adult", "nude")
    assert screen({"title": "topless"}) == []

    ScreeningTerm.objects.create(screening_list=adult, term="topless")

    assert hit_fields({"title": "topless"}) == ["title"]


def test_edited_and_deleted_terms_stop_matching():
    adult = term_list("adult", "nude", "topless")
    assert hit_fields({"title": "nude"}) == ["title"]

    term = ScreeningTerm.objects.get(screening_list=adult, term="nude")
    term.term = "naked"
    term.save()
    assert screen({"title": "nude"}) == []
    assert hit_fields({"title": "naked"}) == ["title"]

    ScreeningTerm.objects.filter(screening_list=adult, term="topless").delete()
    assert screen({"title": "topless"}) == []


def test_changing_a_lists_action_is_picked_up():
    adult = term_list("adult", "nude", action="review")
    assert screen({"title": "nude"})[0].action == "review"

    adult.action = "block"
    adult.save()

    assert screen({"title": "nude"}) == [Hit("title", "adult", "block")]


# --- Scale -----------------------------------------------------------------------------------------------


def _latin_term(number: int) -> str:
    letters = ""
    for _ in range(3):
        number, digit = divmod(number, 26)
        letters += chr(ord("a") + digit)
    return "zq" + letters  # zqaaa, zqbaa, ...: no English word starts with "zq"


def _chinese_term(number: int) -> str:
    # Two characters from blocks that the filler text below never uses.
    return chr(0x4E00 + number // 50) + chr(0x4F00 + number % 50)


def test_five_thousand_terms_screen_a_twenty_thousand_character_listing():
    term_list("brands", *[_latin_term(n) for n in range(2500)], action="review")
    term_list("cn-banned", *[_chinese_term(n) for n in range(2500)])
    rng = random.Random(5)
    english_filler = ["lorem", "ipsum", "neon", "koi", "pond", "glow", "8k", "--ar", "16:9", "wallpaper,"]
    chinese_filler = [chr(code) for code in range(0x6C00, 0x6D00)]

    def english(words: int) -> str:
        return " ".join(rng.choice(english_filler) for _ in range(words))

    def chinese(chars: int) -> str:
        return "".join(rng.choice(chinese_filler) for _ in range(chars))

    brand, banned = _latin_term(1234), _chinese_term(2345)
    prompt = english(1500) + f" {brand.upper()}, " + english(1500)
    title = chinese(9000) + banned + chinese(9000)
    # Near misses: terms inside longer Latin words, and the two halves of a Chinese term apart.
    description = " ".join(
        ["x" + brand, brand + "s", _latin_term(7) + "9", banned[0] + chinese(3) + banned[1]]
    )
    description += chinese(6000)
    assert len(prompt) > 10_000 and len(title) > 18_000

    hits = screen({"prompt_text": prompt, "title": title, "description": description, "tags": english(200)})

    assert hits == [
        Hit(field="prompt_text", list_name="brands", action="review"),
        Hit(field="title", list_name="cn-banned", action="block"),
    ]
    assert screen({"prompt_text": prompt.replace(brand.upper(), "koi")}) == []


# --- Through the API ---------------------------------------------------------------------------------------


def text_listing(seller: Any, **fields: Any) -> Listing:
    """A ChatGPT listing: ready to submit once it has an example output, no image to render."""
    return make_listing(seller, target_model="chatgpt", example_outputs=["A calm, friendly reply."], **fields)


def submit(api: Any, listing: Listing) -> Any:
    return api.post(f"/api/v1/seller/listings/{listing.public_id}/submit/")


def test_review_hit_queues_the_listing_for_a_moderator(seller, seller_api, anon):
    term_list("celebrities", "taylor swift", action="review")
    listing = text_listing(seller, description="Letters in the style of Taylor Swift lyrics")

    response = submit(seller_api, listing)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "pending_review"
    assert "description" in body["review_note"]
    assert "taylor" not in body["review_note"].lower()
    assert anon.get(f"/api/v1/listings/{listing.public_id}/").status_code == 404


def test_block_hit_is_refused_naming_the_field_and_passes_once_edited(seller, seller_api, anon):
    term_list("weapons", "pipe bomb")
    listing = text_listing(seller, title="Pipe Bomb recipe explainer")

    response = submit(seller_api, listing)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "screening_blocked"
    assert list(error["fields"]) == ["title"]
    assert "Edit the named fields" in error["message"]
    assert "bomb" not in response.content.decode().lower()
    listing.refresh_from_db()
    assert listing.status == ListingStatus.DRAFT
    refusal = ListingEvent.objects.get(listing=listing, action="screening_blocked")
    assert refusal.detail == {"fields": ["title"], "lists": ["weapons"]}

    url = f"/api/v1/seller/listings/{listing.public_id}/"
    assert seller_api.patch(url, {"title": "Chemistry class explainer"}, format="json").status_code == 200
    retried = submit(seller_api, listing)
    assert retried.status_code == 200, retried.json()
    assert retried.json()["status"] == "published"
    assert anon.get(f"/api/v1/listings/{listing.public_id}/").status_code == 200


def test_block_hit_in_an_edit_keeps_the_published_listing_unchanged(seller, seller_api, anon):
    listing = text_listing(seller, publish=True)
    assert listing.status == ListingStatus.PUBLISHED
    term_list("weapons", "pipe bomb")

    response = seller_api.patch(
        f"/api/v1/seller/listings/{listing.public_id}/",
        {"description": "Now with pipe bomb tips"},
        format="json",
    )

    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["description"]
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED
    assert listing.description == "Koi fish glowing in a neon pond."
    assert anon.get(f"/api/v1/listings/{listing.public_id}/").status_code == 200


def test_block_hit_in_tags_names_the_tags(seller, seller_api):
    term_list("deepfake", "换脸")
    listing = text_listing(seller, tags=["换脸", "portrait"])

    response = submit(seller_api, listing)

    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["tags"]


def test_blocked_term_in_usage_notes_is_refused(seller, seller_api):
    term_list("weapons", "pipe bomb")
    listing = text_listing(seller, usage_notes="Replace [target] with where to put the pipe bomb.")

    response = submit(seller_api, listing)

    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["usage_notes"]
