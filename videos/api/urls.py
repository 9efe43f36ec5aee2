from django.urls import path

from social.api import MeView, TokenView

from . import views

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("feed/for-you/", views.ForYouFeedView.as_view(), name="api-feed-for-you"),
    path("videos/", views.VideoListCreateView.as_view(), name="api-videos"),
    path("videos/<str:public_id>/", views.VideoDetailView.as_view(), name="api-video"),
    path("users/<str:username>/", views.UserDetailView.as_view(), name="api-user"),
    path("users/<str:username>/videos/", views.UserVideosView.as_view(), name="api-user-videos"),
    path("hashtags/<str:name>/", views.HashtagDetailView.as_view(), name="api-hashtag"),
    path(
        "hashtags/<str:name>/videos/", views.HashtagVideosView.as_view(), name="api-hashtag-videos"
    ),
]
