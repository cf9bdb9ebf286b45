from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from articles.models import Article
from articles.views import render_article
from comments import moderation, personal, services, spam
from comments.forms import CommentForm
from comments.models import Comment
from comments.thread import page_number_of
from newsroom.net import client_ip


def thread_url(comment) -> str:
    """The article address that shows ``comment``: right thread page, anchored at the comment.

    A held comment shows to its author on every page (templates/personal/), so it gets page 1.
    """
    comments = list(
        Comment.objects.for_thread(comment.article).filter(
            status=Comment.Status.APPROVED
        )
    )
    page = page_number_of(comments, comment.pk, settings.COMMENTS_PER_PAGE)
    query = f"?cpage={page}" if page > 1 else ""
    return f"{comment.article.get_absolute_url()}{query}#comment-{comment.pk}"


@require_POST
def post_comment(request, article_id):
    """Handle the Leave a Reply form: redirect to the new comment, or show the form again with errors."""
    article = get_object_or_404(
        Article.objects.published().select_related("section", "author"), pk=article_id
    )
    form = CommentForm(request.POST, article=article, user=request.user)
    if moderation.comments_closed(article):
        return render_article(
            request, article, status=403, extra={"comment_form": form}
        )
    ip_address = client_ip(request)
    if spam.rate_limited(ip_address):
        form.is_valid()  # bind the data so the reader's text comes back
        form.add_error(
            None,
            ValidationError(
                _("You are posting comments too quickly. Slow down."), code="rate"
            ),
        )
        return render_article(
            request, article, status=429, extra={"comment_form": form}
        )
    if not form.is_valid():
        return render_article(
            request, article, status=400, extra={"comment_form": form}
        )
    data = form.cleaned_data
    try:
        comment = services.comment_create(
            article=article,
            name=data["name"],
            email=data["email"],
            url=data["url"],
            body=data["body"],
            parent=form.parent_comment,
            user=request.user,
            ip_address=ip_address,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            honeypot_filled=form.honeypot_filled,
            too_fast=form.too_fast,
        )
    except services.DuplicateComment as exc:
        form.add_error(None, exc)
        return render_article(
            request, article, status=409, extra={"comment_form": form}
        )
    except ValidationError as exc:
        # Model rules on fields the form does not show (e.g. the IP) go above the form.
        form.add_error(None, ValidationError(exc.messages))
        return render_article(
            request, article, status=400, extra={"comment_form": form}
        )

    if comment.status == Comment.Status.SPAM:
        # Said nothing about it on purpose: the page simply does not show the comment.
        response = HttpResponseRedirect(article.get_absolute_url() + "#comments")
    elif comment.status == Comment.Status.PENDING:
        response = HttpResponseRedirect(
            f"{article.get_absolute_url()}#comment-{comment.pk}"
        )
        personal.remember_held(request, response, comment.pk)
    else:
        response = HttpResponseRedirect(thread_url(comment))
    if data["remember"] and not form.is_staff:
        personal.remember_author(
            response, name=comment.name, email=comment.email, url=comment.url
        )
    elif not form.is_staff:
        personal.forget_author(response)
    return response


@require_safe
def permalink(request, pk):
    """A stable address for one approved comment: redirects to the page that shows it."""
    comment = get_object_or_404(
        Comment.objects.approved().select_related("article"), pk=pk
    )
    if not comment.article.is_public:
        raise Http404("No such comment")
    return HttpResponseRedirect(thread_url(comment))
