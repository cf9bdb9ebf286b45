from django.urls import path

from articles import converters  # noqa: F401  (registers <yyyy:> and <mm:>)
from comments import feeds, views

# Mounted at the site root: the comment feed lives under its story's own address.
app_name = "comments"
urlpatterns = [
    path("comments/post/<int:article_id>/", views.post_comment, name="post"),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    path(
        "<yyyy:year>/<mm:month>/<mm:day>/<slug:slug>/comments/feed/",
        feeds.ArticleCommentsFeed(),
        name="feed",
    ),
]
