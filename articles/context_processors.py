from django.conf import settings


def site(request):
    """Site-wide names every template may use; costs no query."""
    return {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL}
