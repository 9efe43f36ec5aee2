from django.urls import path

from . import embed, privacy_views, report_views, serve, views
from .remix import views as remix_views

app_name = "videos"

urlpatterns = [
    path("", views.for_you, name="for_you"),
    path("interests/", views.interests, name="interests"),
    # Privacy rights, linked from /settings/ (social's page; the work is in videos/privacy.py).
    path("settings/export/", privacy_views.data_export, name="data_export"),
    path(
        "settings/export/<str:public_id>/download/",
        privacy_views.data_export_download,
        name="data_export_download",
    ),
    path("settings/delete/", privacy_views.account_delete, name="account_delete"),
    path("following/", views.following, name="following"),
    # Reports (videos/moderation.py): target_type is video, comment, user or sound.
    path("report/<str:target_type>/<str:target>/", report_views.report, name="report"),
    path("embed/<str:public_id>/", embed.embed, name="embed"),
    path("oembed", embed.oembed, name="oembed"),
    path("upload/", views.upload, name="upload"),
    path("upload/<str:public_id>/", views.upload_status, name="upload_status"),
    # Remix culture (videos/remix/): hashtags, challenges, sounds, duets and stitches.
    path("tag/<str:name>/", remix_views.hashtag, name="hashtag"),
    path("challenges/", remix_views.challenges, name="challenges"),
    path("discover/", remix_views.discover, name="discover"),
    path("templates/", remix_views.templates_gallery, name="templates"),
    path("sounds/upload/", remix_views.sound_upload, name="sound_upload"),
    path("sound/<str:public_id>/", remix_views.sound_page, name="sound"),
    path("sound/<str:public_id>/action/", remix_views.sound_action, name="sound_action"),
    path(
        "@<str:username>/video/<str:public_id>/duets/",
        remix_views.remixes,
        {"kind": "duets"},
        name="duets",
    ),
    path(
        "@<str:username>/video/<str:public_id>/stitches/",
        remix_views.remixes,
        {"kind": "stitches"},
        name="stitches",
    ),
    path("@<str:username>/", views.profile, name="profile"),
    path("@<str:username>/action/", views.profile_action, name="profile_action"),
    path("@<str:username>/video/<str:public_id>/", views.video_detail, name="detail"),
    path("@<str:username>/video/<str:public_id>/download/", serve.download, name="download"),
]
