"""REST interface for the manual payout rail: the seller's payout details (masked, never the
plaintext back) and their payout statements."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.accounts.models import User
from marketplace.api.openapi import CURSOR_PARAMETERS, MoneyOutput, cursor_page, errors
from marketplace.api.pagination import cursor_page_response
from marketplace.api.parsing import current_user
from marketplace.core.money import money_json
from payments import selectors
from payments.models import PayoutMethod, PayoutProfile, PayoutRail, PayoutStatement
from payments.services import rails


class PayoutDetailsOutput(serializers.Serializer):
    rail = serializers.ChoiceField(choices=PayoutRail.choices)
    rails_allowed = serializers.ListField(child=serializers.CharField())
    can_accept_payments = serializers.BooleanField()
    method = serializers.CharField(help_text="bank or alipay; empty before details are entered.")
    holder_name = serializers.CharField(help_text="Masked, e.g. 张*.")
    account = serializers.CharField(help_text="Masked, e.g. 6222 **** **** 0123 or 138****0000.")
    bank_name = serializers.CharField()


class PayoutDetailsInput(serializers.Serializer):
    rail = serializers.ChoiceField(choices=PayoutRail.choices, required=False)
    method = serializers.ChoiceField(choices=PayoutMethod.choices, required=False)
    holder_name = serializers.CharField(max_length=60, required=False)
    account = serializers.CharField(max_length=100, required=False, help_text="Write-only: never returned.")
    bank_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


def _details_json(user: User) -> dict[str, Any]:
    profile = PayoutProfile.objects.filter(user=user).first()
    return {
        "rail": rails.payout_rail_for(user=user, profile=profile),
        "rails_allowed": rails.payout_rails_allowed(user=user),
        "can_accept_payments": user.can_accept_payments,
        "method": profile.method if profile else "",
        "holder_name": profile.masked_holder if profile else "",
        "account": profile.masked_account if profile else "",
        "bank_name": profile.bank_name if profile else "",
    }


class SellerPayoutDetailsApi(APIView):
    @extend_schema(responses=PayoutDetailsOutput, summary="Your payout rail and details (masked)")
    def get(self, request: Request) -> Response:
        return Response(_details_json(current_user(request)))

    @extend_schema(
        request=PayoutDetailsInput,
        responses={200: PayoutDetailsOutput, **errors(400)},
        summary="Choose the payout rail and/or replace the bank or Alipay details",
    )
    def put(self, request: Request) -> Response:
        user = current_user(request)
        data = PayoutDetailsInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        rails.payout_setup_save(
            user=user,
            rail=values.get("rail", ""),
            details=bool({"method", "holder_name", "account"} & set(values)),
            method=values.get("method", ""),
            holder_name=values.get("holder_name", ""),
            account=values.get("account", ""),
            bank_name=values.get("bank_name", ""),
        )
        user.refresh_from_db()
        return Response(_details_json(user))


class StatementOutput(serializers.Serializer):
    id = serializers.IntegerField()
    currency = serializers.CharField()
    period_start = serializers.DateTimeField()
    period_end = serializers.DateTimeField()
    opening_balance = MoneyOutput(help_text="Carried over from earlier periods; may be negative.")
    amount = MoneyOutput()
    status = serializers.ChoiceField(choices=["closed", "in_batch", "paid"])
    paid_at = serializers.DateTimeField(allow_null=True)
    paid_reference = serializers.CharField()


def statement_json(statement: PayoutStatement) -> dict[str, Any]:
    return {
        "id": statement.pk,
        "currency": statement.currency,
        "period_start": statement.period_start,
        "period_end": statement.period_end,
        "opening_balance": money_json(statement.opening_balance, statement.currency),
        "amount": money_json(statement.amount, statement.currency),
        "status": statement.status,
        "paid_at": statement.paid_at,
        "paid_reference": statement.batch.reference if statement.batch and statement.paid_at else "",
    }


class SellerStatementsApi(APIView):
    @extend_schema(
        parameters=CURSOR_PARAMETERS,
        responses=cursor_page(
            "StatementsPage",
            StatementOutput(),
            balance=serializers.ListField(
                child=MoneyOutput(), help_text="Not yet in a statement, per currency; may be negative."
            ),
        ),
        summary="Your payout statements and the running balance",
    )
    def get(self, request: Request) -> Response:
        seller = current_user(request)
        response = cursor_page_response(
            request,
            selectors.payout_statements_for(seller=seller),
            lambda page: [statement_json(s) for s in page],
            ordering=("-period_end", "-pk"),
            page_size=50,
        )
        response.data["balance"] = [
            money_json(row["amount"], row["currency"]) for row in selectors.manual_balance_for(seller=seller)
        ]
        return response
