from django.urls import path

from comments import views

app_name = "comments"
urlpatterns = [
    path("comments/post/<int:article_id>/", views.post_comment, name="post"),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    # Staff only, never shared: a comment readers cannot see, shown in its thread.
    path("comments/<int:pk>/preview/", views.preview, name="preview"),
]
