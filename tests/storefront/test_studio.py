"""The seller studio: the website's listing editor calls the same services as the seller API."""

from __future__ import annotations

import re
from typing import cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from marketplace.accounts.models import User
from prompts import services
from prompts.models import (
    ImageStatus,
    Listing,
    ListingFlag,
    ListingStatus,
    PromptVersion,
    ScreeningList,
    ScreeningTerm,
)
from prompts.moderation.decisions import listing_reject
from tests.factories import UserFactory, make_listing, png_bytes, png_upload

pytestmark = pytest.mark.django_db

SECRET = "glowing [animal] in a neon pond, 8k wallpaper"  # make_listing's prompt


def _site(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "title": "Ink dragons",
        "description": "Chinese ink dragons on rice paper.",
        "language": "en",
        "target_model": "midjourney",
        "category": "illustration",
        "tags": "ink, Dragon, ink",
        "price": "4.99",
        "currency": "USD",
        "prompt_text": "an ink [creature] over [place], rice paper",
        "variable_examples": "creature: dragon\nplace: West Lake",
        "usage_notes": "Use --ar 3:2",
    }
    return {**data, **overrides}


def _newcomer() -> User:
    """A signed-up user who never set up payouts."""
    return cast(User, UserFactory(handle="newbie", email="new@example.com"))


def _edit(listing: Listing) -> str:
    return f"/dashboard/listings/{listing.public_id}/edit/"


def test_a_new_listing_from_the_form_is_a_draft_with_every_field(seller):
    response = _site(seller).post("/dashboard/listings/new/", _form())
    listing = Listing.objects.get(seller=seller)
    assert response.status_code == 303 and response["Location"] == _edit(listing)
    assert (listing.status, listing.title) == (ListingStatus.DRAFT, "Ink dragons")
    assert (listing.price_amount, listing.price_currency) == (499, "USD")
    assert sorted(listing.tags.values_list("slug", flat=True)) == ["dragon", "ink"]
    assert listing.variables == ["creature", "place"]
    version = listing.versions.get()
    assert version.variable_examples == {"creature": "dragon", "place": "West Lake"}
    assert version.usage_notes == "Use --ar 3:2"
    page = _site(seller).get(_edit(listing)).content.decode()
    assert "<code>[creature]</code>" in page and "<code>[place]</code>" in page  # detected server side


def test_bad_input_shows_errors_next_to_the_fields_and_writes_nothing(seller):
    response = _site(seller).post(
        "/dashboard/listings/new/",
        _form(title="", price="4.999", prompt_text="   ", variable_examples="just words"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(r'id="id_title_error"><li>This field is required', page)
    assert re.search(r'id="id_price_error"><li>USD amounts have at most 2 digits after the point', page)
    assert re.search(r'id="id_variable_examples_error"><li>Line 1: write it as name: value', page)
    assert not Listing.objects.exists()


def test_a_chinese_keyboards_commas_and_colons_separate_tags_and_example_values(seller):
    examples = "动物：熊猫\n地点: 西湖：断桥"
    form = _form(tags="霓虹，锦鲤、壁纸", prompt_text="一只[动物]在[地点]", variable_examples=examples)
    _site(seller).post("/dashboard/listings/new/", form)
    listing = Listing.objects.get(seller=seller)
    assert sorted(listing.tags.values_list("slug", flat=True)) == sorted(["霓虹", "锦鲤", "壁纸"])
    version = PromptVersion.objects.get(listing=listing)
    assert version.variable_examples == {"动物": "熊猫", "地点": "西湖：断桥"}


def test_a_yen_price_with_decimals_says_yen_are_whole_in_either_language(seller):
    english = _site(seller).post("/dashboard/listings/new/", _form(price="500.5", currency="JPY")).content
    assert re.search(r'id="id_price_error"><li>JPY amounts are whole yen, such as 500\.<', english.decode())
    chinese = _site(seller)
    chinese.cookies["django_language"] = "zh-hans"
    page = chinese.post("/dashboard/listings/new/", _form(price="500.5", currency="JPY")).content.decode()
    assert "JPY 金额须为整数日元，例如 500。" in page
    assert not Listing.objects.exists()


def test_a_price_the_service_refuses_shows_on_the_price_field(seller):
    response = _site(seller).post("/dashboard/listings/new/", _form(price="0.10"))  # under USD's minimum
    assert response.status_code == 400
    assert 'id="id_price_error"' in response.content.decode()
    assert not Listing.objects.exists()


def test_the_editor_works_in_chinese(seller):
    client = _site(seller)
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/dashboard/listings/new/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "新建商品" in page and "示例值" in page and 'value="CNY" selected' in page


def test_another_seller_gets_404_everywhere_and_no_prompt(seller, other_seller):
    listing = make_listing(seller)
    image = services.listing_image_add(listing=listing, by=seller, upload=png_upload())
    base = f"/dashboard/listings/{listing.public_id}"
    client = _site(other_seller)
    for url in ("/edit/", "/preview/", "/status/"):
        response = client.get(base + url)
        assert response.status_code == 404 and SECRET not in response.content.decode()
    for url in ("/edit/", "/submit/", "/archive/", "/restore/", "/delete/", "/images/",
                f"/images/{image.public_id}/move/", f"/images/{image.public_id}/delete/"):  # fmt: skip
        assert client.post(base + url, {"title": "Mine now", "position": "1"}).status_code == 404
    listing.refresh_from_db()
    assert listing.title == "Neon koi wallpaper" and listing.images.count() == 1
    assert _site().get(base + "/preview/").status_code == 302  # to the login page


def test_the_draft_preview_is_the_buyer_page_with_a_banner_and_no_prompt(seller):
    listing = make_listing(seller, description="Koi fish glowing in a neon pond.")
    page = _site(seller).get(f"/dashboard/listings/{listing.public_id}/preview/").content.decode()
    assert "Preview: this page is not public." in page
    assert "Koi fish glowing in a neon pond." in page and "Neon koi wallpaper" in page
    assert SECRET not in page  # buyers do not see the prompt, so neither does the preview
    assert _site().get(f"/listings/{listing.public_id}/").status_code == 404  # still not public


def test_several_images_upload_at_once_and_a_bad_one_is_named(seller):
    listing = make_listing(seller)
    files = [png_upload("a.png"), png_upload("b.png", colour=(0, 90, 200)), png_upload("c.png", width=80)]
    broken = SimpleUploadedFile("broken.png", png_bytes()[:20], content_type="image/png")  # cut short
    client = _site(seller)
    with TestCase.captureOnCommitCallbacks(execute=True):  # the previews render after each commit
        response = client.post(
            f"/dashboard/listings/{listing.public_id}/images/", {"images": [*files, broken]}
        )
    assert response.status_code == 303
    page = client.get(_edit(listing)).content.decode()
    assert listing.images.count() == 3
    assert re.search(r'<p class="message error">broken.png: \w', page)  # its name and the reason
    assert page.count('<span class="status ready" data-status>Ready</span>') == 3


def test_images_move_up_and_down_without_javascript_and_the_api_shares_the_service(seller, seller_api):
    listing = make_listing(seller)
    first, second, third = (
        services.listing_image_add(listing=listing, by=seller, upload=png_upload()) for _ in range(3)
    )
    base = f"/dashboard/listings/{listing.public_id}/images"
    response = _site(seller).post(f"{base}/{third.public_id}/move/", {"position": "2"})
    assert response.status_code == 303 and response["Location"].endswith("/edit/#images")
    order = list(listing.images.order_by("position").values_list("public_id", flat=True))
    assert order == [first.public_id, third.public_id, second.public_id]
    api = seller_api.patch(
        f"/api/v1/seller/listings/{listing.public_id}/images/{second.public_id}/",
        {"position": 1},
        format="json",
    )
    assert api.status_code == 200
    order = list(listing.images.order_by("position").values_list("public_id", flat=True))
    assert order == [second.public_id, first.public_id, third.public_id]
    refused = seller_api.patch(
        f"/api/v1/seller/listings/{listing.public_id}/images/{second.public_id}/",
        {"position": 9},
        format="json",
    )
    assert refused.status_code == 400 and "position" in refused.json()["error"]["fields"]
    _site(seller).post(f"{base}/{first.public_id}/delete/")
    assert listing.images.count() == 2


def test_image_statuses_show_live_with_the_failure_reason_and_the_copy_warning(seller):
    listing = make_listing(seller)
    waiting = services.listing_image_add(listing=listing, by=seller, upload=png_upload())
    failed = services.listing_image_add(listing=listing, by=seller, upload=png_upload())
    failed.status, failed.failure_reason = ImageStatus.FAILED, "The file could not be decoded."
    failed.save()
    ListingFlag.objects.create(listing=listing, reason="duplicate_image", detail={"image": waiting.public_id})
    client = _site(seller)
    page = client.get(_edit(listing)).content.decode()
    assert "data-waiting" in page and "The file could not be decoded." in page
    assert page.count("looks like an example image of another seller") == 1
    body = client.get(f"/dashboard/listings/{listing.public_id}/status/").json()
    assert body["waiting"] is True
    assert [(i["id"], i["status"], i["copied"]) for i in body["images"]] == [
        (waiting.public_id, "pending", True),
        (failed.public_id, "failed", False),
    ]
    assert body["images"][1]["reason"] == "The file could not be decoded."


def test_submit_without_images_shows_the_reason_on_the_editor(seller):
    listing = make_listing(seller)
    response = _site(seller).post(f"/dashboard/listings/{listing.public_id}/submit/")
    assert response.status_code == 409
    assert "Add at least one example image" in response.content.decode()
    listing.refresh_from_db()
    assert listing.status == ListingStatus.DRAFT


def test_a_blocked_submission_names_the_field_never_the_term(seller):
    words = ScreeningList.objects.create(name="banned", action="block")
    ScreeningTerm.objects.create(screening_list=words, term="forbiddenword")
    listing = make_listing(seller, description="A forbiddenword portrait")
    services.listing_image_add(listing=listing, by=seller, upload=png_upload())
    assert listing.images.update(status=ImageStatus.READY) == 1  # rendered, as a worker would
    response = _site(seller).post(f"/dashboard/listings/{listing.public_id}/submit/")
    page = response.content.decode()
    assert response.status_code == 422
    assert re.search(r'id="id_description_error"><li>Contains a term that is not allowed', page)
    assert page.count("forbiddenword") == 1  # only in the seller's own description box
    page = _site(seller).get(_edit(listing)).content.decode()
    assert "refused by automatic screening" in page and "Description." in page
    dashboard = _site(seller).get("/dashboard/").content.decode()
    assert "Refused by screening, edit: Description" in dashboard and "forbiddenword" not in dashboard


def test_held_and_rejected_listings_say_why_on_the_dashboard_and_editor(seller, staff):
    review = ScreeningList.objects.create(name="sensitive", action="review")
    ScreeningTerm.objects.create(screening_list=review, term="celebrity")
    held = make_listing(seller, publish=True, title="Celebrity look")
    assert held.status == ListingStatus.PENDING_REVIEW
    rejected = make_listing(seller, publish=True, title="Koi")
    listing_reject(listing=rejected, by=staff, reason="The examples show a real person.")
    client = _site(seller)
    dashboard = client.get("/dashboard/").content.decode()
    assert "Screening asked a moderator to check: Title" in dashboard
    assert "The examples show a real person." in dashboard
    assert "celebrity" not in dashboard.lower().replace("celebrity look", "")
    editor = client.get(_edit(rejected)).content.decode()
    assert "A moderator rejected this listing." in editor and "The examples show a real person." in editor


def test_archive_restore_and_submit_again(seller):
    listing = make_listing(seller, publish=True)
    client = _site(seller)
    base = f"/dashboard/listings/{listing.public_id}"
    assert client.post(base + "/archive/").status_code == 303
    listing.refresh_from_db()
    assert listing.status == ListingStatus.ARCHIVED
    assert client.post(base + "/restore/").status_code == 303
    listing.refresh_from_db()
    assert listing.status == ListingStatus.DRAFT
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(base + "/submit/")
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED
    page = client.post(base + "/restore/", follow=True).content.decode()
    assert "Only archived listings can be restored." in page


def test_the_restore_api_uses_the_same_service(seller, seller_api):
    listing = make_listing(seller, publish=True)
    services.listing_archive(listing=listing, by=seller)
    response = seller_api.post(f"/api/v1/seller/listings/{listing.public_id}/restore/")
    assert response.status_code == 200 and response.json()["status"] == "draft"
    assert seller_api.post(f"/api/v1/seller/listings/{listing.public_id}/restore/").status_code == 409


def test_editing_a_published_prompt_says_buyers_get_the_new_version_and_shows_history(seller):
    listing = make_listing(seller, publish=True)
    client = _site(seller)
    page = client.get(_edit(listing)).content.decode()
    assert "Saving a changed prompt makes version 2" in page
    data = _form(
        title=listing.title, description=listing.description, target_model="stable-diffusion",
        category="wallpaper", tags="neon, koi", variable_examples="", usage_notes="",
        prompt_text="a new [animal] prompt",
    )  # fmt: skip
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(_edit(listing), data, follow=True)
    page = response.content.decode()
    assert "Buyers who unlocked this listing now get version 2 of the prompt." in page
    assert "<strong>v2</strong>" in page and "<strong>v1</strong>" in page
    assert listing.versions.count() == 2


def test_an_unchanged_save_keeps_the_version_and_the_fields(seller):
    listing = make_listing(seller, publish=True)
    client = _site(seller)
    form = client.get(_edit(listing)).context["form"]
    data = {name: "" if value is None else str(value) for name, value in form.initial.items()}
    assert client.post(_edit(listing), data).status_code == 303
    listing.refresh_from_db()
    assert listing.versions.count() == 1 and listing.status == ListingStatus.PUBLISHED
    assert listing.price_amount == 499


def test_a_text_listing_takes_written_example_outputs(seller):
    client = _site(seller)
    client.post(
        "/dashboard/listings/new/",
        _form(
            target_model="chatgpt", category="other", example_output_1="A short poem.", example_output_2=""
        ),
    )
    listing = Listing.objects.get(seller=seller)
    assert listing.example_outputs == ["A short poem."]


def test_the_dashboard_has_a_new_listing_button_and_links_every_listing_to_its_editor(seller):
    published = make_listing(seller, publish=True)
    draft = make_listing(seller, title="Draft")
    page = _site(seller).get("/dashboard/").content.decode()
    assert 'href="/dashboard/listings/new/"' in page and "POST /api/v1/seller/listings/" not in page
    assert _edit(published) in page and _edit(draft) in page


def test_a_new_seller_without_payouts_is_told_where_to_set_them_up():
    newcomer = _newcomer()
    page = _site(newcomer).get("/dashboard/listings/new/").content.decode()
    assert "set up payouts" in page


def test_a_paid_listing_without_payouts_is_refused_with_a_website_hint():
    newcomer = _newcomer()
    listing = make_listing(newcomer, target_model="chatgpt", category="other", example_outputs=["A poem."])
    response = _site(newcomer).post(f"/dashboard/listings/{listing.public_id}/submit/")
    page = response.content.decode()
    assert response.status_code == 409
    assert re.search(r'id="id_price_error"><li>Set up payouts on your seller dashboard', page)
    assert "/api/v1/" not in page.split("<main")[1].split("</main>")[0]
