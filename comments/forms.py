from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from comments import spam
from comments.models import Comment

URL_MESSAGE = _("Enter a web address starting with http:// or https://.")
BAD_PARENT_MESSAGE = _("You can only reply to a published comment on this story.")
EXPIRED_MESSAGE = _(
    "This form has expired, please post again. Your comment is still below."
)


class CommentForm(forms.ModelForm):
    """The "Leave a Reply" form. Spam signals are recorded, not shown: bots learn nothing."""

    # Django 6 makes https the assumed scheme; opt in now ("example.org" becomes https://example.org).
    url = forms.URLField(
        required=False,
        max_length=200,
        assume_scheme="https",
        label=_("Website"),
        error_messages={"invalid": URL_MESSAGE},
    )
    parent = forms.IntegerField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": BAD_PARENT_MESSAGE},
    )
    timestamp = forms.CharField(required=False, widget=forms.HiddenInput)
    # Honeypot: hidden from people (its wrapper has the `hidden` attribute), so only bots fill it in.
    leave_empty = forms.CharField(required=False, label=_("Leave this field empty"))
    remember = forms.BooleanField(
        required=False,
        label=_(
            "Save my name, email, and website in this browser for the next time I comment."
        ),
    )

    class Meta:
        model = Comment
        fields = ["name", "email", "url", "body"]
        labels = {
            "name": _("Name"),
            "email": _("Email"),
            "body": _("Comment"),
        }
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
            "body": {"required": _("Please write a comment.")},
        }

    def __init__(self, *args, article, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.is_staff = bool(user and user.is_authenticated and user.is_staff)
        # Readers must give a name and email; staff post under their own account's.
        self.fields["name"].required = not self.is_staff
        self.fields["email"].required = not self.is_staff
        self.honeypot_filled = False
        self.too_fast = False
        self.parent_comment = None
        if not self.is_bound:
            self.initial.setdefault("timestamp", spam.form_token(article.pk))

    def clean_url(self):
        url = self.cleaned_data["url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(URL_MESSAGE, code="invalid")
        return url

    def clean_leave_empty(self):
        self.honeypot_filled = bool(self.cleaned_data["leave_empty"])
        return ""

    def clean_parent(self):
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
        self.parent_comment = parent
        return parent_id

    def clean_timestamp(self):
        token = self.cleaned_data["timestamp"]
        try:
            age = spam.form_age(token, self.article.pk)
        except spam.FormExpired:
            # A fresh token goes back with the form, so posting again works.
            self.data = self.data.copy()
            self.data[self.add_prefix("timestamp")] = spam.form_token(self.article.pk)
            raise forms.ValidationError(EXPIRED_MESSAGE, code="expired") from None
        self.too_fast = age < settings.COMMENTS_MIN_SECONDS
        return token

    @property
    def top_errors(self) -> list[str]:
        """Errors shown above the form: not tied to a visible field."""
        return [
            *self.non_field_errors(),
            *self.errors.get("timestamp", []),
            *self.errors.get("parent", []),
        ]
