from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CAPTION_MAX_LENGTH, Video


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Video"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "video/mp4,video/quicktime,video/webm,video/*"}
        ),
        error_messages={
            "required": _("Choose a video to upload."),
            "empty": _("The file is empty."),
        },
    )
    caption = forms.CharField(
        label=_("Caption"),
        required=False,
        max_length=CAPTION_MAX_LENGTH,
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "maxlength": CAPTION_MAX_LENGTH,
                "placeholder": _("Describe your video. Add #hashtags and @mentions."),
            }
        ),
    )
    visibility = forms.ChoiceField(
        label=_("Who can watch"),
        choices=Video.Visibility.choices,
        initial=Video.Visibility.PUBLIC,
        required=False,
    )
    allow_comments = forms.BooleanField(label=_("Allow comments"), required=False, initial=True)
    allow_duet = forms.BooleanField(label=_("Allow duets"), required=False, initial=True)
    allow_stitch = forms.BooleanField(label=_("Allow stitches"), required=False, initial=True)
    allow_sound_reuse = forms.BooleanField(
        label=_("Allow others to use the sound"), required=False, initial=True
    )
    allow_download = forms.BooleanField(
        label=_("Allow others to save the video"), required=False, initial=True
    )
    # Remix (videos/remix/): use a sound, or duet or stitch another video. Public ids.
    sound = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)
    sound_offset = forms.FloatField(
        label=_("Start the sound at (seconds)"), required=False, min_value=0, initial=0
    )
    original_volume = forms.FloatField(
        label=_("Your video's own sound"),
        required=False,
        min_value=0,
        max_value=1,
        initial=0,
        help_text=_("0 replaces it with the sound; 1 keeps it at full volume under the sound."),
        widget=forms.NumberInput(attrs={"type": "range", "step": "0.05"}),
    )
    duet_of = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)
    layout = forms.ChoiceField(
        label=_("Layout"),
        choices=Video.DuetLayout.choices,
        required=False,
        initial=Video.DuetLayout.SIDE_BY_SIDE,
        widget=forms.RadioSelect,
    )
    stitch_of = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)
    stitch_start = forms.FloatField(
        label=_("From (seconds)"), required=False, min_value=0, initial=0
    )
    stitch_end = forms.FloatField(label=_("To (seconds)"), required=False, min_value=0, initial=5)
    # A template (videos/remix/templates.py) by slug, and the text it draws on top.
    template = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)
    template_text = forms.CharField(
        label=_("Text on top"),
        required=False,
        strip=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 120}),
        help_text=_("At most 3 lines."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated:
            from social.selectors import ADULT_AGE, is_protected_minor, user_age

            if is_protected_minor(user):
                # Nobody may save a 13–15 year old's videos: no switch to offer.
                del self.fields["allow_download"]
            else:
                age = user_age(user)
                self.fields["allow_download"].initial = age is None or age >= ADULT_AGE

    def clean_visibility(self):
        return self.cleaned_data.get("visibility") or Video.Visibility.PUBLIC

    def remix_request(self):
        """The remix fields as the service takes them (videos/remix/services.py)."""
        from .remix.services import RemixRequest

        data = self.cleaned_data

        def number(name: str, default: float) -> float:
            value = data.get(name)
            return default if value is None else value

        return RemixRequest(
            sound=data.get("sound") or "",
            sound_offset=number("sound_offset", 0.0),
            original_volume=number("original_volume", 0.0),
            duet_of=data.get("duet_of") or "",
            layout=data.get("layout") or Video.DuetLayout.SIDE_BY_SIDE,
            stitch_of=data.get("stitch_of") or "",
            stitch_start=number("stitch_start", 0.0),
            stitch_end=number("stitch_end", 5.0),
            template=data.get("template") or "",
            # Absent (not sent at all) means the template's own text; sent empty is refused.
            template_text=data.get("template_text") if "template_text" in self.data else None,
        )


class SoundUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Audio file"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": "audio/mpeg,audio/mp4,audio/aac,audio/ogg,audio/opus,audio/wav,"
                "audio/x-wav,audio/flac,audio/*"
            }
        ),
        error_messages={
            "required": _("Choose a sound to upload."),
            "empty": _("The file is empty."),
        },
    )
    title = forms.CharField(label=_("Title"), max_length=120)
    artist = forms.CharField(label=_("Artist"), max_length=120, required=False)
    cover = forms.FileField(
        label=_("Cover image (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    is_reusable = forms.BooleanField(
        label=_("Others may use this sound in their videos"), required=False, initial=True
    )


class AccountDeleteForm(forms.Form):
    """Deleting an account is confirmed with its password (videos/privacy.py checks it)."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password to confirm.")},
    )
