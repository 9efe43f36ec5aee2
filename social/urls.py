from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "social"

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/token/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("notifications/", views.notifications, name="notifications"),
]

# Login/logout keep Django's un-namespaced names so LOGIN_URL and the admin agree.
auth_urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
