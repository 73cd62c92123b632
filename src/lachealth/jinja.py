"""The Jinja2 environment: NHS.UK component macros (nhsuk-frontend-jinja) plus our helpers.

Templates import components as `nhsuk/components/<name>/macro.jinja`; forms render through
`forms.jinja` (one renderer for every field, as NHS.UK components).
"""

from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any

from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader
from markupsafe import Markup, escape

from lachealth.forms import error_list, render_field


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def format_date(value: date | datetime | None, fmt: str = "%-d %B %Y") -> str:
    """Dates as NHS.UK content style writes them: 3 March 2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.strftime(fmt)


def format_iso(value: Any) -> Any:
    """A record kept as JSON (a passport as given) holds dates as ISO text: show them as
    dates; any other value as it is."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    return value


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_date(value, "%-d %B %Y at %H:%M")


def age(date_of_birth: date | None) -> str:
    """A child's age in words for display (today's age; display only, never a rule)."""
    if date_of_birth is None:
        return ""
    today = timezone.localdate()
    years = (
        today.year
        - date_of_birth.year
        - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))
    )
    if years >= 2:
        return f"{years} years"
    months = (today.year - date_of_birth.year) * 12 + today.month - date_of_birth.month
    months -= today.day < date_of_birth.day
    return f"{max(months, 0)} months"


def format_nhs_number(value: str | None) -> str:
    """NHS numbers are read in groups of 3, 3 and 4 digits."""
    if not value or len(value) != 10:
        return value or ""
    return f"{value[:3]} {value[3:6]} {value[6:]}"


def coded(code: str | None, kind: str) -> str:
    """An SSDA903 code with its meaning, as every page shows one: "Foster placement with other
    foster carer (U4)". `kind` names the code list: place, ls, rne, rec, cin or reason_place_change;
    an unknown code is shown as it is."""
    if not code:
        return ""
    meaning = _meanings(kind).get(code)
    return f"{meaning} ({code})" if meaning else code


@cache
def _meanings(kind: str) -> dict[str, str]:
    from lachealth.care import codes

    lists = {
        "place": codes.Placement,
        "ls": codes.LegalStatus,
        "rne": codes.ReasonForNewEpisode,
        "rec": codes.ReasonEpisodeCeased,
        "cin": codes.CategoryOfNeed,
        "reason_place_change": codes.ReasonPlaceChange,
    }
    return {value: str(label) for value, label in lists[kind].choices}


#: Stands for the page's CSRF token in a remembered header (letters a token never has).
CSRF_PLACEHOLDER = "@@csrf@@"


def page_header(
    env: Environment, user_name: str, nav_items: list[dict[str, Any]], csrf: str
) -> Markup:
    """Every page's NHS.UK header: the component's own markup, drawn once for each user's
    name and navigation (a good part of a short page's time) and remembered; the sign-out
    form's CSRF token, new on each page, is put in afterwards."""
    key = tuple((item["href"], item["text"], bool(item.get("current"))) for item in nav_items)
    return Markup(_header(env, user_name, key).replace(CSRF_PLACEHOLDER, str(escape(csrf))))


@lru_cache(maxsize=2048)
def _header(env: Environment, user_name: str, nav: tuple[tuple[str, str, bool], ...]) -> str:
    items = [{"href": href, "text": text, "current": current} for href, text, current in nav]
    template = env.get_template("_header.jinja")
    return template.render(user_name=user_name, nav_items=items, csrf_token=CSRF_PLACEHOLDER)


@lru_cache(maxsize=1)
def _footer(env: Environment) -> Markup:
    """Every page's NHS.UK footer, the same on every page: drawn once."""
    return Markup(env.get_template("_footer.jinja").render())


def month_label(value: Any) -> Any:
    """An ISO date in a table's first column as '31 Dec 2026'; anything else as it is."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return f"{date.fromisoformat(value):%-d %b %Y}"
        except ValueError:
            return value
    return value


def thousands(value: Any) -> Any:
    """A number with thousands separated (1,234 and 1,234.5); anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return f"{value:,}"


def environment(**options: Any) -> Environment:
    # The NHS.UK macros are ported from Nunjucks, where `params.a.b` on a missing `a` is simply
    # undefined; ChainableUndefined gives Jinja the same behaviour.
    options["undefined"] = ChainableUndefined
    env = Environment(**options, extensions=["jinja2.ext.do"])
    if env.loader:
        env.loader = ChoiceLoader([env.loader, PackageLoader("nhsuk_frontend_jinja")])
    env.globals.update(
        {
            "static": static,
            "url": url,
            "get_messages": get_messages,
        }
    )
    env.globals["form_field"] = lambda bf, **overrides: render_field(env, bf, **overrides)
    env.globals["error_list"] = error_list
    env.globals["page_header"] = lambda *args: page_header(env, *args)
    env.globals["page_footer"] = lambda: _footer(env)
    env.filters["date"] = format_date
    env.filters["datetime"] = format_datetime
    env.filters["iso"] = format_iso
    env.filters["age"] = age
    env.filters["nhs_number"] = format_nhs_number
    env.filters["coded"] = coded
    env.filters["month_label"] = month_label
    env.filters["thousands"] = thousands
    return env
