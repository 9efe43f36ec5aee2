from django.urls import path

from social.api import MeView, TokenView

from ..remix import api as remix_api
from ..remix import templates_api
from . import engagement, feed, reports, views

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("feed/for-you/", views.ForYouFeedView.as_view(), name="api-feed-for-you"),
    path("feed/following/", views.FollowingFeedView.as_view(), name="api-feed-following"),
    path("videos/", views.VideoListCreateView.as_view(), name="api-videos"),
    path("videos/<str:public_id>/", views.VideoDetailView.as_view(), name="api-video"),
    path("videos/<str:public_id>/like/", engagement.VideoLikeView.as_view(), name="api-video-like"),
    path("videos/<str:public_id>/views/", feed.VideoViewsView.as_view(), name="api-video-views"),
    path(
        "videos/<str:public_id>/not-interested/",
        feed.NotInterestedView.as_view(),
        name="api-video-not-interested",
    ),
    path("views/batch/", feed.ViewsBatchView.as_view(), name="api-views-batch"),
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
        "comments/<str:public_id>/approve/",
        engagement.CommentApproveView.as_view(),
        name="api-comment-approve",
    ),
    path(
        "comments/<str:public_id>/like/",
        engagement.CommentLikeView.as_view(),
        name="api-comment-like",
    ),
    path("reports/", reports.ReportCreateView.as_view(), name="api-reports"),
    path("notifications/", engagement.NotificationsView.as_view(), name="api-notifications"),
    # Before users/<username>/: "suggested" is a reserved username (social.services).
    path("users/suggested/", views.SuggestedUsersView.as_view(), name="api-users-suggested"),
    path("users/<str:username>/", views.UserDetailView.as_view(), name="api-user"),
    path("users/<str:username>/follow/", engagement.FollowView.as_view(), name="api-user-follow"),
    path("users/<str:username>/block/", engagement.BlockView.as_view(), name="api-user-block"),
    path("users/<str:username>/hide/", feed.HideCreatorView.as_view(), name="api-user-hide"),
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
    # Remix culture (videos/remix/api.py).
    path("templates/", templates_api.TemplateListView.as_view(), name="api-templates"),
    path("sounds/", remix_api.SoundListCreateView.as_view(), name="api-sounds"),
    path("sounds/<str:public_id>/", remix_api.SoundDetailView.as_view(), name="api-sound"),
    path(
        "sounds/<str:public_id>/videos/",
        remix_api.SoundVideosView.as_view(),
        name="api-sound-videos",
    ),
    path(
        "videos/<str:public_id>/duets/",
        remix_api.VideoDuetsView.as_view(),
        name="api-video-duets",
    ),
    path(
        "videos/<str:public_id>/stitches/",
        remix_api.VideoStitchesView.as_view(),
        name="api-video-stitches",
    ),
    path("challenges/", remix_api.ChallengeListView.as_view(), name="api-challenges"),
    path("challenges/<str:slug>/", remix_api.ChallengeDetailView.as_view(), name="api-challenge"),
    path("hashtags/", remix_api.HashtagSuggestView.as_view(), name="api-hashtags"),
    path("hashtags/<str:name>/", views.HashtagDetailView.as_view(), name="api-hashtag"),
    path(
        "hashtags/<str:name>/videos/", views.HashtagVideosView.as_view(), name="api-hashtag-videos"
    ),
]
