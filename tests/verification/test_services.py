"""Phone and identity verification with each provider, and what is (not) stored."""

from __future__ import annotations

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from marketplace.core.errors import ApplicationError
from marketplace.verification import services
from marketplace.verification.models import Identity, PhoneVerification, Status, Verification
from tests.factories import UserFactory
from tests.verification.conftest import LI_ID, ZHANG_ID, verify_phone, verify_seller

pytestmark = pytest.mark.django_db


def test_masks_show_only_what_staff_need() -> None:
    assert services.mask_name("张三") == "张*"
    assert services.mask_name("欧阳娜娜") == "欧***"
    assert services.mask_phone("13800000000") == "138****0000"
    assert services.mask_id_number(ZHANG_ID) == "1****************" + ZHANG_ID[-1]


def test_sandbox_verifies_a_seller_and_keeps_only_masks_and_a_keyed_hash(seller) -> None:  # type: ignore[no-untyped-def]
    verify_seller(seller)
    verification = Verification.objects.get(user=seller)
    assert (verification.status, verification.method) == (Status.VERIFIED, "identity_document")
    assert (verification.masked_name, verification.provider) == ("张*", "sandbox")
    assert PhoneVerification.objects.get(user=seller).masked_phone == "138****0000"
    assert verification.identity is not None and ZHANG_ID not in verification.identity.key_hash
    assert services.is_seller_verified(seller)


def _every_stored_value() -> str:
    """Every column of every row of every table, as text."""
    dump = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table}")
            dump += [repr(row) for row in cursor.fetchall()]
    return "\n".join(dump)


def test_the_raw_id_number_name_and_phone_are_stored_nowhere(seller) -> None:  # type: ignore[no-untyped-def]
    verify_seller(seller, name="王小明", number=LI_ID)
    stored = _every_stored_value()
    assert LI_ID not in stored and LI_ID[:-1] not in stored
    assert "王小明" not in stored and "13800000000" not in stored
    assert "王**" in stored  # the masked display is what is kept


def test_one_identity_opens_one_shop(seller, other_seller) -> None:  # type: ignore[no-untyped-def]
    verify_seller(seller)
    verify_phone(other_seller)
    with pytest.raises(ApplicationError) as refused:
        services.identity_verify(user=other_seller, name="张三", id_number=ZHANG_ID)
    assert (refused.value.code, refused.value.status_code) == ("identity_in_use", 409)
    assert not services.is_seller_verified(other_seller)
    assert not Verification.objects.filter(user=other_seller).exists()
    # A verified seller cannot verify again (nor swap identities, nor lose theirs to a mismatch).
    with pytest.raises(ApplicationError) as again:
        services.identity_verify(user=seller, name="Mismatch", id_number=LI_ID)
    assert again.value.code == "already_verified"
    assert services.is_seller_verified(seller) and Identity.objects.count() == 1


def test_the_limit_per_identity_is_a_setting(settings, seller, other_seller) -> None:  # type: ignore[no-untyped-def]
    settings.VERIFICATION_MAX_ACCOUNTS_PER_IDENTITY = 2
    verify_seller(seller)
    verify_seller(other_seller)
    assert services.is_seller_verified(other_seller)


def test_a_different_hash_key_gives_different_hashes(settings) -> None:  # type: ignore[no-untyped-def]
    derived = services.keyed_hash(ZHANG_ID)
    settings.VERIFICATION_HASH_KEY = "operator-key"
    assert services.keyed_hash(ZHANG_ID) != derived


@pytest.mark.parametrize(
    ("phone", "field"), [("12345", "phone"), ("23800000000", "phone"), ("+86 138 0000 0000", None)]
)
def test_phone_numbers_are_checked_before_any_message(seller, phone, field) -> None:  # type: ignore[no-untyped-def]
    if field is None:
        services.phone_code_send(user=seller, phone=phone)
        assert PhoneVerification.objects.get(user=seller).pending_masked_phone == "138****0000"
        return
    with pytest.raises(ApplicationError) as refused:
        services.phone_code_send(user=seller, phone=phone)
    assert field in refused.value.fields
    assert not PhoneVerification.objects.exists()


def test_id_numbers_with_a_wrong_checksum_are_refused(seller) -> None:  # type: ignore[no-untyped-def]
    verify_phone(seller)
    wrong = ZHANG_ID[:-1] + ("0" if ZHANG_ID[-1] != "0" else "1")
    with pytest.raises(ApplicationError) as refused:
        services.identity_verify(user=seller, name="张三", id_number=wrong)
    assert "id_number" in refused.value.fields
    assert not Verification.objects.exists()


def test_identity_needs_a_verified_phone_first(seller) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ApplicationError) as refused:
        services.identity_verify(user=seller, name="张三", id_number=ZHANG_ID)
    assert refused.value.code == "phone_required"


def test_a_wrong_code_counts_and_five_lock_the_code(seller) -> None:  # type: ignore[no-untyped-def]
    services.phone_code_send(user=seller, phone="13800000000")
    for _ in range(5):
        with pytest.raises(ApplicationError, match="not the one we sent"):
            services.phone_code_confirm(user=seller, code="000000")
    with pytest.raises(ApplicationError, match="expired or was tried too often"):
        services.phone_code_confirm(user=seller, code="123456")
    assert not services.is_phone_verified(seller)


def test_a_code_expires_and_cannot_be_resent_within_a_minute(seller) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(timezone.now(), tick=False) as clock:
        services.phone_code_send(user=seller, phone="13800000000")
        with pytest.raises(ApplicationError) as refused:
            services.phone_code_send(user=seller, phone="13800000000")
        assert refused.value.status_code == 429
        clock.shift(301)
        with pytest.raises(ApplicationError, match="expired"):
            services.phone_code_confirm(user=seller, code="123456")


def test_the_sandbox_refuses_to_run_without_debug(settings, seller) -> None:  # type: ignore[no-untyped-def]
    settings.VERIFICATION_SANDBOX_ALLOWED = False
    with pytest.raises(ImproperlyConfigured):
        services.phone_code_send(user=seller, phone="13800000000")


def test_sandbox_mismatch_is_recorded_as_failed(seller) -> None:  # type: ignore[no-untyped-def]
    verify_phone(seller)
    with pytest.raises(ApplicationError, match="do not match"):
        services.identity_verify(user=seller, name="Mismatch", id_number=ZHANG_ID)
    assert Verification.objects.get(user=seller).status == Status.FAILED
    assert Identity.objects.count() == 0


def test_a_buyer_without_shop_can_verify_a_phone_only() -> None:
    buyer = UserFactory()
    verify_phone(buyer, "13900001111")
    assert services.is_phone_verified(buyer) and not services.is_seller_verified(buyer)
