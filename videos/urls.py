from django.urls import path

from . import views

app_name = "videos"

urlpatterns = [
    path("", views.for_you, name="for_you"),
    path("following/", views.following, name="following"),
    path("upload/", views.upload, name="upload"),
    path("upload/<str:public_id>/", views.upload_status, name="upload_status"),
    path("tag/<str:name>/", views.hashtag, name="hashtag"),
    path("sound/<str:public_id>/", views.sound, name="sound"),
    path("@<str:username>/", views.profile, name="profile"),
    path("@<str:username>/action/", views.profile_action, name="profile_action"),
    path("@<str:username>/video/<str:public_id>/", views.video_detail, name="detail"),
]
