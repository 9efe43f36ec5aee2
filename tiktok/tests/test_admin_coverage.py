"""Every model of our apps is in the admin, and its list (with a search) and add pages load."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

OUR_APPS = ("social", "videos")


def _our_models():
    return [m for app in OUR_APPS for m in apps.get_app_config(app).get_models()]


def test_every_model_is_registered():
    missing = [m.__name__ for m in _our_models() if m not in admin.site._registry]
    assert missing == []


@pytest.mark.parametrize("model", _our_models(), ids=lambda m: m.__name__)
def test_changelist_search_and_add_pages_load(client, user_factory, model):
    boss = user_factory(is_staff=True, is_superuser=True)
    client.force_login(boss)
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert client.get(changelist).status_code == 200
    if admin.site._registry[model].search_fields:
        assert client.get(changelist, {"q": "<script>x</script>"}).status_code == 200
    add = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code in (200, 403)  # 403 where adding by hand is deliberately off
