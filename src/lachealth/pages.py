"""What every recording page does the same way: log the view of the child it shows, and call a
service, putting its refusal beside the form's fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lachealth.people import access, audit
from lachealth.people.models import AccessAction


def require_child_access(request: HttpRequest) -> None:
    """Commissioners and administrators never reach a child's page: 403, not 404."""
    if not access.can_see_children(request.user):
        raise PermissionDenied("Your role does not give access to children's records")


def form_page(
    request: HttpRequest, template: str, child: Any, context: dict[str, Any]
) -> HttpResponse:
    """Render a form about a child; it shows who the child is, so it is logged as a view."""
    page = request.resolver_match.url_name if request.resolver_match else ""
    audit.record(request, AccessAction.VIEW, child=child, detail=page or "")
    return render(request, template, {**context, "child": child})


def call_service(
    form: Any, request: HttpRequest, write: Callable[..., Any], success: str, **kwargs: Any
) -> Any:
    """Call a write service as the signed-in user; on refusal put its errors on the form and
    return None, on success flash `success` and return what the service returned."""
    try:
        result = write(by=request.user, request=request, **kwargs)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return None
    messages.success(request, success)
    return result
