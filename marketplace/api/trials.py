"""REST interface for trial runs: ask for one, list your own, fetch a result image."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.openapi import ErrorEnvelope, cursor_page, errors, sized_page_parameters
from marketplace.api.pagination import cursor_page_response
from marketplace.api.parsing import current_user
from marketplace.core.errors import envelope
from payments.selectors import prompt_access_allowed
from prompts import selectors
from prompts.models import TrialRun, TrialStatus
from prompts.trials import selectors as trial_selectors
from prompts.trials.services import TrialLimitReached, trial_request


class TrialInput(serializers.Serializer):
    values = serializers.DictField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        required=False,
        default=dict,
        help_text="One value per variable of the listing, by name.",
    )


class TrialOutput(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    kind = serializers.CharField()
    status = serializers.ChoiceField(choices=TrialStatus.values)
    values = serializers.DictField(child=serializers.CharField())
    text = serializers.CharField(help_text="The shortened answer of a text trial, when done.")
    image_url = serializers.SerializerMethodField()
    image_width = serializers.IntegerField()
    image_height = serializers.IntegerField()
    message = serializers.SerializerMethodField(help_text="Why the run failed or was withheld.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_image_url(self, run: TrialRun) -> str | None:
        if not run.image:
            return None
        return reverse("listing-trial-image", args=[run.listing.public_id, run.public_id])

    def get_message(self, run: TrialRun) -> str:
        return gettext(run.failure_reason) if run.failure_reason else ""


def _limit_response(exc: TrialLimitReached) -> Response:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
    return Response(envelope(exc.code, exc.message), status=429, headers=headers)


class TrialsApi(APIView):
    @extend_schema(
        request=TrialInput,
        responses={
            202: TrialOutput,
            **errors(422, 429),
            503: OpenApiResponse(
                ErrorEnvelope, description="trials_unavailable: no generator is configured."
            ),
        },
        summary="Ask for a trial run of a listing with your values (rendered in the background)",
        operation_id="listing_trials_create",
    )
    def post(self, request: Request, public_id: str) -> Response:
        listing = selectors.listing_get_visible(public_id=public_id, user=request.user)
        data = TrialInput(data=request.data)
        data.is_valid(raise_exception=True)
        buyer = current_user(request)
        try:
            run = trial_request(
                buyer=buyer,
                listing=listing,
                values=data.validated_data["values"],
                can_read_prompt=prompt_access_allowed(user=buyer, listing=listing),
            )
        except TrialLimitReached as exc:
            return _limit_response(exc)
        run.refresh_from_db()
        return Response(TrialOutput(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=sized_page_parameters(default=20, most=50),
        responses=cursor_page("TrialPage", TrialOutput()),
        summary="Your trial runs of a listing, newest first",
        operation_id="listing_trials_list",
    )
    def get(self, request: Request, public_id: str) -> Response:
        listing = selectors.listing_get_visible(public_id=public_id, user=request.user)
        return cursor_page_response(
            request,
            trial_selectors.trials_for_buyer(buyer=current_user(request), listing=listing),
            lambda page: TrialOutput(page, many=True).data,
            ordering=("-created_at", "-pk"),
            page_size=20,
            max_page_size=50,
        )


class TrialImageApi(APIView):
    @extend_schema(
        responses={(200, "image/webp"): OpenApiResponse(description="The trial image (WebP).")},
        summary="The image of one of your trial runs",
        operation_id="listing_trial_image",
    )
    def get(self, request: Request, public_id: str, trial_id: str) -> Any:
        listing = selectors.listing_get_visible(public_id=public_id, user=request.user)
        image = trial_selectors.trial_image_open(
            buyer=current_user(request), listing=listing, public_id=trial_id
        )
        response = FileResponse(image.file, content_type=image.content_type)
        response["Cache-Control"] = "private, max-age=3600"
        return response
