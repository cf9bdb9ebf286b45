from django.urls import path

from comments import views

app_name = "comments"
urlpatterns = [
    path("comments/post/<int:article_id>/", views.post_comment, name="post"),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    path("comments/<int:pk>/report/", views.report_comment, name="report"),
    path(
        "comments/notices/confirm/<str:token>/",
        views.notice_confirm,
        name="notice_confirm",
    ),
    path(
        "comments/notices/unsubscribe/<str:token>/",
        views.notice_unsubscribe,
        name="notice_unsubscribe",
    ),
    path("comments/<int:pk>/edit/", views.edit_comment, name="edit"),
    path("comments/<int:pk>/delete/", views.delete_comment, name="delete"),
    # Staff only, never shared: a comment readers cannot see, shown in its thread.
    path("comments/<int:pk>/preview/", views.preview, name="preview"),
]
