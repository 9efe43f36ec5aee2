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

    def clean_visibility(self):
        return self.cleaned_data.get("visibility") or Video.Visibility.PUBLIC
