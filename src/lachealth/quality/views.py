"""The pages of assessment QA: the quality home; drawing a period's sample and adding to it;
scoring an assessment, opened read-only beside the tool (each opening in the access log); the
review, where the author reads the feedback and replies; a practitioner's own results; an
organisation's results as charts with tables; the tool's versions and draft; an area's
settings.

Designated professionals reach their organisation's samples, reviews, results and tool, and
only the assessments of their footprint's children; a practitioner reaches only the reviews of
their own assessments.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lachealth.care.models import Child
from lachealth.pages import call_service, form_page
from lachealth.people import access, audit
from lachealth.people.home import Count, Section, link
from lachealth.people.models import AccessAction, Area, Organisation, Role
from lachealth.reach import OWN_AREA, OWN_ORGANISATION, OWN_USER, reach

from . import area_settings, providers, reviews, samples, tools
from . import results as qa_results
from .charts import criteria_chart, trend_chart
from .forms import (
    AddForm,
    CriterionRows,
    DraftForm,
    DrawForm,
    ReplyForm,
    ScoreForm,
    SettingsForm,
    rows_from,
)
from .models import QaReview, QaSample, QaSampleItem, QaToolVersion

#: How far back the results page looks unless asked: two years.
RESULTS_YEARS = 2


def _qa_organisation(request: HttpRequest, pk: int) -> Organisation:
    """One of the organisations where the user quality-assures assessments; 404 otherwise."""
    return get_object_or_404(samples.qa_organisations(request.user), pk=pk)


@reach(providers.STAFF_ROLES)
def index(request: HttpRequest) -> HttpResponse:
    """Quality: the designated professional's samples and tools, the practitioner's own
    feedback, and the providers' timetable and concerns for everyone."""
    if not providers.is_staff(request.user):
        raise PermissionDenied("Quality is for the staff of councils, health teams and ICBs")
    organisations = list(samples.qa_organisations(request.user))
    found = [
        (
            organisation,
            QaSample.objects.filter(organisation=organisation).order_by("-period_start")[:8],
        )
        for organisation in organisations
    ]
    own = QaReview.objects.filter(practitioner_id=request.user.pk)
    return render(
        request,
        "quality/index.jinja",
        {
            "page_title": "Quality",
            "samples": found,
            "progress": _progress([s for _, group in found for s in group]),
            "own_reviews": own.count(),
            "own_unanswered": own.filter(replies__isnull=True).count(),
            "areas": Area.objects.filter(
                code__in=access.areas_for(request.user, tools.QA_ROLES)
            ).order_by("name"),
        },
    )


def home_sections(request: HttpRequest) -> list[Section]:
    """The home page's QA counts: for a designated professional, the sampled assessments
    still to score; for a practitioner, the feedback on their assessments not yet answered."""
    counts = []
    organisations = samples.qa_organisations(request.user)
    if organisations.exists():
        waiting = QaSampleItem.objects.filter(
            organisation__in=organisations, review__isnull=True
        ).exclude(assessment__practitioner_id=request.user.pk)
        counts.append(Count("Sampled assessments to score", waiting.count(), link("quality:index")))
    unanswered = QaReview.objects.filter(practitioner_id=request.user.pk).exclude(
        replies__author_id=request.user.pk
    )
    if QaReview.objects.filter(practitioner_id=request.user.pk).exists():
        counts.append(
            Count(
                "Quality assurance feedback on your assessments, not yet answered",
                unanswered.count(),
                link("quality:mine"),
            )
        )
    return [Section("Quality assurance", counts)] if counts else []


def _progress(found: list[QaSample]) -> dict[int, tuple[int, int]]:
    """Each sample's (scored, in the sample)."""
    from django.db.models import Count, Q

    rows = (
        QaSample.objects.filter(pk__in=[s.pk for s in found])
        .annotate(
            total=Count("items"),
            scored=Count("items__review", filter=Q(items__review__isnull=False)),
        )
        .values_list("pk", "scored", "total")
    )
    return {pk: (scored, total) for pk, scored, total in rows}


@reach(tools.QA_ROLES)
def draw(request: HttpRequest) -> HttpResponse:
    """Draw the sample of a period that has ended."""
    organisations = list(samples.qa_organisations(request.user))
    if not organisations:
        raise PermissionDenied("Designated professionals of an ICB or a health team draw samples")
    as_of = timezone.localdate()
    chosen = organisations[0]
    if request.method == "POST":
        chosen = next(
            (o for o in organisations if str(o.pk) == request.POST.get("organisation")), chosen
        )
    periods = samples.offered_periods(chosen, as_of)
    form = DrawForm(
        request.POST if request.method == "POST" else None,
        organisations=organisations,
        periods=periods,
    )
    if request.method == "POST" and form.is_valid():
        organisation = form.chosen_organisation()
        drawn = call_service(
            form,
            request,
            samples.draw_sample,
            f"The sample for {form.chosen().label} is drawn",
            organisation=organisation,
            period=form.chosen(),
            as_of=as_of,
        )
        if drawn:
            return redirect("quality:sample", drawn.pk)
    return render(
        request,
        "quality/draw.jinja",
        {"page_title": "Draw a QA sample", "form": form, "organisations": organisations},
    )


def _sample(request: HttpRequest, pk: int) -> QaSample:
    return get_object_or_404(
        QaSample.objects.select_related("organisation", "drawn_by"),
        pk=pk,
        organisation__in=samples.qa_organisations(request.user),
    )


@reach(tools.QA_ROLES, OWN_ORGANISATION, model=QaSample, organisation=["organisation"])
def sample(request: HttpRequest, pk: int) -> HttpResponse:
    found = _sample(request, pk)
    items = found.items.select_related(
        "assessment__practitioner",
        "assessment__provider",
        "assessment__child__responsible_area",
        "review",
        "added_by",
    ).order_by("assessment__completed_on", "pk")
    period = samples.Period(found.period_start, found.period_end)
    audit.record(
        request, AccessAction.SEARCH, detail=f"QA sample for {period.label}: its assessments"
    )
    return render(
        request,
        "quality/sample.jinja",
        {
            "page_title": f"QA sample for {period.label}",
            "sample": found,
            "period": period,
            "items": items,
            "scored": sum(hasattr(i, "review") for i in items),
            "grades": dict(
                g
                for v in QaToolVersion.objects.filter(tool__organisation=found.organisation)
                for g in v.grades
            ),
            "user_pk": request.user.pk,
        },
    )


def assessment_label(assessment: Any) -> str:
    """How a sample names an assessment without the child's name: its kind, date, who did it,
    for which team, and the child's reference."""
    who = assessment.practitioner.get_full_name() or assessment.practitioner.username
    return (
        f"{assessment.get_kind_display()} of {assessment.completed_on:%-d %B %Y} by {who}, "
        f"{assessment.provider.name} (child {assessment.child.reference})"
    )


@reach(tools.QA_ROLES, OWN_ORGANISATION, model=QaSample, organisation=["organisation"])
def sample_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an assessment by hand: choose a practitioner, then one of their assessments."""
    found = _sample(request, pk)
    addable = samples.addable(found, request.user)
    practitioners = sorted(
        (
            (pk, " ".join(p for p in (first, last) if p) or username)
            for pk, first, last, username in addable.values_list(
                "practitioner_id",
                "practitioner__first_name",
                "practitioner__last_name",
                "practitioner__username",
            ).distinct()
        ),
        key=lambda p: p[1],
    )
    who = request.GET.get("practitioner") or request.POST.get("practitioner") or ""
    shown = (
        list(
            addable.filter(practitioner_id=int(who)).select_related(
                "practitioner", "provider", "child"
            )
        )
        if who.isdigit()
        else []
    )
    if shown:
        audit.record(
            request, AccessAction.SEARCH, detail="QA sample: a practitioner's assessments to add"
        )
    form = AddForm(
        request.POST if request.method == "POST" else None,
        choices=[(a.pk, assessment_label(a)) for a in shown],
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            samples.add_by_hand,
            "The assessment is added to the sample",
            sample=found,
            assessment_id=form.cleaned_data["assessment"],
            reason=form.cleaned_data["reason"],
        )
    ):
        return redirect("quality:sample", found.pk)
    return render(
        request,
        "quality/sample_add.jinja",
        {
            "page_title": "Add an assessment to the sample",
            "sample": found,
            "form": form,
            "practitioners": practitioners,
            "who": who,
            "shown": shown,
        },
    )


@reach(tools.QA_ROLES, OWN_ORGANISATION, model=QaSampleItem, organisation=["organisation"])
def score(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessment, read-only, beside the tool's current version."""
    item = get_object_or_404(
        QaSampleItem.objects.select_related(
            "sample", "assessment__practitioner", "assessment__provider", "assessment__child"
        ),
        pk=pk,
        organisation__in=samples.qa_organisations(request.user),
    )
    if hasattr(item, "review"):
        return redirect("quality:review", item.review.pk)
    assessment = item.assessment
    child = Child.objects.visible_to(request.user).filter(pk=assessment.child_id).first()
    if child is None:
        raise Http404("No such assessment")
    version = tools.current(tools.tool_for(item.sample.organisation))
    form = ScoreForm(request.POST if request.method == "POST" else None, version=version)
    if request.method == "POST" and form.is_valid():
        review = call_service(
            form,
            request,
            reviews.score,
            "The assessment is scored: the practitioner can now read your feedback",
            item=item,
            version=version,
            answers=form.answers(),
            grade=form.cleaned_data["grade"],
            feedback=form.cleaned_data["feedback"],
            as_of=timezone.localdate(),
        )
        if review:
            return redirect("quality:sample", item.sample_id)
    return form_page(
        request,
        "quality/score.jinja",
        child,
        {
            "page_title": f"Score an assessment – {child.reference}",
            "form": form,
            "item": item,
            "assessment": assessment,
            "version": version,
            "own": assessment.practitioner_id == request.user.pk,
            "actions": assessment.actions.all(),
            "sdqs": child.sdqs.filter(completed_on__lte=assessment.completed_on).order_by(
                "-completed_on"
            )[:3],
        },
    )


def _review(request: HttpRequest, pk: int) -> QaReview:
    found = get_object_or_404(
        QaReview.objects.select_related(
            "item__assessment__provider",
            "item__assessment__child",
            "item__sample",
            "version",
            "reviewer",
            "practitioner",
        ),
        pk=pk,
    )
    if not reviews.may_read(request.user, found):
        raise Http404("No such review")
    return found


@reach(tools.QA_ROLES, OWN_ORGANISATION, model=QaReview, organisation=["organisation"])
@reach({Role.HEALTH_PRACTITIONER}, OWN_USER, model=QaReview, person=["practitioner"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The scores, the feedback and the replies; the author or a reviewer replies."""
    found = _review(request, pk)
    form = ReplyForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            reviews.reply,
            "Your reply is sent",
            review=found,
            text=form.cleaned_data["text"],
        )
    ):
        return redirect("quality:review", found.pk)
    answers = found.version.answer_labels()
    scores = found.scores.select_related("criterion__section").order_by(
        "criterion__section__position", "criterion__position"
    )
    audit.record(
        request,
        AccessAction.VIEW,
        child=found.item.assessment.child,
        detail="QA review of an assessment",
    )
    return render(
        request,
        "quality/review.jinja",
        {
            "page_title": "Quality assurance feedback",
            "review": found,
            "assessment": found.item.assessment,
            "scores": [(s, answers.get(s.answer, s.answer)) for s in scores],
            "grade": found.version.grade_labels().get(found.grade, found.grade),
            "replies": found.replies.select_related("author"),
            "form": form,
            "reviewer_view": found.organisation_id
            in access.organisations_for(request.user, tools.QA_ROLES),
        },
    )


@reach(access.HEALTH_CHILD_ROLES)
def mine(request: HttpRequest) -> HttpResponse:
    """A practitioner's own QA feedback and results: theirs alone."""
    if not access.areas_for(request.user, access.HEALTH_CHILD_ROLES):
        raise PermissionDenied("Your own QA feedback is for health practitioners")
    own = QaReview.objects.filter(practitioner_id=request.user.pk).select_related(
        "item__assessment", "version"
    )
    as_of = timezone.localdate()
    since = as_of - timedelta(days=365 * RESULTS_YEARS)
    latest = own.order_by("-scored_on", "-pk").first()
    found = (
        qa_results.results(
            latest.version,
            since=since,
            until=as_of,
            frequency="quarter",
            practitioner=request.user.pk,
        )
        if latest
        else None
    )
    return render(
        request,
        "quality/mine.jinja",
        {
            "page_title": "Your quality assurance feedback",
            "reviews": own,
            "results": found,
            "chart": criteria_chart(found) if found and found.reviews else None,
        },
    )


def _since(request: HttpRequest, as_of: date) -> date:
    try:
        return date.fromisoformat(request.GET.get("since", ""))
    except ValueError:
        return as_of.replace(year=as_of.year - RESULTS_YEARS)


@reach(tools.QA_ROLES, OWN_ORGANISATION, model=Organisation, organisation=["pk"])
def results(request: HttpRequest, pk: int) -> HttpResponse:
    """Per criterion, practitioner, provider and area over time, for one tool version."""
    organisation = _qa_organisation(request, pk)
    versions = list(qa_results.versions_scored(organisation))
    if not versions:
        tools.tool_for(organisation)
        versions = list(qa_results.versions_scored(organisation))
    wanted = request.GET.get("version")
    version = next((v for v in versions if str(v.number) == wanted), None) or next(
        (v for v in versions if getattr(v, "scored", 0)), versions[0]
    )
    as_of = timezone.localdate()
    since = _since(request, as_of)
    found = qa_results.results(
        version, since=since, until=as_of, frequency=samples.frequency_of(organisation)
    )
    return render(
        request,
        "quality/results.jinja",
        {
            "page_title": f"QA results – {organisation.name}",
            "organisation": organisation,
            "versions": versions,
            "results": found,
            "since": since,
            "criteria_chart": criteria_chart(found) if found.reviews else None,
            "trend_chart": trend_chart(found) if found.periods else None,
        },
    )


@reach(tools.QA_ROLES, OWN_ORGANISATION, model=Organisation, organisation=["pk"])
def tool(request: HttpRequest, pk: int) -> HttpResponse:
    """The tool's versions; the draft, if any, edited here."""
    organisation = _qa_organisation(request, pk)
    found = tools.tool_for(organisation)
    current = tools.current(found)
    draft = tools.draft(found)
    form = formset = None
    if draft is not None:
        form = DraftForm(
            request.POST if request.method == "POST" else None,
            initial=DraftForm.initial_for(draft),
        )
        formset = CriterionRows(
            request.POST if request.method == "POST" else None,
            initial=[r.__dict__ for r in tools.rows_of(draft)],
            prefix="rows",
        )
        valid = request.method == "POST" and form.is_valid() and formset.is_valid()
        if valid and call_service(
            form,
            request,
            tools.save_draft,
            f"Draft version {draft.number} is saved",
            version=draft,
            rows=rows_from(formset),
            answers=form.lines("answers"),
            grades=form.lines("grades"),
        ):
            return redirect("quality:tool", organisation.pk)
    shown = draft or current
    return render(
        request,
        "quality/tool.jinja",
        {
            "page_title": f"QA tool – {organisation.name}",
            "organisation": organisation,
            "tool": found,
            "current": current,
            "draft": draft,
            "versions": found.versions.order_by("-number"),
            "sections": shown.sections.prefetch_related("criteria") if shown else [],
            "form": form,
            "formsets": [formset] if formset is not None else [],
            "formset": formset,
        },
    )


@require_POST
@reach(tools.QA_ROLES, OWN_ORGANISATION, model=Organisation, organisation=["pk"])
def tool_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a draft from the current version, or publish the draft."""
    organisation = _qa_organisation(request, pk)
    found = tools.tool_for(organisation)
    draft = tools.draft(found)
    form = ReplyForm()  # a carrier for the service's refusal
    if request.POST.get("action") == "publish" and draft is not None:
        done = call_service(
            form,
            request,
            tools.publish,
            f"Version {draft.number} is published: new scores use it",
            version=draft,
            as_of=timezone.localdate(),
        )
    else:
        done = call_service(form, request, tools.start_draft, "A draft is started", tool=found)
    if not done:
        from django.contrib import messages

        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("quality:tool", organisation.pk)


@reach(tools.QA_ROLES, OWN_AREA, model=Area, key="code")
def settings_page(request: HttpRequest, code: str) -> HttpResponse:
    if code not in access.areas_for(request.user, tools.QA_ROLES):
        raise Http404("No such area")
    area = get_object_or_404(Area, code=code)
    current = area_settings.settings_for(code)
    form = SettingsForm(
        request.POST if request.method == "POST" else None,
        initial={name: getattr(current, name) for name in area_settings.SETTINGS_FIELDS},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            request,
            area_settings.update_settings,
            f"QA settings for {area.name} are saved",
            area_code=code,
            values={name: form.cleaned_data[name] for name in area_settings.SETTINGS_FIELDS},
        )
    ):
        return redirect("quality:index")
    return render(
        request,
        "quality/settings.jinja",
        {"page_title": f"QA settings – {area.name}", "form": form, "area": area},
    )
