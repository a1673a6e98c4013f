"""The base of every form that saves through a ``do_*`` action."""

from __future__ import annotations

from typing import ClassVar

from django import forms
from django.core.exceptions import ValidationError


class ActionErrorsForm(forms.Form):
    """A form that shows a ValidationError raised by an action beside the field it is about.

    Actions name fields as the model does; ``error_fields`` maps those names
    to the form's own where they differ. Errors about fields the form does not
    have go on top of the form.
    """

    error_fields: ClassVar[dict[str, str]] = {}

    def add_action_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            target = self.error_fields.get(name, name)
            self.add_error(target if target in self.fields else None, errors)
