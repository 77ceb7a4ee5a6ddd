"""The notification preference page and the one-click unsubscribe link of every optional email."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from marketplace.accounts.models import User
from marketplace.notifications import emails, services
from marketplace.notifications.kinds import KINDS
from marketplace.storefront.views.common import current_user, see_other


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        chosen = {kind for kind in request.POST.getlist("kinds") if kind in KINDS}
        services.preferences_save(user=user, enabled=chosen)
        messages.success(request, gettext("Your email choices are saved."))
        return see_other(reverse("web:notification-preferences"))
    on = services.preferences_for(user=user)
    rows = [
        {"name": name, "label": kind.label, "essential": kind.essential, "on": on[name]}
        for name, kind in KINDS.items()
        if kind.listed
    ]
    return render(request, "storefront/notifications/preferences.html", {"rows": rows})


# No CSRF token: RFC 8058's one-click POST comes from the mail client, without the site's cookie.
# The signed token is the authority, and all it can do is turn one kind of email off.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = emails.unsubscribe_read(token)
    user = User.objects.filter(pk=found[0], is_active=True).first() if found else None
    if found is None or user is None or KINDS[found[1]].essential:
        message = gettext(
            "This unsubscribe link is not valid. Sign in and choose your emails on your account."
        )
        context = {"invalid": True, "message": message}
        return render(request, "storefront/notifications/unsubscribe.html", context, status=400)
    kind = KINDS[found[1]]
    if request.method == "POST":
        services.preference_turn_off(user=user, kind=kind.name)
    context = {"label": kind.label, "done": request.method == "POST", "token": token}
    return render(request, "storefront/notifications/unsubscribe.html", context)
