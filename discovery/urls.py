from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.generic import TemplateView

from articles import converters  # noqa: F401  (registers <yyyy:> and <mm:>)
from discovery import feeds, sitemaps, views
from newsroom.pagecache import shared_page

# Mounted at the site root: every address is the one readers and crawlers already know.
# shared_page: the page cache keeps these (newsroom/pagecache.py); search is per query, never kept.
app_name = "discovery"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("trending/view/<int:pk>/", views.count_view, name="count-view"),
    path("feed/", shared_page(feeds.LatestStoriesFeed()), name="feed"),
    path("feed/atom/", shared_page(feeds.LatestStoriesAtomFeed()), name="feed-atom"),
    path(
        "section/<slug:slug>/feed/",
        shared_page(feeds.SectionFeed()),
        name="section-feed",
    ),
    path(
        "section/<slug:slug>/feed/atom/",
        shared_page(feeds.SectionAtomFeed()),
        name="section-feed-atom",
    ),
    path(
        "<yyyy:year>/<mm:month>/<mm:day>/<slug:slug>/comments/feed/",
        shared_page(feeds.ArticleCommentsFeed()),
        name="comments-feed",
    ),
    path("sitemap.xml", shared_page(sitemaps.index), name="sitemap"),
    path(
        "sitemap-<section>.xml",
        shared_page(sitemap, query=["p"]),
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap-section",
    ),
    path(
        "news-sitemap.xml",
        shared_page(sitemap, query=["p"]),
        {
            "sitemaps": sitemaps.NEWS_SITEMAPS,
            "template_name": "discovery/news_sitemap.xml",
        },
        name="news-sitemap",
    ),
    path(
        "robots.txt",
        shared_page(
            TemplateView.as_view(
                template_name="discovery/robots.txt", content_type="text/plain"
            )
        ),
        name="robots",
    ),
]
