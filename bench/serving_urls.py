"""The site's URLs plus /bench/bare/: one query, a small JSON answer (the floor a request
through the same server and middleware costs)."""

import random

from django.http import JsonResponse
from django.urls import path

from tiktok.urls import handler404, handler500  # noqa: F401
from tiktok.urls import urlpatterns as site_urlpatterns
from videos.models import Video


def bare(request):
    pk = random.randint(1, 100_000)
    row = Video.objects.filter(pk__gte=pk).order_by("pk").values_list("pk", "public_id").first()
    return JsonResponse({"video": row})


urlpatterns = [path("bench/bare/", bare), *site_urlpatterns]
