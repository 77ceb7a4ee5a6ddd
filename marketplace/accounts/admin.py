from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from marketplace.accounts.forms import UserPasswordForm
from marketplace.accounts.models import ApiToken, SignInEvent, User
from marketplace.core.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    # Saves through user_password_set: the user's API tokens are revoked and their sessions end.
    change_password_form = UserPasswordForm
    ordering = ("-date_joined",)
    list_display = ("email", "handle", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "handle", "display_name")
    list_filter = ("is_staff", "is_active")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("handle", "display_name", "bio")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "handle", "password1", "password2")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "expires_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at", "expires_at")
    search_fields = ("user__email", "prefix")


@admin.register(SignInEvent)
class SignInEventAdmin(ReadOnlyAdmin):
    """The sign-in audit trail: read-only; only the retention task deletes rows."""

    list_display = ("at", "user", "kind", "door", "address", "user_agent")
    list_filter = ("kind", "door")
    search_fields = ("user__email", "user__handle", "address")
    date_hierarchy = "at"
    list_select_related = ("user",)
