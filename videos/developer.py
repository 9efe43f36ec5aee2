"""/settings/apps/: OAuth2 apps people register, apps they authorized, webhooks and their log.

Services (writes) first, then the thin HTML views. The consent screen itself is the
toolkit's AuthorizationView (/o/authorize/) rendered with templates/oauth2_provider/.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_refresh_token_model,
)

from . import webhooks
from .models import Webhook, WebhookDelivery

Application = get_application_model()
MAX_APPS_PER_USER = 20


# --- services -----------------------------------------------------------------------------
def oauth_app_create(*, user, name: str, redirect_uris: str, client_type: str):
    """Register an authorization-code (+PKCE) app. Returns (app, client secret in clear):
    the secret is stored hashed, so this is the only time anyone sees it."""
    if Application.objects.filter(user=user).count() >= MAX_APPS_PER_USER:
        raise ValidationError(_("You have too many apps. Delete one first."))
    uris = redirect_uris.split()
    for uri in uris:
        if not settings.DEBUG and not uri.lower().startswith("https://"):
            raise ValidationError({"redirect_uris": _("Redirect URIs must start with https://.")})
    app = Application(
        user=user,
        name=name.strip(),
        redirect_uris=" ".join(uris),
        client_type=client_type,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        skip_authorization=False,
    )
    secret = app.client_secret if client_type == Application.CLIENT_CONFIDENTIAL else ""
    if not secret:
        app.client_secret = ""
    app.full_clean()
    app.save()
    return app, secret


def oauth_app_delete(*, app, user) -> None:
    if app.user_id != user.pk:
        raise ValidationError(_("Only the app's owner can delete it."))
    app.delete()


def oauth_grant_revoke(*, app, user) -> int:
    """Take back everything the person gave the app: access and refresh tokens, pending
    authorization codes. The app has to ask for consent again."""
    with transaction.atomic():
        n = 0
        for token in get_refresh_token_model().objects.filter(user=user, application=app):
            token.revoke()  # deletes its access token too
            n += 1
        for token in get_access_token_model().objects.filter(user=user, application=app):
            token.revoke()
            n += 1
        get_grant_model().objects.filter(user=user, application=app).delete()
    return n


def authorized_apps(*, user):
    """Apps the person gave access to (a token that is still stored), newest first."""
    ids = get_access_token_model().objects.filter(user=user).values("application_id")
    refresh_ids = (
        get_refresh_token_model()
        .objects.filter(user=user, revoked__isnull=True)
        .values("application_id")
    )
    return Application.objects.filter(pk__in=ids).union(
        Application.objects.filter(pk__in=refresh_ids)
    )


# --- forms --------------------------------------------------------------------------------
class AppForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    redirect_uris = forms.CharField(
        label=gettext_lazy("Redirect URIs"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One or more https:// URIs, separated by spaces or new lines."),
        max_length=2000,
    )
    client_type = forms.ChoiceField(
        label=gettext_lazy("Client type"),
        choices=[
            (
                Application.CLIENT_CONFIDENTIAL,
                gettext_lazy("Confidential (a server keeps a secret)"),
            ),
            (Application.CLIENT_PUBLIC, gettext_lazy("Public (mobile or single-page app, PKCE)")),
        ],
    )


class WebhookForm(forms.Form):
    url = forms.URLField(label=gettext_lazy("Webhook URL"), max_length=500, assume_scheme="https")


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- views --------------------------------------------------------------------------------
def _page(request, *, app_form=None, webhook_form=None, new_app=None, status=200):
    deliveries = WebhookDelivery.objects.order_by("-created_at", "-id")
    apps = (
        Application.objects.filter(user=request.user)
        .order_by("-created")
        .prefetch_related(
            Prefetch(
                "webhooks",
                queryset=Webhook.objects.prefetch_related(
                    Prefetch("deliveries", queryset=deliveries, to_attr="all_deliveries")
                ),
            )
        )
    )
    apps = list(apps)
    for app in apps:
        for hook in app.webhooks.all():
            hook.recent_deliveries = hook.all_deliveries[:20]
    return render(
        request,
        "videos/developer_apps.html",
        {
            "apps": apps,
            "authorized": authorized_apps(user=request.user),
            "app_form": app_form or AppForm(),
            "webhook_form": webhook_form or WebhookForm(),
            "new_app": new_app,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def apps_page(request):
    if request.method == "GET":
        return _page(request)
    form = AppForm(request.POST)
    if form.is_valid():
        try:
            app, secret = oauth_app_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("App registered. Copy the secret now: it is shown once."))
            return _page(request, new_app={"app": app, "secret": secret}, status=201)
    return _page(request, app_form=form, status=400)


@login_required
@require_POST
def app_delete(request, client_id: str):
    app = get_object_or_404(Application, client_id=client_id, user=request.user)
    oauth_app_delete(app=app, user=request.user)
    messages.success(request, _("App deleted."))
    return redirect("developer:apps")


@login_required
@require_POST
def grant_revoke(request, client_id: str):
    app = get_object_or_404(Application, client_id=client_id)
    oauth_grant_revoke(app=app, user=request.user)
    messages.success(request, _("Access for %(name)s was revoked.") % {"name": app.name})
    return redirect("developer:apps")


@login_required
@require_POST
def webhook_add(request, client_id: str):
    app = get_object_or_404(Application, client_id=client_id, user=request.user)
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            webhooks.webhook_create(
                application=app, user=request.user, url=form.cleaned_data["url"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Webhook added."))
            return redirect("developer:apps")
    return _page(request, webhook_form=form, status=400)


@login_required
@require_POST
def webhook_remove(request, pk: int):
    hook = get_object_or_404(Webhook, pk=pk, application__user=request.user)
    webhooks.webhook_delete(webhook=hook, user=request.user)
    messages.success(request, _("Webhook removed."))
    return redirect("developer:apps")


app_name = "developer"
urlpatterns = [
    path("", apps_page, name="apps"),
    path("<str:client_id>/delete/", app_delete, name="app_delete"),
    path("<str:client_id>/webhooks/", webhook_add, name="webhook_add"),
    path("authorized/<str:client_id>/revoke/", grant_revoke, name="grant_revoke"),
    path("webhooks/<int:pk>/delete/", webhook_remove, name="webhook_remove"),
]
