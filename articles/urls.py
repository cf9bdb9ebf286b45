from django.urls import path

from articles import converters, views  # noqa: F401  (converters: <yyyy:>, <mm:>)
from newsroom.pagecache import shared_page

# shared_page: the anonymous page is the same for every reader, so the page cache keeps it;
# ``query`` names the parameters each page reads (anything else is answered, not kept).
app_name = "articles"
urlpatterns = [
    path("", shared_page(views.home, query=["page"]), name="home"),
    path(
        "<yyyy:year>/<mm:month>/<mm:day>/<slug:slug>/",
        # corder: the comment thread's order (comments/thread.py), oldest first by default.
        shared_page(
            views.article_detail,
            query=["cpage", "replytocom"],
            choices={"corder": ["oldest", "newest"]},
        ),
        name="detail",
    ),
    # Staff only, never shared.
    path("preview/<int:pk>/", views.draft_preview, name="preview"),
    path(
        "section/<slug:slug>/",
        shared_page(views.SectionView.as_view(), query=["page"]),
        name="section",
    ),
    path(
        "author/<slug:slug>/",
        shared_page(views.AuthorView.as_view(), query=["page"]),
        name="author",
    ),
    # About, Contact, Privacy, Comment guidelines, Terms: one address per kind of page.
    path(
        "<page:slug>/",
        shared_page(views.standing_page),
        name="page",
    ),
]
