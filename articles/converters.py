from django.urls import register_converter


class FourDigitYear:
    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class TwoDigit:
    regex = "[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


class StandingPageSlug:
    """Only the five standing pages' addresses (/about/, /privacy/…): nothing else at the root is shadowed."""

    regex = "about|contact|privacy|comment-guidelines|terms"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


# Registered when this module is imported, so any app's urls.py that uses <yyyy:> or <mm:>
# imports on its own (``from articles import converters``), whatever was loaded before it.
register_converter(FourDigitYear, "yyyy")
register_converter(TwoDigit, "mm")
register_converter(StandingPageSlug, "page")
