from django.urls import path

from articles import converters, views  # noqa: F401  (converters: <yyyy:>, <mm:>)

app_name = "articles"
urlpatterns = [
    path("", views.home, name="home"),
    path(
        "<yyyy:year>/<mm:month>/<mm:day>/<slug:slug>/",
        views.article_detail,
        name="detail",
    ),
    path("preview/<int:pk>/", views.draft_preview, name="preview"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("author/<slug:slug>/", views.AuthorView.as_view(), name="author"),
]
