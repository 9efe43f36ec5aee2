from django.urls import path

from social.api import MeView, TokenView

from . import engagement, views

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("feed/for-you/", views.ForYouFeedView.as_view(), name="api-feed-for-you"),
    path("videos/", views.VideoListCreateView.as_view(), name="api-videos"),
    path("videos/<str:public_id>/", views.VideoDetailView.as_view(), name="api-video"),
    path("videos/<str:public_id>/like/", engagement.VideoLikeView.as_view(), name="api-video-like"),
    path(
        "videos/<str:public_id>/share/", engagement.VideoShareView.as_view(), name="api-video-share"
    ),
    path(
        "videos/<str:public_id>/comments/",
        engagement.VideoCommentsView.as_view(),
        name="api-video-comments",
    ),
    path("comments/<str:public_id>/", engagement.CommentDetailView.as_view(), name="api-comment"),
    path(
        "comments/<str:public_id>/like/",
        engagement.CommentLikeView.as_view(),
        name="api-comment-like",
    ),
    path("notifications/", engagement.NotificationsView.as_view(), name="api-notifications"),
    path("users/<str:username>/", views.UserDetailView.as_view(), name="api-user"),
    path("users/<str:username>/follow/", engagement.FollowView.as_view(), name="api-user-follow"),
    path("users/<str:username>/block/", engagement.BlockView.as_view(), name="api-user-block"),
    path(
        "users/<str:username>/followers/",
        engagement.FollowListView.as_view(direction="followers"),
        name="api-user-followers",
    ),
    path(
        "users/<str:username>/following/",
        engagement.FollowListView.as_view(direction="following"),
        name="api-user-following",
    ),
    path("users/<str:username>/videos/", views.UserVideosView.as_view(), name="api-user-videos"),
    path("hashtags/<str:name>/", views.HashtagDetailView.as_view(), name="api-hashtag"),
    path(
        "hashtags/<str:name>/videos/", views.HashtagVideosView.as_view(), name="api-hashtag-videos"
    ),
]
