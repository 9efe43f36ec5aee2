from django.conf import settings

from social.selectors import notifications_unread_count


def site(request):
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        # A callable, so the count query runs only on pages that show the bell.
        "unread_count": lambda: notifications_unread_count(user=user),
    }
