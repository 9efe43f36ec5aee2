"""HTML views for accounts and settings. Thin: parse, call a service, render."""

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .forms import LinksForm, ProfileForm, SignupForm


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("videos:for_you")
    form = SignupForm(request.POST or None)
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
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
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


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request):
    user = request.user
    profile_form = ProfileForm(
        initial={"display_name": user.display_name, "bio": user.bio, "is_private": user.is_private}
    )
    links_form = LinksForm(initial={link.platform: link.url for link in user.links.all()})
    if request.method == "POST":
        section = request.POST.get("section")
        if section == "profile":
            profile_form = ProfileForm(request.POST, request.FILES)
            if profile_form.is_valid():
                data = profile_form.cleaned_data
                try:
                    with transaction.atomic():
                        services.profile_update(
                            user=user,
                            display_name=data["display_name"],
                            bio=data["bio"],
                            is_private=data["is_private"],
                        )
                        if data.get("avatar") is False:
                            services.avatar_remove(user=user)
                        elif data.get("avatar"):
                            upload = data["avatar"]
                            if upload.size > django_settings.AVATAR_MAX_BYTES:
                                raise ValidationError(
                                    {"avatar": _("The image is larger than 10 MB.")}
                                )
                            services.avatar_set(user=user, data=upload.read())
                except ValidationError as exc:
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
        elif section == "links":
            links_form = LinksForm(request.POST)
            if links_form.is_valid():
                try:
                    services.links_set(user=user, links=links_form.cleaned_data)
                except ValidationError as exc:
                    for field, errors in exc.error_dict.items():
                        links_form.add_error(field, errors)
                else:
                    messages.success(request, _("Links saved."))
                    return redirect("social:settings")
    return render(
        request,
        "social/settings.html",
        {"profile_form": profile_form, "links_form": links_form},
        status=400 if request.method == "POST" else 200,
    )
