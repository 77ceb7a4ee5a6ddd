"""Staff export a user's personal data from the user list: an admin action, recorded in the admin log.

The user admin lives in accounts, which may not know this app (the layers run one way), so the
action is added here to a subclass of that admin, registered in its place.
"""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from marketplace.accounts.admin import UserAdmin as AccountsUserAdmin
from marketplace.accounts.models import User
from marketplace.privacy.export import user_data_export


class UserAdmin(AccountsUserAdmin):
    actions = ["export_personal_data"]

    @admin.action(description=gettext_lazy("Export personal data (JSON)"), permissions=["change"])
    def export_personal_data(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, gettext("Choose exactly one user to export."), messages.WARNING)
            return None
        user = queryset.get()
        data = user_data_export(user=user)
        # The admin log is the audit trail of staff actions: who exported whose data, and when.
        self.log_change(request, user, "Exported the user's personal data (JSON).")
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="dimsum-user-{user.pk}-{stamp}.json"'
        response["Cache-Control"] = "no-store"
        return response


admin.site.unregister(User)
admin.site.register(User, UserAdmin)
