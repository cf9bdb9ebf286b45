"""Names of the auth groups the comments app owns (its migrations create them)."""

# A data migration (comments/migrations/0002) creates this group; renaming it needs a new one.
MODERATORS_GROUP = "Moderators"
