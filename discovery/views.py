import logging

from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from articles import blocks
from articles.views import paginate
from discovery import search as article_search
from discovery import trending
from newsroom.net import client_ip

logger = logging.getLogger(__name__)

SEARCH_PER_PAGE = 10


@require_safe
def search(request):
    """Search results for ``?q=``; without a query, just the search box (and no query run)."""
    query = article_search.clean_query(request.GET.get("q"))
    page_obj, results = None, []
    if query:
        matches = article_search.search_articles(query)
        _, page_obj = paginate(request, matches, SEARCH_PER_PAGE)
        results = article_search.results(page_obj.object_list, query)
    context = {
        "query": query,
        "page_obj": page_obj,
        "results": results,
        "ads": blocks.live_ads(),
    }
    return render(request, "discovery/search.html", context)


# sendBeacon carries no CSRF token. Forgery is handled here instead: browsers mark requests
# from other sites (Sec-Fetch-Site), and trending.count_view() counts published stories only,
# once per reader IP per story per half hour.
@csrf_exempt
@require_POST
def count_view(request, pk):
    """Count one page view for Trending (cache only), and now and then flush the counts.

    204 whether or not the view counted (an unknown id, a repeat), so a caller learns nothing;
    403 when the browser says the request came from another site.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site != "same-origin":
        return HttpResponseForbidden()
    trending.count_view(pk, client_ip(request))
    if trending.flush_due():
        try:
            trending.flush_views()
        except DatabaseError:
            # The views stay counted in the cache; the next flush moves them.
            logger.exception("Trending: moving page views into the database failed")
    return HttpResponse(status=204)
