from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketplace.accounts.models import User
from marketplace.core.admin import ReadOnlyAdmin, ReadOnlyInline
from marketplace.core.errors import ApplicationError
from prompts.models import (
    Favourite,
    FlagStatus,
    Listing,
    ListingEvent,
    ListingFlag,
    ListingImage,
    PromptVersion,
    Review,
    ScreeningList,
    ScreeningTerm,
    SearchSynonym,
)
from prompts.moderation import (
    complaint_admin,  # noqa: F401  (registers the complaint queue)
    decisions,
    flags,
)
from prompts.search import synonyms


class RejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("The seller sees this. Say what to change."),
    )


class PromptVersionInline(ReadOnlyInline):
    """Prompt text is shown only to staff with the explicit view permission for versions."""

    model = PromptVersion
    fields = ("number", "text", "usage_notes", "created_at")
    readonly_fields = fields


class ListingImageInline(ReadOnlyInline):
    model = ListingImage
    fields = (
        "public_id",
        "status",
        "ai_class",
        "ai_evidence",
        "failure_reason",
        "source_width",
        "source_height",
        "created_at",
    )
    readonly_fields = fields


class ListingEventInline(ReadOnlyInline):
    model = ListingEvent
    fields = ("created_at", "action", "actor", "detail")
    readonly_fields = fields


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "public_id",
        "seller",
        "status",
        "target_model",
        "category",
        "price_amount",
        "price_currency",
        "submitted_at",
    )
    list_filter = ("status", "target_model", "category", "language")
    search_fields = ("public_id", "title", "seller__handle", "seller__email")
    list_select_related = ("seller",)
    readonly_fields = (
        "public_id",
        "seller",
        "status",
        "review_note",
        "rejection_reason",
        "variables",
        "created_at",
        "updated_at",
        "submitted_at",
        "published_at",
        "view_count",
        "unlock_count",
        # The seller sets the price through the services, which keep the reference price (the
        # sort key in US cents) and the cached card in step; an admin edit would leave both stale.
        "price_amount",
        "price_currency",
        "price_reference",
    )
    exclude = ("card_json", "detail_json", "tags")
    inlines = (PromptVersionInline, ListingImageInline, ListingEventInline)
    actions = ("approve", "reject")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # listings are created by sellers, through the API

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        inlines = super().get_inline_instances(request, obj)
        return [
            inline
            for inline in inlines
            if not isinstance(inline, PromptVersionInline)
            or request.user.has_perm("prompts.view_promptversion")
        ]

    @admin.action(description=_("Approve and publish selected listings"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        assert isinstance(request.user, User)
        done = 0
        for listing in queryset:
            try:
                decisions.listing_approve(listing=listing, by=request.user)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{listing.title}: {exc.message}", messages.WARNING)
        published = ngettext("Published %(count)d listing.", "Published %(count)d listings.", done)
        self.message_user(request, published % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Reject selected listings (asks for a reason)"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Listing]) -> HttpResponse | None:
        assert isinstance(request.user, User)
        form = RejectForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            done = 0
            for listing in queryset:
                try:
                    decisions.listing_reject(
                        listing=listing, by=request.user, reason=form.cleaned_data["reason"]
                    )
                    done += 1
                except ApplicationError as exc:
                    self.message_user(request, f"{listing.title}: {exc.message}", messages.WARNING)
            rejected = ngettext("Rejected %(count)d listing.", "Rejected %(count)d listings.", done) % {
                "count": done
            }
            self.message_user(request, rejected, messages.SUCCESS)
            return None
        return TemplateResponse(
            request,
            "admin/prompts/reject.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reject listings"),
                "form": form,
                "listings": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


class ScreeningListForm(forms.ModelForm):
    add_terms = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("Paste terms to add, one per line (Chinese or English)."),
    )

    class Meta:
        model = ScreeningList
        fields = ("name", "action", "is_active", "description")


class ScreeningTermInline(admin.TabularInline):
    model = ScreeningTerm
    extra = 0
    fields = ("term",)


@admin.register(ScreeningList)
class ScreeningListAdmin(admin.ModelAdmin):
    form = ScreeningListForm
    list_display = ("name", "action", "is_active", "updated_at")
    inlines = (ScreeningTermInline,)

    def save_model(self, request: HttpRequest, obj: ScreeningList, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        terms = {line.strip() for line in form.cleaned_data.get("add_terms", "").splitlines() if line.strip()}
        ScreeningTerm.objects.bulk_create(
            [ScreeningTerm(screening_list=obj, term=term[:100]) for term in terms], ignore_conflicts=True
        )


@admin.register(ListingEvent)
class ListingEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "listing", "action", "actor")
    list_filter = ("action",)
    search_fields = ("listing__public_id", "actor__handle")
    list_select_related = ("listing", "actor")


class FlagResolutionForm(forms.Form):
    resolution = forms.CharField(
        label=_("What did you find?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("Recorded on the flag and in the listing's audit trail."),
    )


@admin.register(ListingFlag)
class ListingFlagAdmin(admin.ModelAdmin):
    """Copied-image flags: both listings side by side, open ones first. Confirming a copy records it;
    to take the listing down, reject or archive it from its page with a reason the seller reads."""

    list_display = ("created_at", "listing", "related_listing", "reason", "distance", "status", "resolved_by")
    list_filter = ("status", "reason")
    search_fields = (
        "listing__public_id",
        "listing__title",
        "related_listing__public_id",
        "related_listing__title",
    )
    list_select_related = ("listing", "related_listing", "resolved_by")
    readonly_fields = (
        "listing",
        "related_listing",
        "reason",
        "detail",
        "status",
        "created_at",
        "resolved_at",
        "resolved_by",
        "resolution",
    )
    actions = ("confirm", "dismiss")
    ordering = ("status", "-created_at")  # "open" sorts before the outcomes

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # flags are raised by the image pipeline

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an outcome is recorded instead

    @admin.display(description=_("Image distance"))
    def distance(self, flag: ListingFlag) -> object:
        return flag.detail.get("distance", "–")

    def _resolve(
        self, request: HttpRequest, queryset: QuerySet[ListingFlag], confirmed: bool
    ) -> HttpResponse | None:
        assert isinstance(request.user, User)
        form = FlagResolutionForm(request.POST if "resolution" in request.POST else None)
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/prompts/resolve_flags.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Confirm the copies") if confirmed else _("Dismiss the flags"),
                    "form": form,
                    "queryset": queryset,
                    "action": request.POST.get("action", ""),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "opts": self.model._meta,
                },
            )
        done = sum(
            flags.flag_resolve(
                flag=flag, by=request.user, confirmed=confirmed, resolution=form.cleaned_data["resolution"]
            )
            for flag in queryset.filter(status=FlagStatus.OPEN)
        )
        decided = ngettext("%(count)d flag decided.", "%(count)d flags decided.", done)
        self.message_user(request, decided % {"count": done}, messages.SUCCESS)
        return None

    @admin.action(description=_("Confirm: the example images were copied"), permissions=["change"])
    def confirm(self, request: HttpRequest, queryset: QuerySet[ListingFlag]) -> HttpResponse | None:
        return self._resolve(request, queryset, confirmed=True)

    @admin.action(description=_("Dismiss: not a copy"), permissions=["change"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[ListingFlag]) -> HttpResponse | None:
        return self._resolve(request, queryset, confirmed=False)


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Reviews, to find and read. They have no hidden state; the listing's rating counts every row,
    so they are not deleted here (a review breaking the rules is a complaint about the listing)."""

    list_display = ("created_at", "listing", "buyer", "rating", "text", "replied_at")
    list_filter = ("rating",)
    search_fields = ("listing__public_id", "listing__title", "buyer__handle", "buyer__email", "text")
    list_select_related = ("listing", "buyer")
    readonly_fields = (
        "public_id",
        "listing",
        "buyer",
        "rating",
        "text",
        "seller_reply",
        "replied_at",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Favourite)
class FavouriteAdmin(ReadOnlyAdmin):
    """Who saved which listing: read-only, buyers add and remove their own."""

    list_display = ("created_at", "listing", "buyer")
    search_fields = ("listing__public_id", "listing__title", "buyer__handle", "buyer__email")
    list_select_related = ("listing", "buyer")
    readonly_fields = ("listing", "buyer", "created_at")


class SearchSynonymForm(forms.ModelForm):
    class Meta:
        model = SearchSynonym
        fields = ("terms", "note")
        widgets = {"terms": forms.Textarea(attrs={"rows": 8})}

    def clean_terms(self) -> str:
        try:
            return "\n".join(synonyms.clean_terms(self.cleaned_data["terms"]))
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from None


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    """Groups of search terms that mean the same; the next searches use an edit, no re-index."""

    form = SearchSynonymForm
    list_display = ("__str__", "note", "updated_at")
    search_fields = ("terms", "note")
    readonly_fields = ("updated_at",)

    def save_model(self, request: HttpRequest, obj: SearchSynonym, form: Any, change: bool) -> None:
        synonyms.search_synonym_save(group=obj, terms=form.cleaned_data["terms"], note=obj.note)

    def delete_model(self, request: HttpRequest, obj: SearchSynonym) -> None:
        synonyms.search_synonym_delete(groups=[obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SearchSynonym]) -> None:
        synonyms.search_synonym_delete(groups=list(queryset))
