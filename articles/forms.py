from django import forms

from articles.images import validate_image


class CheckedImageField(forms.ImageField):
    """An image upload field that explains problems in Newsroom's words.

    Django's own ImageField rejects anything Pillow cannot verify with one generic message;
    running our validator first tells the editor whether the file is not an image, damaged,
    too large or too many pixels.
    """

    def to_python(self, data):
        if data and hasattr(data, "size"):
            validate_image(data)
        return super().to_python(data)
