"""The returns pages' forms: which LA and year, and the files."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from lachealth.forms import NhsForm
from lachealth.people.models import Area

from . import years
from .files import size_limit


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ReturnFilesField(forms.FileField):
    """Several files from one input: the return's CSV files, or one zip of them."""

    widget = MultipleFileInput(attrs={"accept": ".csv,.zip"})

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            raise forms.ValidationError(
                "Choose the return's CSV files (Header, Episodes, OC2…), or one zip of them"
            )
        return [super(ReturnFilesField, self).clean(f, initial) for f in files]


def collection_years(today: date) -> list[tuple[int, str]]:
    """Every return's year lachealth takes, the one just ended first (2026 is 2025/26)."""
    return years.choices(today)


class ReturnChoiceForm(NhsForm):
    area = forms.ModelChoiceField(
        label="Local authority", queryset=Area.objects.none(), empty_label=None
    )
    collection_year = forms.TypedChoiceField(label="Year of the return", coerce=int)

    def __init__(self, *args: Any, areas: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        assert isinstance(area, forms.ModelChoiceField)
        area.queryset = areas
        year = self.fields["collection_year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = collection_years(today)


class UploadForm(ReturnChoiceForm):
    return_files = ReturnFilesField(label="The return's files")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The limit is a setting: said beside the field as it stands when the page is shown.
        self.fields["return_files"].help_text = (
            "The CSV files of the return (Header, Episodes, OC2, OC3, UASC, Reviews…), as many "
            f"as you have, or one zip of them. {size_limit()}."
        )


class ConfirmForm(NhsForm):
    accept_warnings = forms.BooleanField(
        label="I have read the warnings and accept them", required=False
    )
