from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import get_callable
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from articles.models import Article
from articles.views import render_article
from comments import moderation, notices, personal, services
from comments.forms import CommentEditForm, CommentForm, CommentReportForm
from comments.models import Comment
from comments.render import author_html, when
from comments.services import Client
from comments.thread import (
    OLDEST,
    ORDER_PARAM,
    page_number_of,
    thread_order,
    thread_query,
)
from newsroom.net import cross_site_refusal, origin_protect


def thread_url(comment, *, order: str = OLDEST) -> str:
    """The article address that shows ``comment``: right thread page in ``order``, anchored at the comment.

    A held comment shows to its author on every page (templates/personal/), so it gets page 1.
    """
    comments = list(
        Comment.objects.for_thread(comment.article).filter(
            status=Comment.Status.APPROVED
        )
    )
    page = page_number_of(comments, comment.pk, settings.COMMENTS_PER_PAGE, order)
    query = thread_query(order=order, page=page)
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
    if comment.status != Comment.Status.SPAM:
        # This browser may edit or delete it for COMMENTS_EDIT_WINDOW minutes.
        personal.remember_own(request, response, comment.pk, comment.created_at)
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
    """A stable address for one approved comment: redirects to the page that shows it.

    ``?corder=newest`` lands on the page that shows it in the newest-first thread.
    """
    comment = _public_comment(pk)
    order = thread_order(request.GET.get(ORDER_PARAM))
    return HttpResponseRedirect(thread_url(comment, order=order))


def _public_comment(pk) -> Comment:
    """The approved comment ``pk`` on a public story, or 404."""
    comment = get_object_or_404(
        Comment.objects.approved().select_related("article"), pk=pk
    )
    if not comment.article.is_public:
        raise Http404("No such comment")
    return comment


# The page is never cached: it shows whether the comment is still there. Only the POST
# changes anything, and it is checked like a comment post (Origin for anonymous readers,
# the CSRF token for signed-in users): _report_submit.
@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def report_comment(request, pk):
    """The Report page of one approved comment: which comment, a reason, a note; then a thank-you."""
    if request.method == "POST":
        return _report_submit(request, pk)
    return _report_page(request, _public_comment(pk), CommentReportForm())


@origin_protect
def _report_submit(request, pk):
    comment = _public_comment(pk)
    form = CommentReportForm(request.POST)
    if not form.is_valid():
        return _report_page(request, comment, form, status=400)
    reporter = personal.reporter_id(request)
    try:
        services.comment_report(
            comment=comment,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            reporter=reporter,
            client=Client.from_request(request),
        )
    except services.NotReportable:
        raise Http404("No such comment") from None
    except services.CommentRefused as refusal:
        # Already reported 409, too many reports 429, invalid 400: the note stays in the form.
        form.add_error(None, refusal)
        return _report_page(request, comment, form, status=refusal.status)
    response = render(
        request,
        "comments/report_done.html",
        {"comment": comment, "article": comment.article},
    )
    # Only now: a reader who never reports never has this cookie, and keeps shared pages.
    personal.remember_reporter(response, reporter)
    return response


def _report_page(request, comment, form, status=200):
    iso, stamp = when(comment.created_at)
    return render(
        request,
        "comments/report.html",
        {
            "comment": comment,
            "article": comment.article,
            "author": mark_safe(author_html(comment.name, comment.url)),  # noqa: S308 - escaped in author_html
            "body": mark_safe(comment.body_html),  # noqa: S308 - escaped and nh3-sanitised when posted
            "iso": iso,
            "when": stamp,
            "form": form,
        },
        status=status,
    )


# --- Commenter emails: the confirmation and unsubscribe links (comments/notices.py) -------
#
# Both pages are per address (the signed token in the address names it): never page-cached
# (not @shared_page; never_cache), never indexed, and never sending the token to another site.
# GET never changes anything: mail scanners and link previews fetch every link in an email.


def _link_page(request, template, context=None, status=200):
    response = render(request, template, context or {}, status=status)
    # Same-origin only: the token never leaves in a Referer, and the form still sends its
    # Origin (under "no-referrer" Chromium sends "Origin: null", which the check refuses).
    response["Referrer-Policy"] = "same-origin"
    return response


def _bad_link(request, bad: notices.BadLink):
    return _link_page(
        request,
        "comments/notice_bad_link.html",
        {"expired": bad.expired, "confirm_days": notices.CONFIRM_MAX_AGE.days},
        status=bad.status,
    )


# No CSRF token: the form sits on a page nobody shares, and the signed link in its address
# is the secret a forged POST would need. The Origin check stays (a POST from our own page).
@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def notice_confirm(request, token):
    """GET: a button to confirm the address; POST: confirm it (double opt-in)."""
    try:
        email = notices.confirm_link_email(token)
    except notices.BadLink as bad:
        return _bad_link(request, bad)
    if request.method == "POST":
        reason = cross_site_refusal(request)
        if reason is not None:
            return get_callable(settings.CSRF_FAILURE_VIEW)(request, reason=reason)
        services.subscriber_confirm(email=email)
        return _link_page(request, "comments/notice_confirm.html", {"done": True})
    return _link_page(request, "comments/notice_confirm.html", {"token": token})


# RFC 8058 one-click unsubscribe: the mail provider POSTs "List-Unsubscribe=One-Click" to this
# address from its own servers, with no cookie, no CSRF token and no Origin or Referer of ours.
# So no CSRF check and no Origin check, on purpose: the signed token names the address, and
# the worst a forged POST can do with a stolen link is stop that address's emails.
@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def notice_unsubscribe(request, token):
    """GET: a button to unsubscribe; POST (the button, or a mail client's one-click): unsubscribe."""
    try:
        email = notices.unsubscribe_link_email(token)
    except notices.BadLink as bad:
        return _bad_link(request, bad)
    if request.method == "POST":
        services.subscriber_unsubscribe(email=email)
        return _link_page(request, "comments/notice_unsubscribe.html", {"done": True})
    return _link_page(request, "comments/notice_unsubscribe.html", {"token": token})


# --- The author's own comment: edit and delete inside the edit window ----------------------


def _own_comment(pk) -> Comment:
    """The comment, on a public story, whoever asks (who may change it is checked next)."""
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
    if not comment.article.is_public:
        raise Http404("No such comment")
    return comment


def _change_refused(request, comment, refusal):
    """Why this comment cannot be changed, as a page with the refusal's status (403)."""
    return render(
        request,
        "personal/own_comment_refused.html",
        {
            "comment": comment,
            "article": comment.article,
            "message": refusal.messages[0],
            "status": refusal.status,
        },
        status=refusal.status,
    )


def _change_refusal(request, comment):
    """The 403 page when this browser may not change the comment (now), else None."""
    try:
        services.comment_change_check(
            comment=comment, owned=personal.owns(request, comment.pk)
        )
    except services.CommentRefused as refusal:
        return _change_refused(request, comment, refusal)
    return None


def _comment_url(comment) -> str:
    """Where the author lands after a change: the comment, where they (alone or everyone) see it."""
    article_url = comment.article.get_absolute_url()
    if comment.status == Comment.Status.APPROVED:
        return thread_url(comment)
    if comment.status == Comment.Status.PENDING:
        return f"{article_url}#comment-{comment.pk}"
    return f"{article_url}#comments"  # spam: said nothing about it, as after posting


def _edit_page(request, comment, form, status=200):
    return render(
        request,
        "personal/own_comment_edit.html",
        {
            "comment": comment,
            "article": comment.article,
            "form": form,
            "change": personal.change_until(
                moderation.edit_deadline(comment.created_at)
            ),
        },
        status=status,
    )


# A GET changes nothing; a POST is checked like the Leave a Reply form's (origin_protect on
# the POST handlers), and the comments_mine cookie it needs is SameSite=Lax besides.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def edit_comment(request, pk):
    """The author's own comment in a form, inside the edit window; a 403 page for anyone else."""
    if request.method == "POST":
        return _save_edit(request, pk)
    comment = _own_comment(pk)
    refused = _change_refusal(request, comment)
    if refused is not None:
        return refused
    return _edit_page(request, comment, CommentEditForm(initial={"body": comment.body}))


@origin_protect
def _save_edit(request, pk):
    comment = _own_comment(pk)
    owned = personal.owns(request, comment.pk)
    form = CommentEditForm(request.POST)
    try:
        # Not theirs (or too late) is said before anything about the text.
        services.comment_change_check(comment=comment, owned=owned)
        if not form.is_valid():
            return _edit_page(request, comment, form, status=400)
        comment = services.comment_edit(
            comment=comment,
            body=form.cleaned_data["body"],
            owned=owned,
            client=Client.from_request(request),
        )
    except services.CommentRefused as refusal:
        if refusal.status == 400:
            form.add_error("body", refusal)
            return _edit_page(request, comment, form, status=400)
        return _change_refused(request, comment, refusal)
    response = HttpResponseRedirect(_comment_url(comment))
    if comment.status == Comment.Status.PENDING:
        # Held again by the edit: its author keeps seeing it, with the reason.
        personal.remember_held(request, response, comment.pk)
    personal.remember_posted(response)
    return response


@csrf_exempt  # as edit_comment
@require_http_methods(["GET", "HEAD", "POST"])
def delete_comment(request, pk):
    """Asks "Delete your comment?" (a page, so no JavaScript is needed); the POST deletes it."""
    if request.method == "POST":
        return _withdraw(request, pk)
    comment = _own_comment(pk)
    refused = _change_refusal(request, comment)
    if refused is not None:
        return refused
    return render(
        request,
        "personal/own_comment_delete.html",
        {
            "comment": comment,
            "article": comment.article,
            "change": personal.change_until(
                moderation.edit_deadline(comment.created_at)
            ),
        },
    )


@origin_protect
def _withdraw(request, pk):
    comment = _own_comment(pk)
    try:
        services.comment_withdraw(
            comment=comment, owned=personal.owns(request, comment.pk)
        )
    except services.CommentRefused as refusal:
        return _change_refused(request, comment, refusal)
    # A page that says so, rather than a redirect to a thread the comment simply left.
    response = render(
        request, "personal/own_comment_deleted.html", {"article": comment.article}
    )
    personal.forget_own(request, response, comment.pk)
    personal.forget_held(request, response, comment.pk)
    personal.remember_posted(response)
    return response


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
