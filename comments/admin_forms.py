"""Forms of the moderation admin (not the readers' form, which is comments/forms.py)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.blocks import BlockDuration, expiry
from comments.models import Block


class BlockCommentersForm(forms.Form):
    """The "Block the commenter…" confirmation page: what to block, for how long, and why."""

    kinds = forms.MultipleChoiceField(
        label=_("Block their"),
        choices=Block.Kind.choices,
        initial=[Block.Kind.EMAIL, Block.Kind.IP],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one thing to block.")},
    )
    duration = forms.ChoiceField(
        label=_("For"),
        choices=BlockDuration.choices,
        initial=BlockDuration.WEEK,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_(
            "Shown to moderators on the Blocks page and in the comments’ history, never to the commenter."
        ),
        error_messages={"required": _("Say why, for the other moderators.")},
    )
    hide_earlier = forms.BooleanField(
        label=_("Also remove their earlier comments"),
        required=False,
        help_text=_(
            "Every published or waiting comment from a blocked email, domain or IP is set to "
            "Removed (it stays on record and can be approved again)."
        ),
    )


class BlockAdminForm(forms.ModelForm):
    """A block added by hand: how long it lasts is chosen like on the comments list."""

    duration = forms.ChoiceField(
        label=_("For"),
        choices=BlockDuration.choices,
        initial=BlockDuration.WEEK,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Block
        fields = ["kind", "value", "reason"]
        help_texts = {
            "value": _(
                "An email address (bob@example.org), a domain (spam.example: also its "
                "subdomains, in emails and websites) or an IP address (203.0.113.7)."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("duration"):
            self.instance.expires_at = expiry(cleaned["duration"], timezone.now())
        return cleaned
