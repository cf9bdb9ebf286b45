"""Uploaded images: validated with Pillow, resized once into WebP + JPEG renditions."""

from io import BytesIO
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def validate_image(file) -> None:
    """Raise ValidationError unless ``file`` is a whole, reasonably sized JPEG/PNG/WebP/GIF image.

    A picture already in the media storage (a saved row's unchanged image) was checked when it
    was uploaded; it is not read again: its file may be closed by now (issue 10, finding 11).
    """
    if getattr(file, "_committed", False):
        return
    if file.size is not None and file.size > settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            _("This image is %(size)s; the limit is %(limit)s."),
            code="image_too_large",
            params={
                "size": filesizeformat(file.size),
                "limit": filesizeformat(settings.IMAGE_MAX_BYTES),
            },
        )
    file.seek(0)
    try:
        # Opening reads only the header, so the pixel count is known before any decoding.
        with Image.open(file) as probe:
            width, height = probe.size
            image_format = probe.format
            if width * height > settings.IMAGE_MAX_PIXELS:
                raise ValidationError(
                    _(
                        "This image is %(width)s×%(height)s pixels; the limit is %(limit)s million pixels."
                    ),
                    code="image_too_many_pixels",
                    params={
                        "width": width,
                        "height": height,
                        "limit": settings.IMAGE_MAX_PIXELS // 1_000_000,
                    },
                )
            if image_format not in ACCEPTED_FORMATS:
                raise ValidationError(
                    _("Upload a JPEG, PNG, WebP or GIF image."), code="image_format"
                )
            probe.load()  # decodes every pixel: a truncated file fails here
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise ValidationError(
            _(
                "This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF."
            ),
            code="image_invalid",
        ) from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(
            _(
                "This image file is damaged or incomplete. Export it again and re-upload."
            ),
            code="image_truncated",
        ) from None
    finally:
        file.seek(0)


def make_renditions(field_file, widths=None) -> list[dict]:
    """Write WebP and JPEG copies of ``field_file`` at each width (never upscaled); return their names.

    Each item is ``{"width", "height", "webp", "jpeg"}`` with storage names, smallest first.
    """
    widths = widths or settings.IMAGE_RENDITION_WIDTHS
    storage = field_file.storage
    stem = PurePosixPath(field_file.name)
    folder = f"renditions/{stem.parent}"
    with field_file.open("rb") as fh, Image.open(fh) as original:
        image = ImageOps.exif_transpose(original)
        image = image.convert("RGB")
    targets = sorted({min(w, image.width) for w in widths})
    renditions = []
    written = []
    try:
        _write_renditions(image, targets, storage, folder, stem, renditions, written)
    except OSError:
        # A full or read-only disk: the copies made so far would be orphans.
        for name in written:
            storage.delete(name)
        raise
    return renditions


def _write_renditions(image, targets, storage, folder, stem, renditions, written):
    for width in targets:
        height = max(1, round(image.height * width / image.width))
        resized = (
            image
            if width == image.width
            else image.resize((width, height), Image.Resampling.LANCZOS)
        )
        names = {}
        for kind, fmt, options in (
            ("webp", "WEBP", {"quality": 80, "method": 4}),
            ("jpeg", "JPEG", {"quality": 82, "optimize": True, "progressive": True}),
        ):
            buffer = BytesIO()
            resized.save(buffer, fmt, **options)
            ext = "jpg" if kind == "jpeg" else kind
            names[kind] = storage.save(
                f"{folder}/{stem.stem}-{width}.{ext}", ContentFile(buffer.getvalue())
            )
            written.append(names[kind])
        renditions.append({"width": width, "height": height, **names})


def delete_renditions(storage, renditions: list[dict]) -> None:
    """Remove rendition files that no longer belong to an image."""
    for item in renditions:
        for kind in ("webp", "jpeg"):
            if item.get(kind):
                storage.delete(item[kind])
