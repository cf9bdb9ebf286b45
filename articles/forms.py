import logging

from django import forms
from django.db.models import FileField
from django.utils.translation import gettext_lazy as _

from articles.images import validate_image

logger = logging.getLogger(__name__)

STORAGE_FAILED = _(
    "The picture could not be saved: the media storage is full (or not writable). "
    "Your other changes are below; nothing was saved."
)


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


class StoredFilesForm(forms.ModelForm):
    """A model form that writes its new uploads while validating, so a full disk is a form error.

    Django writes an upload only when the row is saved, so a media storage that is full or
    read-only surfaced as a 500 after the editor's work. Here every new file is written once
    the rest of the form is valid: if the storage refuses, the editor gets the form back with
    the message above and nothing (row or file) is saved; if it takes the file, the row save
    that follows finds it already stored. MediaStorage (articles/storage.py) never leaves a
    part-written file.
    """

    def full_clean(self):
        super().full_clean()
        if self.is_bound and not self._errors:
            self._store_new_files()

    def _store_new_files(self):
        for field in self.instance._meta.concrete_fields:
            if not isinstance(field, FileField) or field.name not in self.changed_data:
                continue
            file = getattr(self.instance, field.attname)
            if not file or file._committed:
                continue
            try:
                file.save(file.name, file.file, save=False)
            except OSError as exc:
                logger.error(
                    "Media storage refused %s for %s: %s",
                    field.name,
                    self.instance._meta.label,
                    exc.strerror or exc,
                )
                self.add_error(field.name, STORAGE_FAILED)
                self._forget_stored_files()
                return

    def _forget_stored_files(self):
        """An earlier field's file was written before a later one failed: take it back."""
        for field in self.instance._meta.concrete_fields:
            if isinstance(field, FileField) and field.name in self.changed_data:
                file = getattr(self.instance, field.attname)
                if (
                    file
                    and file._committed
                    and file.name != self.initial.get(field.name)
                ):
                    file.storage.delete(file.name)
