from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .lockout import lockout_status
from .models import ExternalLink, User, username_validator
from .restrictions import restriction_for_credentials
from .services import age_gate_check


class SignupForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=24,
        validators=[username_validator],
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    birthdate = forms.DateField(
        label=_("Birthdate"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("We use it to keep younger people safe. It is never shown to anyone."),
        error_messages={"invalid": _("Enter your birthdate as YYYY-MM-DD.")},
    )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("That username is taken."), code="unique")
        return username

    def clean_birthdate(self):
        birthdate = self.cleaned_data["birthdate"]
        age_gate_check(birthdate=birthdate)
        return birthdate

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords don't match."))
        elif p1:
            candidate = User(username=cleaned.get("username", ""), email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(p1, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned

    @property
    def too_young(self) -> bool:
        return any(e.code == "too_young" for e in self.errors.as_data().get("birthdate", []))


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=50, required=False)
    bio = forms.CharField(
        label=_("Bio"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    avatar = forms.FileField(
        label=_("Profile photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, up to 10 MB. We crop it to a square."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    is_private = forms.BooleanField(
        label=_("Private account"),
        required=False,
        help_text=_("Only approved followers see your videos."),
    )


class RemixAudienceForm(forms.Form):
    """Who may duet and stitch your videos; the choices depend on age (social.selectors)."""

    remix_audience = forms.ChoiceField(
        label=_("Who can duet and stitch your videos"),
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import RemixAudience
        from .selectors import remix_audience_choices, remix_audience_default

        labels = dict(RemixAudience.choices)
        default = remix_audience_default(user)
        self.fields["remix_audience"].choices = [
            (value, labels[value]) for value in remix_audience_choices(user)
        ]
        self.fields["remix_audience"].initial = user.remix_audience or default


class CommentFilterForm(forms.Form):
    filtered_words = forms.CharField(
        label=_("Filtered words"),
        required=False,
        # A little over the service's limit, so the service gives the clear message.
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One word or phrase per line, or separated by commas. Comments on your videos "
            "that contain one are held: only you and the commenter see them until you "
            "approve them."
        ),
    )


class LinksForm(forms.Form):
    """One optional https URL per platform; validated per platform by the service."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in ExternalLink.Platform.choices:
            self.fields[value] = forms.CharField(
                label=label,
                required=False,
                max_length=300,
                widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
            )


class LockoutFormMixin:
    """Login forms that say clearly when repeated failures have locked the login out.

    The lock itself is enforced by social.lockout.LockoutBackend inside authenticate(); this
    only turns it into a message. The message is the same whether the username exists."""

    locked_out = None  # a LockoutStatus once the form has been refused for a lockout

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is not None and self.cleaned_data.get("password"):
            self._raise_if_locked(username)
        try:
            return super().clean()
        except ValidationError:
            # This failure may have been the one that reached the limit.
            self._raise_if_locked(username)
            # Right password for a suspended or banned account: say so, and until when.
            message = restriction_for_credentials(
                username=username, password=self.cleaned_data.get("password")
            )
            if message:
                raise ValidationError(message, code="account_restricted") from None
            raise

    def _raise_if_locked(self, username) -> None:
        status = lockout_status(request=self.request, username=username)
        if status.locked:
            self.locked_out = status
            raise ValidationError(status.message, code="locked_out")


class LockoutAuthenticationForm(LockoutFormMixin, AuthenticationForm):
    pass


class LockoutAdminAuthenticationForm(LockoutFormMixin, AdminAuthenticationForm):
    pass
