import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve as static_serve

from newsroom import views

admin.site.site_header = f"{settings.SITE_NAME} admin"
admin.site.site_title = f"{settings.SITE_NAME} admin"
admin.site.index_title = "Editing and moderation"

urlpatterns = [
    path("", include("articles.urls")),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's, for instance).
    path("favicon.ico", views.favicon),
    path("", include("discovery.urls")),
    path("", include("comments.urls")),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    # Small installs without a front proxy: Django serves uploads (docs/deploy.md).
    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            static_serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

handler400 = "newsroom.views.bad_request"
handler404 = "newsroom.views.page_not_found"
handler500 = "newsroom.views.server_error"
