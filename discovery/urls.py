from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.generic import TemplateView

from articles import converters  # noqa: F401  (registers <yyyy:> and <mm:>)
from discovery import feeds, sitemaps, views

# Mounted at the site root: every address is the one readers and crawlers already know.
app_name = "discovery"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("trending/view/<int:pk>/", views.count_view, name="count-view"),
    path("feed/", feeds.LatestStoriesFeed(), name="feed"),
    path("feed/atom/", feeds.LatestStoriesAtomFeed(), name="feed-atom"),
    path("section/<slug:slug>/feed/", feeds.SectionFeed(), name="section-feed"),
    path(
        "section/<slug:slug>/feed/atom/",
        feeds.SectionAtomFeed(),
        name="section-feed-atom",
    ),
    path(
        "<yyyy:year>/<mm:month>/<mm:day>/<slug:slug>/comments/feed/",
        feeds.ArticleCommentsFeed(),
        name="comments-feed",
    ),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemap,
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap-section",
    ),
    path(
        "news-sitemap.xml",
        sitemap,
        {
            "sitemaps": sitemaps.NEWS_SITEMAPS,
            "template_name": "discovery/news_sitemap.xml",
        },
        name="news-sitemap",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(
            template_name="discovery/robots.txt", content_type="text/plain"
        ),
        name="robots",
    ),
]
