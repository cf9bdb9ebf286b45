"""How the project renders forms: with its own templates, field by field."""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Form templates come from TEMPLATES (so templates/forms/ is found); fields use the project's field template."""

    field_template_name = "forms/field.html"
