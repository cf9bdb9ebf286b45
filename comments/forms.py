from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.forms.boundfield import BoundField
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from comments import spam, text
from comments.models import Comment, CommentReport
from comments.services import Submission

URL_MESSAGE = _("Enter a web address starting with http:// or https://.")
BAD_PARENT_MESSAGE = _("You can only reply to a published comment on this story.")
EXPIRED_MESSAGE = _(
    "This form has expired, please post again. Your comment is still below."
)


class ErrorFirstBoundField(BoundField):
    """A field described first by its error, then by its help text: what to fix is heard first."""

    @property
    def aria_describedby(self):
        ids = (super().aria_describedby or "").split()
        return " ".join(sorted(ids, key=lambda i: not i.endswith("_error"))) or None


class HoneypotInput(forms.TextInput):
    """A text box that never echoes what was typed in it back to the page."""

    def format_value(self, value):
        return None


def grouped(n: int) -> str:
    """A count as the reader's locale writes it, thousands grouped: "5,000"."""
    return number_format(n, force_grouping=True)


class TextLengthValidator(MaxLengthValidator):
    """Refuses a text over the limit, saying by how much: nothing is cut short behind the reader's back."""

    message = _("Your comment is %(length)s characters; the limit is %(limit)s.")

    def __call__(self, value):
        length = len(value)
        if length > self.limit_value:
            raise ValidationError(
                self.message,
                code=self.code,
                params={"length": grouped(length), "limit": grouped(self.limit_value)},
            )


class CommentTextField(forms.CharField):
    """The comment box. No ``maxlength`` attribute: a browser would silently cut pasted text
    at the limit. The limit (``max_length``, from the model) is checked when posting instead,
    and ``data-limit`` gives site.js's live counter the same number."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.max_length is not None:
            self.validators = [
                TextLengthValidator(self.max_length)
                if isinstance(v, MaxLengthValidator)
                else v
                for v in self.validators
            ]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if attrs.pop("maxlength", None) is not None:
            attrs["data-limit"] = str(self.max_length)
        return attrs


def comment_formfield(model_field, **kwargs):
    """Form fields from the model, so each length limit is written once (on the model)."""
    if isinstance(model_field, models.URLField):
        # Django 6 makes https the assumed scheme; opt in now ("example.org" becomes https://example.org).
        kwargs["assume_scheme"] = "https"
    if isinstance(model_field, models.TextField):
        kwargs["form_class"] = CommentTextField
    return model_field.formfield(**kwargs)


class CommentForm(forms.ModelForm):
    """The "Leave a Reply" form. Spam signals are recorded, not shown: bots learn nothing.

    Rendered field by field with the project field template (templates/forms/field.html);
    ``submission()`` hands what the reader sent to ``comments.services.comment_submit``.
    """

    bound_field_class = ErrorFirstBoundField

    parent = forms.IntegerField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": BAD_PARENT_MESSAGE},
    )
    timestamp = forms.CharField(required=False, widget=forms.HiddenInput)
    remember = forms.BooleanField(
        required=False,
        label=_(
            "Save my name, email, and website in this browser for the next time I comment."
        ),
    )
    # Honeypot: hidden from people (its template wraps it in `hidden`), so only bots fill it in.
    leave_empty = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=HoneypotInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        template_name="forms/honeypot.html",
    )

    class Meta:
        model = Comment
        fields = ["body", "name", "email", "url", "notify_on_publish", "notify_replies"]
        formfield_callback = comment_formfield
        widgets = {
            "body": forms.Textarea(attrs={"rows": 7}),
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "url": forms.URLInput(attrs={"autocomplete": "url"}),
        }
        labels = {
            "notify_on_publish": _("Email me when my comment is published."),
            "notify_replies": _("Email me when someone replies."),
        }
        help_texts = {"email": _("Your email address will not be published.")}
        error_messages = {
            "name": {
                "required": _("Please enter your name."),
                "max_length": _("Keep your name under 100 characters."),
            },
            "email": {
                "required": _(
                    "Please enter your email address. It is never published."
                ),
                "invalid": _("Enter an email address like name@example.org."),
            },
            "url": {"invalid": URL_MESSAGE},
            "body": {"required": _("Please write a comment.")},
        }

    # Signed-in staff post under their own account: these fields are not theirs to fill in.
    READER_ONLY = (
        "name",
        "email",
        "url",
        "notify_on_publish",
        "notify_replies",
        "remember",
    )
    # How each text field is normalised before it is validated (comments/text.py): what the
    # reader gets back on an error is what would be stored.
    NORMALISE = {
        "body": text.clean_text,
        "name": text.clean_name,
        "email": text.clean_line,
        "url": text.clean_line,
        "leave_empty": text.clean_line,
    }

    def __init__(self, *args, article, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = self._normalised(self.data)
        self.article = article
        self.is_staff = bool(user and user.is_authenticated and user.is_staff)
        if self.is_staff:
            for name in self.READER_ONLY:
                del self.fields[name]
        else:
            # Blank on the model only for staff accounts without an address.
            self.fields["email"].required = True
        body = self.fields["body"]
        body.help_text = _("Up to %(limit)s characters.") % {
            "limit": grouped(body.max_length)
        }
        if not self.is_bound:
            self.initial.setdefault("timestamp", spam.form_token(article.pk))

    def _normalised(self, data):
        data = data.copy()
        for name, clean in self.NORMALISE.items():
            key = self.add_prefix(name)
            if key in data:
                data[key] = clean(str(data[key]))
        return data

    def clean_url(self):
        url = self.cleaned_data["url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(URL_MESSAGE, code="invalid")
        return url

    def clean_leave_empty(self) -> bool:
        """Whether the honeypot was filled in (a bot): recorded as spam, never shown."""
        return bool(self.cleaned_data["leave_empty"])

    def clean_parent(self) -> Comment | None:
        """The approved comment on this story being replied to, or None."""
        parent_id = self.cleaned_data["parent"]
        if not parent_id:
            return None
        parent = (
            Comment.objects.approved()
            .filter(pk=parent_id, article=self.article)
            .select_related("parent")
            .first()
        )
        if parent is None:
            raise forms.ValidationError(BAD_PARENT_MESSAGE, code="bad_parent")
        return parent

    def clean_timestamp(self) -> spam.FormToken:
        """Seconds since the form was shown and its nonce (from its signed token)."""
        token = self.cleaned_data["timestamp"]
        try:
            return spam.read_form_token(token, self.article.pk)
        except spam.FormExpired:
            # A fresh token goes back with the form, so posting it again works.
            self.data = self.data.copy()
            self.data[self.add_prefix("timestamp")] = spam.form_token(self.article.pk)
            raise forms.ValidationError(EXPIRED_MESSAGE, code="expired") from None

    def submission(self) -> Submission:
        """What the reader sent, as a plain frozen value; call after ``is_valid()``."""
        data = self.cleaned_data
        return Submission(
            # Fields staff do not have keep the Submission's defaults.
            **{name: data[name] for name in self._meta.fields if name in data},
            parent=data["parent"],
            honeypot_filled=data["leave_empty"],
            form_age=data["timestamp"].age,
            form_nonce=data["timestamp"].nonce,
        )

    @property
    def reply_to(self) -> Comment | None:
        """The comment a bound form replies to, once validated (None otherwise)."""
        return getattr(self, "cleaned_data", {}).get("parent")

    @property
    def remember_author(self) -> bool:
        """Whether the reader ticked "Save my name, email, and website…"."""
        return bool(getattr(self, "cleaned_data", {}).get("remember"))

    @property
    def top_errors(self) -> list[str]:
        """Errors shown above the form: not tied to a visible field."""
        return [
            *self.non_field_errors(),
            *self.errors.get("timestamp", []),
            *self.errors.get("parent", []),
        ]

    @property
    def error_summary(self) -> list[tuple[str | None, str]]:
        """Every error, for the summary at the top of the form: ``(field id, message)``.

        Errors tied to no visible field come first, with ``None`` for the id; then each field's,
        in the order the fields are shown, so every entry can link to the box to fix.
        """
        items = [(None, error) for error in self.top_errors]
        for field in self.visible_fields():
            items += [(field.id_for_label, error) for error in field.errors]
        return items


class CommentEditForm(forms.Form):
    """The author's own comment text, changed inside the edit window (name, email and website stay).

    The length limit is checked here rather than by the browser (no ``maxlength``), so a
    pasted text that is too long is refused with its length instead of cut short unseen.
    """

    bound_field_class = ErrorFirstBoundField

    # The same box as the Leave a Reply form's: the model's limit, no maxlength, the counter.
    body = comment_formfield(
        Comment._meta.get_field("body"),
        widget=forms.Textarea(attrs={"rows": 9}),
        error_messages={"required": _("Please write a comment.")},
    )

    def clean_body(self) -> str:
        body = text.clean_text(self.cleaned_data["body"]).strip()
        if not body:
            raise forms.ValidationError(_("Please write a comment."), code="required")
        return body


class CommentReportForm(forms.ModelForm):
    """The "Report" form under every approved comment: an optional reason and a note.

    The note's length limit is the model's; ``comments.services.comment_report`` stores it.
    """

    bound_field_class = ErrorFirstBoundField

    class Meta:
        model = CommentReport
        fields = ["reason", "note"]
        widgets = {
            "reason": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "reason": _("Why are you reporting it? (optional)"),
            "note": _("Anything the moderators should know? (optional)"),
        }
        help_texts = {
            "note": _("Up to 1,000 characters. Only the moderators read it."),
        }
        error_messages = {
            "reason": {"invalid_choice": _("Choose one of the reasons listed.")},
            "note": {
                "max_length": _(
                    "Your note is %(show_value)d characters; the limit is %(limit_value)d."
                )
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and "note" in self.data:
            self.data = self.data.copy()
            self.data["note"] = text.clean_text(str(self.data["note"]))
