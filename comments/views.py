from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from articles.models import Article
from articles.views import render_article
from comments import personal, services
from comments.forms import CommentForm
from comments.models import Comment
from comments.services import Client
from comments.thread import page_number_of
from newsroom.net import origin_protect


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


# No CSRF token in the form readers share (it comes from the page cache): an anonymous post
# must come from one of our pages (Origin/Referer); signed-in users keep the full CSRF check.
@origin_protect
@require_POST
def post_comment(request, article_id):
    """Handle the Leave a Reply form: redirect to the new comment, or show the form again with errors."""
    article = get_object_or_404(
        Article.objects.published().select_related("section", "author"), pk=article_id
    )
    form = CommentForm(request.POST, article=article, user=request.user)
    client = Client.from_request(request)
    try:
        if not form.is_valid():
            # A closed story or a flood still answers 403/429 first: every POST counts.
            services.comment_attempt_check(article=article, client=client)
            return render_article(
                request, article, status=400, extra={"comment_form": form}
            )
        comment = services.comment_submit(
            article=article,
            submission=form.submission(),
            user=request.user,
            client=client,
        )
    except services.CommentRefused as refusal:
        # Closed 403, rate limited 429, duplicate 409, invalid 400: the text stays in the form.
        form.add_error(None, refusal)
        return render_article(
            request, article, status=refusal.status, extra={"comment_form": form}
        )
    return redirect_to_comment(request, form, comment)


def redirect_to_comment(request, form, comment) -> HttpResponseRedirect:
    """Where a posted comment sends its author, with the per-reader cookies set."""
    article = comment.article
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
    if form.is_staff:
        return response
    personal.remember_posted(response)
    if form.remember_author:
        personal.remember_author(
            response, name=comment.name, email=comment.email, url=comment.url
        )
    else:
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


@never_cache
@require_safe
def preview(request, pk):
    """Staff only: the story with this comment (held, spam or removed too) in its thread, marked.

    What "View on site" opens in the admin for a comment readers cannot see. Never shared or
    cached (the page is not a ``shared_page``; ``never_cache`` for browsers and proxies); 404
    for anyone who may not read comments.
    """
    user = request.user
    if not (
        user.is_active and user.is_staff and user.has_perm("comments.view_comment")
    ):
        raise Http404("No such comment")
    comment = get_object_or_404(
        Comment.objects.select_related("article__section", "article__author"), pk=pk
    )
    return render_article(request, comment.article, extra={"comment_preview": comment})
