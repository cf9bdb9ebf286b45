import datetime

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext
from django.views.decorators.http import require_safe
from django.views.generic import ListView

from articles import blocks, front
from articles.body import split_body
from articles.models import Article, Author, Section, StandingPage

# Page 1: a lead, up to four secondary stories, six headlines and the latest list (front.py).
HOME_PER_PAGE = 16
HOME_SECTION_STORIES = 4


@require_safe
def home(request):
    """Page 1: the front (lead, secondary stories, headlines, section blocks, latest); then plain lists."""
    listing = Article.objects.for_listing()
    _, page_obj = paginate(request, listing, HOME_PER_PAGE)
    context = {
        "page_obj": page_obj,
        "latest": page_obj.object_list,
        "ads": blocks.live_ads(),
    }
    if page_obj.number == 1:
        page = front.arrange(
            page_obj.object_list, listing.filter(is_featured=True).first()
        )
        context |= {
            "front": page,
            "latest": page.latest,
            "lead": page.lead,
            "section_blocks": [
                (section, front.picture_first(stories))
                for section, stories in Article.objects.section_blocks(
                    HOME_SECTION_STORIES
                )
            ],
        }
    return render(request, "articles/home.html", context)


def paginate(request, queryset, per_page):
    """``(paginator, page)`` for the ``?page=`` asked; 404 for a page that does not exist."""
    paginator = Paginator(queryset, per_page)
    try:
        return paginator, paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("No such page") from None


@require_safe
def article_detail(request, year, month, day, slug):
    """One story. Staff may preview drafts and scheduled stories; readers get 404."""
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        raise Http404("No such date") from None
    # No comment count here: the discussion loads the thread anyway and gives the head its count.
    articles = Article.objects.select_related("section", "author")
    if not (request.user.is_authenticated and request.user.is_staff):
        articles = articles.published()
    # The newest wins if two stories share the address: unique_for_date is only checked by
    # forms, so a bulk update or an import could still have made a second one.
    article = (
        articles.filter(slug=slug, published_at__date=date)
        .order_by("-published_at", "-pk")
        .first()
    )
    if article is None:
        raise Http404("No such story")
    return render_article(request, article)


@require_safe
def draft_preview(request, pk):
    """Staff preview of any article by id, whatever its status or date."""
    if not (request.user.is_authenticated and request.user.is_staff):
        raise Http404
    article = get_object_or_404(
        Article.objects.select_related("section", "author"), pk=pk
    )
    return render_article(request, article)


def render_article(request, article, *, status=200, extra=None):
    """Render one story page; the comments app re-renders it with its form on a failed post.

    A page sent back with an error status (a refused comment) has a title starting "Error: ",
    so a screen reader, a tab strip and the history say at once that something went wrong.
    """
    ads = blocks.live_ads()
    context = {
        "article": article,
        "title_prefix": gettext("Error: ") if status >= 400 else "",
        "is_preview": not article.is_public,
        # Both are lazy (callables): a cached story fragment (templates/articles/article_detail.html)
        # needs neither the split nor the related-stories queryset, not even built.
        "body_pieces": lambda: split_body(article.body_html, ads["article"]),
        "related": lambda: Article.objects.related_to(article),
        # What the story's fragments depend on besides the content version: this story as
        # saved (so an edit shows even before the version moves), whether it is a staff
        # preview, and the in-article slots shown (they come and go with time, not saves).
        "story_key": f"{article.pk}.{article.updated_at.timestamp():.6f}.{int(not article.is_public)}",
        "article_ads_key": "-".join(str(slot.pk) for slot in ads["article"]) or "none",
        "ads": ads,
        **(extra or {}),
    }
    return render(request, "articles/article_detail.html", context, status=status)


class _FrontView(ListView):
    """A paginated list of one section's or one author's stories."""

    paginate_by = 12
    model = None
    filter_field = ""

    def get(self, request, *args, **kwargs):
        self.owner = get_object_or_404(self.model, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return Article.objects.for_listing().filter(**{self.filter_field: self.owner})

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            owner=self.owner, ads=blocks.live_ads(), **kwargs
        )


class SectionView(_FrontView):
    model = Section
    filter_field = "section"
    template_name = "articles/section_detail.html"


class AuthorView(_FrontView):
    model = Author
    filter_field = "author"
    extra_context = {"show_section": True}
    template_name = "articles/author_detail.html"


@require_safe
def standing_page(request, slug):
    """One of the pages editors keep (About, Contact, Privacy, Guidelines, Terms); 404 until written."""
    page = get_object_or_404(StandingPage, slug=slug)
    return render(
        request, "articles/standing_page.html", {"page": page, "ads": blocks.live_ads()}
    )
