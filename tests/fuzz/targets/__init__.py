"""Every form lachealth's pages post (or submit by GET), where, as whom and about what.

One `Target` per form-bearing URL: the form classes the page builds, the user allowed to post
them, how to make the record the page is about, and the values a user would post that the page
accepts (on top of what the form shows at first). `test_every_form_is_fuzzed` checks that each
form class under src/lachealth is in a target, so a new form cannot land unfuzzed.
"""

from __future__ import annotations

from lachealth.care.forms import FirstEpisodeMixin, PlacementFieldsMixin
from lachealth.forms import NhsForm
from lachealth.health.correction_views import ReasonMixin
from lachealth.health.forms import RowFormSet
from lachealth.quality.provider_forms import ChoosesOneOf, WithActions

from .admin import INSIGHT, INTEROP, PEOPLE
from .base import Target, day
from .care import CARE
from .handovers import HANDOVERS
from .health import HEALTH
from .quality import QUALITY

TARGETS: list[Target] = [*CARE, *HEALTH, *HANDOVERS, *QUALITY, *PEOPLE, *INSIGHT, *INTEROP]

#: Form classes no page builds as they are: the bases and mixins other forms are made of
#: (each fuzzed through the forms built on it).
NOT_BUILT: dict[type, str] = {
    NhsForm: "the base of every form",
    PlacementFieldsMixin: "the placement fields of EntryToCareForm, NewPeriodForm, ChangeForm",
    FirstEpisodeMixin: "the first episode's fields of EntryToCareForm and NewPeriodForm",
    ReasonMixin: "the reason field of the health record's correction forms",
    RowFormSet: "the base of ActionRows and NewEntryRows",
    ChoosesOneOf: "the base of the provider pages' forms that choose a provider or area",
    WithActions: "the actions of OutcomeForm and ConcernUpdateForm",
}


def by_app(app: str) -> list[Target]:
    return [t for t in TARGETS if t.app == app]


__all__ = ["NOT_BUILT", "TARGETS", "Target", "by_app", "day"]
