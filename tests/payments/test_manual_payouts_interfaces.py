"""The manual payout rail through its interfaces: the seller API (masked, never the plaintext) and
the staff admin (batch, file download behind a permission and in the audit trail, mark paid)."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.test import Client

from payments.models import LedgerAccount, LedgerEntry, PayoutBatch, PayoutStatement, StatementStatus
from tests.factories import UserFactory
from tests.payments.conftest import ACCOUNT_NUMBER
from tests.payments.test_manual_payouts import SHARE, _closed_statement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rail(settings):
    settings.PAYOUT_RAIL_DEFAULT = "manual"
    settings.MANUAL_PAYOUT_MINIMUM = {"CNY": 1000}  # minor units
    settings.PAYOUT_DETAILS_KEY = Fernet.generate_key().decode()


def test_the_api_takes_payout_details_and_returns_only_the_mask(client_for):
    seller = UserFactory(handle="api-seller")
    api = client_for(seller)
    assert api.get("/api/v1/seller/payout-details/").json()["can_accept_payments"] is False
    response = api.put(
        "/api/v1/seller/payout-details/",
        {"method": "alipay", "holder_name": "王小明", "account": "13812340000"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["rail"], body["account"], body["holder_name"]) == ("manual", "138****0000", "王**")
    assert body["can_accept_payments"] is True
    assert "13812340000" not in response.content.decode()
    assert "13812340000" not in api.get("/api/v1/seller/payout-details/").content.decode()


def test_bad_payout_details_are_a_400_envelope_naming_the_field(client_for):
    api = client_for(UserFactory(handle="typo-seller"))
    response = api.put(
        "/api/v1/seller/payout-details/",
        {"method": "bank", "holder_name": "王小明", "account": "12-ab", "bank_name": "中国银行"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_payout_details"
    assert "account" in response.json()["error"]["fields"]
    assert api.put("/api/v1/seller/payout-details/", {"rail": "teleport"}, format="json").status_code == 400


def test_the_statements_api_lists_statements_and_the_running_balance(
    stripe_fake, manual_seller, buyer_api, client_for
):
    statement = _closed_statement(stripe_fake, manual_seller, buyer_api)
    body = client_for(manual_seller).get("/api/v1/seller/statements/").json()
    (row,) = body["results"]
    assert (row["id"], row["amount"]["amount"], row["status"]) == (statement.pk, SHARE, "closed")
    assert body["balance"] == []  # everything is in the statement
    other = client_for(UserFactory(handle="nosy")).get("/api/v1/seller/statements/").json()
    assert other["results"] == []


def _admin(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_batch_download_and_mark_paid_in_the_admin(stripe_fake, manual_seller, buyer_api):
    statement = _closed_statement(stripe_fake, manual_seller, buyer_api)
    clerk = UserFactory(handle="clerk", is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_payoutstatement", "view_payoutbatch", "add_payoutbatch", "change_payoutbatch"]
        )
    )
    admin = _admin(clerk)
    admin.post(
        "/admin/payments/payoutstatement/",
        {"action": "create_batch", "_selected_action": [statement.pk]},
    )
    batch = PayoutBatch.objects.get()
    statement.refresh_from_db()
    assert statement.status == StatementStatus.IN_BATCH

    download = {"action": "download_csv", "_selected_action": [batch.pk]}
    refused = admin.post("/admin/payments/payoutbatch/", download, follow=True)
    assert ACCOUNT_NUMBER not in refused.content.decode()  # without the export permission
    clerk.user_permissions.add(Permission.objects.get(codename="export_payoutbatch"))
    admin = _admin(clerk)
    file = admin.post("/admin/payments/payoutbatch/", download)
    assert file["Content-Disposition"] == f'attachment; filename="payout-batch-{batch.pk}.csv"'
    assert ACCOUNT_NUMBER in file.content.decode()
    assert LogEntry.objects.filter(
        user=clerk, object_id=str(batch.pk), change_message__contains="Downloaded"
    ).exists()

    form = admin.post("/admin/payments/payoutbatch/", {"action": "mark_paid", "_selected_action": [batch.pk]})
    assert b'name="reference"' in form.content
    for _ in range(2):
        admin.post(
            "/admin/payments/payoutbatch/",
            {"action": "mark_paid", "_selected_action": [batch.pk], "reference": "ALIPAY-77"},
        )
    statement.refresh_from_db()
    assert statement.status == StatementStatus.PAID
    assert LedgerEntry.objects.filter(account=LedgerAccount.PAID_OUT).count() == 1


def test_the_admin_never_shows_the_plaintext_account(manual_seller):
    root = UserFactory(handle="root", is_staff=True, is_superuser=True)
    admin = _admin(root)
    profile_page = admin.get(f"/admin/payments/payoutprofile/{manual_seller.payout_profile.pk}/change/")
    listing_page = admin.get("/admin/payments/payoutprofile/")
    for page in (profile_page, listing_page):
        assert page.status_code == 200
        assert ACCOUNT_NUMBER not in page.content.decode()
        assert manual_seller.payout_profile.details_ciphertext not in page.content.decode()
    assert "6222 **** **** 0123" in profile_page.content.decode()
    assert PayoutStatement.objects.count() == 0
