"""Trust tools in the admin: copied-image flags get an outcome, reviews and favourites can be found,
and the admin names its models in the moderator's language."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from prompts import discovery
from prompts.models import FlagStatus, ListingEvent, ListingFlag
from tests.factories import UserFactory, make_listing

pytestmark = pytest.mark.django_db

FLAGS = "/admin/prompts/listingflag/"


@pytest.fixture
def copied(seller, other_seller):
    original = make_listing(other_seller, publish=True, title="Original koi")
    copy = make_listing(seller, publish=True, title="Suspicious koi")
    flag = ListingFlag.objects.create(
        listing=copy, related_listing=original, reason="duplicate_image", detail={"distance": 3}
    )
    return flag


def _staff_client(staff, *codenames: str, language: str = "en") -> Client:
    staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(staff)
    return client


def test_a_moderator_sees_open_flags_and_confirms_a_copy_with_a_note(copied, staff):
    moderator = _staff_client(staff, "view_listingflag", "change_listingflag")
    listed = moderator.get(FLAGS).content.decode()
    assert "Suspicious koi" in listed and "Original koi" in listed

    ask = moderator.post(FLAGS, {"action": "confirm", "_selected_action": [copied.pk]})
    assert ask.status_code == 200 and 'name="resolution"' in ask.content.decode()
    assert ListingFlag.objects.get().status == FlagStatus.OPEN  # nothing decided before the note form

    done = {"action": "confirm", "_selected_action": [copied.pk], "resolution": "Same koi, cropped."}
    moderator.post(FLAGS, done)
    moderator.post(FLAGS, done)  # a second click records nothing new
    flag = ListingFlag.objects.get()
    assert (flag.status, flag.resolution, flag.resolved_by) == ("confirmed", "Same koi, cropped.", staff)
    events = ListingEvent.objects.filter(listing=copied.listing, action="flag_confirmed")
    assert events.count() == 1 and events.get().actor == staff


def test_dismissing_a_flag_records_it_and_leaves_the_listing(copied, staff):
    moderator = _staff_client(staff, "view_listingflag", "change_listingflag")
    moderator.post(FLAGS, {"action": "dismiss", "_selected_action": [copied.pk], "resolution": ""})
    flag = ListingFlag.objects.get()
    assert flag.status == FlagStatus.DISMISSED and flag.resolved_at is not None
    assert flag.listing.status == "published"
    assert ListingEvent.objects.filter(listing=flag.listing, action="flag_dismissed").exists()


def test_staff_without_the_change_permission_cannot_decide(copied, staff):
    viewer = _staff_client(staff, "view_listingflag")
    viewer.post(FLAGS, {"action": "confirm", "_selected_action": [copied.pk], "resolution": "x"})
    assert ListingFlag.objects.get().status == FlagStatus.OPEN


def test_reviews_and_favourites_are_listed_and_searchable(seller, buyer, staff):
    listing = make_listing(seller, publish=True, title="Neon koi wallpaper")
    discovery.review_create(listing=listing, buyer=buyer, rating=2, text="Blurry koi, not as shown.")
    discovery.favourite_add(buyer=UserFactory(handle="saver"), listing=listing)
    client = _staff_client(staff, "view_review", "view_favourite")
    found = client.get("/admin/prompts/review/", {"q": "blurry"}).content.decode()
    assert "Blurry koi, not as shown." in found
    assert "Blurry koi" not in client.get("/admin/prompts/review/", {"q": "nothing-like-it"}).content.decode()
    favourites = client.get("/admin/prompts/favourite/", {"q": "saver"}).content.decode()
    assert "@saver" in favourites


def test_the_chinese_admin_names_every_model_in_chinese(admin_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(admin_user)
    index = client.get("/admin/").content.decode()
    assert "商品" in index and "审核标记" in index and "订单" in index
    captions = re.findall(r"<caption>\s*<a [^>]*>([^<]+)</a>", index)
    rows = re.findall(r'<th scope="row"[^>]*>\s*<a [^>]*>([^<]+)</a>', index)
    assert len(rows) >= 15 and captions
    english = [name for name in captions + rows if re.search(r"[A-Za-z]{3,}", name.replace("API", ""))]
    assert english == [], f"English model or app names in the Chinese admin: {english}"


def test_the_chinese_flag_queue_has_chinese_columns(copied, admin_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(admin_user)
    page = client.get(FLAGS).content.decode()
    thead = page.split('id="result_list"')[1].split("</thead>")[0]
    headers = [h.strip() for h in re.findall(r'<div class="text">(?:<a [^>]*>|<span>)?([^<]+)<', thead)]
    assert "相关商品" in headers and "状态" in headers and "图像差异" in headers
    assert [h for h in headers if re.search(r"[A-Za-z]{3,}", h)] == []


def test_the_chinese_moderation_actions_are_chinese(copied, admin_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(admin_user)
    listings = client.get("/admin/prompts/listing/").content.decode()
    assert "批准并发布所选商品" in listings and "Approve and publish" not in listings
    flags = client.get(FLAGS).content.decode()
    assert "确认：示例图是抄袭的" in flags and "驳回：不是抄袭" in flags
