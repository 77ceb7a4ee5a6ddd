"""Under the China profile (COMPLIANCE_PROFILE=cn, sandbox providers), in Chinese on a 390 px phone:
a new seller is sent to verification when submitting, verifies phone and ID, and publishes a listing
whose uploaded image carries its own AI label; a buyer verifies a phone before buying and reads the
prompt; the served preview carries exactly one implicit label with the Annex E fields."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from marketplace.accounts.models import User
from marketplace.verification.models import Verification
from payments.models import LedgerAccount, LedgerEntry, Order, PayoutStatement
from payments.services.statements import statements_close
from prompts.models import Listing, ListingStatus
from tests.browser.conftest import snap
from tests.browser.sales_walk import PHONE, _fits_the_screen, _visitor
from tests.browser.studio_walk import PROMPT, _fill_listing, _set_up_payouts, _sign_up
from tests.prompts.test_upload_provenance import ANNEX_E, _labels, _tc260_png, _verified
from tests.verification.conftest import ZHANG_ID

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-walk-password-42"


@pytest.fixture
def cn(settings: Any, live_server: Any) -> None:
    """What the cn profile turns on that this walk meets: the verification gate, on the sandbox."""
    settings.COMPLIANCE_PROFILE = "cn"
    settings.CN = True
    settings.VERIFICATION_REQUIRED = True
    settings.VERIFICATION_PROVIDER = "sandbox"
    settings.VERIFICATION_SANDBOX_ALLOWED = True
    settings.SITE_URL = live_server.url


def _verify_phone(page: Any, phone: str) -> None:
    page.locator("#id_phone").fill(phone)
    page.locator("form[action$='/verification/phone/'] button[type=submit]").click()
    page.locator("#id_code").fill("123456")  # the sandbox's code, which the page also shows
    page.locator("form[action$='/verification/phone/confirm/'] button[type=submit]").click()


def _submit(page: Any, public_id: str) -> None:
    page.locator(f"form[action='/dashboard/listings/{public_id}/submit/'] button").click()


def _seller_publishes(page: Any, folder: Path) -> str:
    _sign_up(page, "ink-cn@example.com", "ink-cn", PASSWORD)
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    _set_up_payouts(page)
    page.locator("a[href='/dashboard/listings/new/']").first.click()
    _fill_listing(page, "西湖水墨龙", "9.90", "CNY")
    page.locator("form.studio-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/dashboard/listings/[\w-]+/edit/$"))
    public_id: str = page.url.rstrip("/").split("/")[-2]

    labelled = folder / "labelled.png"  # its XMP carries a TC260 AIGC label, as a generator writes
    labelled.write_bytes(_tc260_png())
    page.locator("#id_images").set_input_files([str(labelled)])
    page.locator("form.upload button[type=submit]").click()
    page.wait_for_url(re.compile(r"/edit/#images$"))
    page.locator(".image-list [data-status].ready").wait_for()
    assert page.locator(".image-list .ai-class").inner_text() == "AI生成（文件元数据标明）"
    snap(page, "cn-1-seller-editor-labelled-image")

    page.locator(f"a[href='/dashboard/listings/{public_id}/preview/']").click()
    page.locator(".preview-banner").wait_for()
    notice = page.locator(".gallery figure figcaption .ai-notice")
    assert notice.get_attribute("data-ai-class") == "ai_generated" and notice.is_visible()
    assert PROMPT not in page.content()
    _fits_the_screen(page, phone=True)
    snap(page, "cn-2-seller-draft-preview-ai-notice")
    page.locator(".preview-banner a").click()

    _submit(page, public_id)  # not verified yet: the gate sends the seller to verification
    page.wait_for_url(re.compile(r"/account/verification/\?next="))
    snap(page, "cn-3-seller-sent-to-verification")
    _verify_phone(page, "13800000000")
    # The phone alone does not let a seller publish: the page goes straight on to name and ID.
    page.wait_for_url(re.compile(r"/account/verification/\?next=.*#identity$"))
    page.locator("#phone-verified").wait_for()
    page.locator("#id_name").fill("张三")
    page.locator("#id_id_number").fill(ZHANG_ID)
    snap(page, "cn-4-seller-identity")
    page.locator("form[action$='/verification/identity/'] button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/dashboard/listings/{public_id}/edit/$"))
    assert ZHANG_ID not in page.content()

    _submit(page, public_id)
    page.locator(".studio-status .status.published").wait_for()
    assert "已发布" in page.locator(".studio-status").inner_text()
    snap(page, "cn-5-seller-published")
    return public_id


def _buyer_buys_and_reads(page: Any, public_id: str) -> None:
    page.goto("/accounts/signup/")
    page.locator("#id_email").fill("buyer-cn@example.com")
    page.locator("#id_handle").fill("buyer-cn")
    page.locator("#id_password").fill(PASSWORD + "-buyer")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/signup/" not in url)
    page.goto(f"/listings/{public_id}/")
    assert page.locator("#prompt-text").count() == 0
    page.locator("form[action$='/buy/'] button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/account/verification/\?next="))  # a phone before the first purchase
    assert page.locator("#identity form").count() == 0  # buyers are not asked for an ID number
    snap(page, "cn-6-buyer-sent-to-verification")
    _verify_phone(page, "13900000001")
    page.wait_for_url(re.compile(rf"/listings/{public_id}/$"))

    page.locator("form[action$='/buy/'] button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/payments/sandbox/checkout/"))
    page.locator("button[name=action][value=pay]").click()
    page.wait_for_url(re.compile(r"/payments/return/"))
    snap(page, "cn-7-buyer-bought")
    page.goto(f"/listings/{public_id}/")
    assert page.locator("#prompt-text").inner_text() == PROMPT
    _fits_the_screen(page, phone=True)
    snap(page, "cn-8-buyer-reads-prompt")


def _served_preview_labels(page: Any, public_id: str) -> list[dict[str, str]]:
    """The preview a visitor's browser downloads, as served, not as stored."""
    page.goto(f"/listings/{public_id}/")
    url = page.locator(".gallery figure a.full-size").first.get_attribute("href")
    assert url
    response = page.request.get(url)
    assert response.ok, url
    return _labels(response.body())


def test_a_new_seller_verifies_and_publishes_an_ai_labelled_listing_and_a_verified_buyer_buys_it(
    cn: None, browser: Any, live_server: Any, tmp_path: Path
) -> None:
    seller = _visitor(browser, live_server.url, "zh-hans", phone=True)
    buyer = _visitor(browser, live_server.url, "zh-hans", phone=True)
    try:
        assert seller.page.viewport_size == PHONE
        public_id = _seller_publishes(seller.page, tmp_path)
        listing = Listing.objects.get(public_id=public_id)
        assert listing.status == ListingStatus.PUBLISHED
        assert Verification.objects.get(user=listing.seller).status == "verified"
        assert [image.ai_class for image in listing.images.all()] == ["ai_generated"]

        _buyer_buys_and_reads(buyer.page, public_id)
        labels = _served_preview_labels(buyer.page, public_id)
        assert len(labels) == 1, labels  # exactly one implicit label, the platform's
        assert set(ANNEX_E) <= set(labels[0]) and all(labels[0][name] for name in ANNEX_E)
        assert _verified(labels[0])
    finally:
        seller.context.close()
        buyer.context.close()
    errors = seller.errors + buyer.errors
    assert errors == [], f"browser console errors: {errors}"


def _seller_verifies_and_enters_alipay(page: Any) -> None:
    """Onboarding under cn: verification first (a mainland ID puts the seller on the manual rail),
    then the Alipay account the platform pays, shown masked from then on."""
    _sign_up(page, "tea-cn@example.com", "tea-cn", PASSWORD)
    page.locator("#verification-step a.button").click()
    page.wait_for_url(re.compile(r"/account/verification/"))
    _verify_phone(page, "13700000000")
    page.locator("#phone-verified").wait_for()
    page.locator("#id_name").fill("张三")
    page.locator("#id_id_number").fill(ZHANG_ID)
    page.locator("form[action$='/verification/identity/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))

    page.locator("a[href='/dashboard/payouts/details/']").first.click()
    page.locator("input[name=method][value=alipay]").check()
    page.locator("#id_holder_name").fill("李四")
    page.locator("#id_account").fill("13700000000")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    assert "137****0000" in page.locator("section[aria-labelledby=payouts-h]").inner_text()
    assert "13700000000" not in page.content()
    snap(page, "cn-9-seller-alipay-masked")


def _seller_lists_with_an_ai_image(page: Any, folder: Path) -> str:
    page.locator("a[href='/dashboard/listings/new/']").first.click()
    _fill_listing(page, "龙井茶园水墨", "199.00", "CNY")
    page.locator("form.studio-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/dashboard/listings/[\w-]+/edit/$"))
    public_id: str = page.url.rstrip("/").split("/")[-2]
    labelled = folder / "labelled.png"
    labelled.write_bytes(_tc260_png())
    page.locator("#id_images").set_input_files([str(labelled)])
    page.locator("form.upload button[type=submit]").click()
    page.locator(".image-list [data-status].ready").wait_for()
    assert page.locator(".image-list .ai-class").inner_text() == "AI生成（文件元数据标明）"
    _submit(page, public_id)
    page.locator(".studio-status .status.published").wait_for()
    return public_id


def _staff_batches_and_marks_paid(browser: Any, base_url: str, reference: str) -> str:
    """Staff, in the admin: batch the closed statement, download the file, mark it paid. The CSV's text."""
    User.objects.create_superuser(email="ops@example.com", handle="ops", password=PASSWORD)
    staff = _visitor(browser, base_url, "en", phone=False)
    page = staff.page
    page.goto("/admin/login/?next=/admin/")
    page.locator("#id_username").fill("ops@example.com")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto("/admin/payments/payoutstatement/")
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option("create_batch")
    page.locator("button[name=index]").click()
    page.locator(".messagelist .success").wait_for()

    page.goto("/admin/payments/payoutbatch/")
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option("download_csv")
    with page.expect_download() as download:
        page.locator("button[name=index]").click()
    csv_text = Path(download.value.path()).read_text(encoding="utf-8")

    page.goto("/admin/payments/payoutbatch/")
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option("mark_paid")
    page.locator("button[name=index]").click()
    page.locator("#reference").fill(reference)
    page.locator("input[type=submit][value='Mark paid']").click()
    page.locator(".messagelist .success").wait_for()
    snap(page, "cn-12-staff-marked-paid")
    staff.context.close()
    assert staff.errors == []
    return csv_text


def test_a_mainland_seller_is_paid_by_statement_through_a_staff_batch(
    cn: None, settings: Any, browser: Any, live_server: Any, tmp_path: Path
) -> None:
    """Issue 16's whole walk: verification, Alipay details, a listing with an uploaded AI image, a
    sale charged on the platform, the statement closing on schedule and a staff-marked payout."""
    settings.PAYOUT_RAIL_DEFAULT = "country"  # cn's default, set at start-up from COMPLIANCE_PROFILE
    settings.PAYOUT_DETAILS_KEY = Fernet.generate_key().decode()
    seller = _visitor(browser, live_server.url, "zh-hans", phone=True)
    buyer = _visitor(browser, live_server.url, "zh-hans", phone=True)
    try:
        _seller_verifies_and_enters_alipay(seller.page)
        public_id = _seller_lists_with_an_ai_image(seller.page, tmp_path)
        # The listing page shows the AI notice beside the uploaded image; its served preview carries
        # the one implicit label.
        buyer.page.goto(f"/listings/{public_id}/")
        notice = buyer.page.locator(".gallery figure figcaption .ai-notice")
        assert notice.get_attribute("data-ai-class") == "ai_generated" and notice.is_visible()
        labels = _served_preview_labels(buyer.page, public_id)
        assert len(labels) == 1 and _verified(labels[0])
        _buyer_buys_and_reads(buyer.page, public_id)
        order = Order.objects.get(listing__public_id=public_id)
        assert order.status == "paid" and order.destination_account == ""  # charged on the platform

        # The beat task, a week on: the period the sale fell in has ended.
        assert statements_close(now=timezone.now() + timedelta(days=8)) == 1
        statement = PayoutStatement.objects.get()
        assert statement.amount == order.seller_amount and statement.currency == "CNY"
        seller.page.goto("/dashboard/payouts/statements/")
        assert "已结算，等待付款" in seller.page.locator(f"#statement-{statement.pk}").inner_text()
        snap(seller.page, "cn-10-seller-statement-closed")

        csv_text = _staff_batches_and_marks_paid(browser, live_server.url, "ALIPAY-2026-12-001")
        assert "13700000000" in csv_text and str(statement.pk) in csv_text  # staff need the real account
        assert f"{order.seller_amount / 100:.2f}" in csv_text

        seller.page.reload()
        row = seller.page.locator(f"#statement-{statement.pk}").inner_text()
        assert "已支付" in row and "ALIPAY-2026-12-001" in row
        _fits_the_screen(seller.page, phone=True)
        snap(seller.page, "cn-11-seller-statement-paid")
        paid_out = LedgerEntry.objects.filter(account=LedgerAccount.PAID_OUT, order=order)
        assert sum(entry.amount for entry in paid_out) == order.seller_amount
    finally:
        seller.context.close()
        buyer.context.close()
    errors = seller.errors + buyer.errors
    assert errors == [], f"browser console errors: {errors}"
