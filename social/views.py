"""HTML views for accounts and settings. Thin: parse, call a service, render."""

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from . import services
from .forms import (
    CommentFilterForm,
    LinksForm,
    LockoutAuthenticationForm,
    ProfileForm,
    RemixAudienceForm,
    SignupForm,
)
from .images import avatar_too_large_error
from .selectors import is_protected_minor


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("videos:for_you")
    # Not `request.POST or None`: an empty POST must be bound and show "required" errors.
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                username=data["username"],
                email=data["email"],
                password=data["password1"],
                birthdate=data["birthdate"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, user, backend="social.restrictions.RestrictionAwareModelBackend")
            messages.success(
                request, _("Welcome to the party, @%(name)s!") % {"name": user.username}
            )
            return redirect("videos:for_you")
    if form.is_bound and form.too_young:
        # Kind and final: we show the message without echoing anything they typed.
        return render(
            request, "social/too_young.html", {"message": form.errors["birthdate"][0]}, status=200
        )
    return render(request, "social/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    """Django's login, with failures counted and a lockout after too many (social.lockout)."""

    authentication_form = LockoutAuthenticationForm
    template_name = "social/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked_out is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.locked_out.retry_after)
        return response


def _section_save(request, form, save, done: str):
    """One settings section: validate the form, save(cleaned_data) through a service whose
    ValidationError lands on the form's fields. The redirect when saved, else None."""
    if not form.is_valid():
        return None
    try:
        save(form.cleaned_data)
    except ValidationError as exc:
        by_field = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
        for field, errors in by_field.items():
            form.add_error(field if field in form.fields else None, errors)
        return None
    messages.success(request, done)
    return redirect("social:settings")


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request):
    user = request.user
    # The avatar's initial value lets the widget show the current photo and its "clear" box.
    profile_initial = {
        "display_name": user.display_name,
        "bio": user.bio,
        "is_private": user.is_private,
        "avatar": user.avatar or None,
    }
    profile_form = ProfileForm(initial=profile_initial)
    links_form = LinksForm(initial={link.platform: link.url for link in user.links.all()})
    remix_form = RemixAudienceForm(user=user)
    filter_form = CommentFilterForm(initial={"filtered_words": user.filtered_words})
    if request.method == "POST":
        section = request.POST.get("section")
        saved = None
        if section == "remix":
            remix_form = RemixAudienceForm(request.POST, user=user)
            saved = _section_save(
                request,
                remix_form,
                lambda data: services.remix_audience_set(
                    user=user, audience=data["remix_audience"]
                ),
                _("Privacy saved."),
            )
        elif section == "filters":
            filter_form = CommentFilterForm(request.POST)
            saved = _section_save(
                request,
                filter_form,
                lambda data: services.filtered_words_set(user=user, text=data["filtered_words"]),
                _("Comment filter saved."),
            )
        elif section == "links":
            links_form = LinksForm(request.POST)
            saved = _section_save(
                request,
                links_form,
                lambda data: services.links_set(user=user, links=data),
                _("Links saved."),
            )
        if saved is not None:
            return saved
        if section == "profile":
            profile_form = ProfileForm(request.POST, request.FILES, initial=profile_initial)
            if profile_form.is_valid():
                data = profile_form.cleaned_data
                upload = data.get("avatar")
                try:
                    with transaction.atomic():
                        services.profile_update(
                            user=user,
                            display_name=data["display_name"],
                            bio=data["bio"],
                            is_private=data["is_private"],
                        )
                        if upload is False:
                            services.avatar_remove(user=user)
                        # With no new file the field cleans to its initial (the stored avatar).
                        elif isinstance(upload, UploadedFile):
                            if upload.size > django_settings.AVATAR_MAX_BYTES:
                                raise ValidationError({"avatar": avatar_too_large_error()})
                            services.avatar_set(user=user, data=upload.read())
                except ValidationError as exc:
                    # The transaction rolled back; drop the unsaved edits from request.user too.
                    user.refresh_from_db()
                    if hasattr(exc, "error_dict"):
                        for field, errors in exc.error_dict.items():
                            profile_form.add_error(
                                field if field in profile_form.fields else None, errors
                            )
                    else:
                        profile_form.add_error("avatar", exc)
                else:
                    messages.success(request, _("Profile saved."))
                    return redirect("social:settings")
    return render(
        request,
        "social/settings.html",
        {
            "profile_form": profile_form,
            "links_form": links_form,
            "remix_form": remix_form,
            "filter_form": filter_form,
            "remix_locked": is_protected_minor(user),
            "api_token": Token.objects.filter(user=user).first(),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def api_token_revoke(request):
    if services.api_token_revoke(user=request.user):
        messages.success(request, _("Your API token was revoked."))
    else:
        messages.info(request, _("You have no API token."))
    return redirect("social:settings")


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    from . import graph, selectors

    if request.method == "POST":
        action = request.POST.get("action")
        if action == "read_all":
            graph.notifications_mark_read(user=request.user)
        elif action in {"accept", "decline"}:
            from .models import User

            follower = User.objects.filter(username=request.POST.get("username", "")[:24]).first()
            if follower is not None:
                if action == "accept":
                    graph.follow_request_accept(followee=request.user, follower=follower)
                else:
                    graph.follow_request_decline(followee=request.user, follower=follower)
        return redirect("social:notifications")
    items = list(selectors.notifications_for(user=request.user)[:100])
    requests_ = list(selectors.follow_requests_for(user=request.user)[:50])
    response = render(
        request, "social/notifications.html", {"items": items, "follow_requests": requests_}
    )
    # Seeing the list marks it read (after rendering, so the unread ones still stand out).
    graph.notifications_mark_read(user=request.user)
    return response
