from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.images import validate_image
from tests.factories import image_file


def _jpeg_bytes(size=(800, 600)):
    buffer = BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_real_image_passes():
    validate_image(image_file())


def test_text_file_is_not_an_image():
    upload = SimpleUploadedFile(
        "notes.jpg", b"this is not a picture", content_type="image/jpeg"
    )

    with pytest.raises(ValidationError) as excinfo:
        validate_image(upload)

    assert excinfo.value.code == "image_invalid"


def test_truncated_image_is_refused():
    data = _jpeg_bytes()
    upload = SimpleUploadedFile(
        "cut.jpg", data[: len(data) // 2], content_type="image/jpeg"
    )

    with pytest.raises(ValidationError) as excinfo:
        validate_image(upload)

    assert excinfo.value.code == "image_truncated"


def test_file_over_the_byte_limit_is_refused(settings):
    settings.IMAGE_MAX_BYTES = 1000

    with pytest.raises(ValidationError) as excinfo:
        validate_image(image_file())

    assert excinfo.value.code == "image_too_large"
    assert "limit" in excinfo.value.messages[0]


def test_image_over_the_pixel_limit_is_refused(settings):
    settings.IMAGE_MAX_PIXELS = 100 * 100

    with pytest.raises(ValidationError) as excinfo:
        validate_image(image_file(size=(200, 200)))

    assert excinfo.value.code == "image_too_many_pixels"


def test_unsupported_format_is_refused():
    buffer = BytesIO()
    Image.new("RGB", (50, 50)).save(buffer, "BMP")
    upload = SimpleUploadedFile("old.bmp", buffer.getvalue(), content_type="image/bmp")

    with pytest.raises(ValidationError) as excinfo:
        validate_image(upload)

    assert excinfo.value.code == "image_format"
