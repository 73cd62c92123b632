"""The access policy: which children, and which pages, a user may reach. The only place it lives.

- LA social workers and data officers see the children their LA is responsible for.
- Health practitioners, health administrators and designated professionals see children whose
  responsible area *or current placement area* their organisation serves.
- Staff of a service that takes referrals (CAMHS, substance misuse…) see only the referrals
  made to it, and through them the children referred.
- Hand-offs: a notification is seen by the organisation that sent it (an LA, or a health team
  telling another it took a child's assessments over) and the one it is addressed to
  (`notification_q`); a referral by the referring provider and the service
  (`referral_q`). Nobody else reaches them, whatever the URL.
- Commissioners see no child at all (aggregates only); system administrators manage users and
  organisations but see no child unless they also hold one of the roles above.

Every child-level query is built from `child_q(user)`, through `Child.objects.visible_to(user)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from .models import Membership, OrganisationKind, Role

LA_CHILD_ROLES = frozenset({Role.SOCIAL_WORKER, Role.DATA_OFFICER})
HEALTH_CHILD_ROLES = frozenset(
    {Role.HEALTH_PRACTITIONER, Role.HEALTH_ADMIN, Role.DESIGNATED_PROFESSIONAL}
)
#: Roles that may record a child entering care, their moves and their leaving care.
CARE_RECORD_ROLES = LA_CHILD_ROLES
#: Roles that make referrals for a provider, and act on them for a service.
REFERRAL_ROLES = frozenset({Role.HEALTH_PRACTITIONER, Role.HEALTH_ADMIN})
#: Roles that send an LA's hand-offs to health, and see whether they were acknowledged.
HANDOVER_SENDER_ROLES = LA_CHILD_ROLES
#: Roles that receive hand-offs for a provider or ICB and acknowledge them.
HANDOVER_RECEIVER_ROLES = HEALTH_CHILD_ROLES
#: Roles that see children (each in their own areas: `child_q`).
CHILD_ROLES = LA_CHILD_ROLES | HEALTH_CHILD_ROLES
#: Roles that manage users, organisations and settings (and see no child by that role).
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN})
#: Roles given only once a second administrator approves (`approvals.request_role`): every
#: role that reaches a child's record, and administration itself, or one administrator could
#: make a second account to approve their own requests. A commissioner sees no child.
TWO_PERSON_ROLES = CHILD_ROLES | REFERRAL_ROLES | ADMIN_ROLES


@dataclass(frozen=True)
class Scope:
    """What one user reaches, worked out once per request from their active memberships."""

    la_areas: frozenset[str]
    health_areas: frozenset[str]
    roles: frozenset[str]
    organisation_ids: frozenset[int]
    # area code -> organisation id through which the user reaches it (for the audit log)
    area_organisation: tuple[tuple[str, int], ...]
    # every (role, area, organisation id) the user holds, for role-specific permissions
    grants: tuple[tuple[str, str, int], ...] = ()
    # services (taking referrals) at which the user acts on referrals
    service_ids: frozenset[int] = frozenset()

    @property
    def sees_children(self) -> bool:
        return bool(self.la_areas or self.health_areas)


_EMPTY = Scope(frozenset(), frozenset(), frozenset(), frozenset(), ())


def scope_of(user) -> Scope:  # type: ignore[no-untyped-def]
    """The user's reach; cached on the user object so a request pays for one query."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return _EMPTY
    cached = getattr(user, "_lachealth_scope", None)
    if cached is not None:
        return cached
    la_areas: set[str] = set()
    health_areas: set[str] = set()
    roles: set[str] = set()
    org_ids: set[int] = set()
    area_org: dict[str, int] = {}
    grants: set[tuple[str, str, int]] = set()
    service_ids: set[int] = set()
    rows = (
        Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
        .values_list("role", "organisation_id", "organisation__kind", "organisation__areas")
        .order_by("organisation_id")
    )
    for role, org_id, kind, area in rows:
        roles.add(role)
        org_ids.add(org_id)
        if kind == OrganisationKind.SERVICE:
            # A service's areas say where it works, not whose records its staff may read.
            if role in REFERRAL_ROLES:
                service_ids.add(org_id)
            continue
        if area is None:
            continue
        grants.add((role, area, org_id))
        if role in LA_CHILD_ROLES and kind == OrganisationKind.LOCAL_AUTHORITY:
            la_areas.add(area)
            area_org.setdefault(area, org_id)
        elif role in HEALTH_CHILD_ROLES and kind in (
            OrganisationKind.HEALTH_PROVIDER,
            OrganisationKind.ICB,
        ):
            health_areas.add(area)
            area_org.setdefault(area, org_id)
    scope = Scope(
        frozenset(la_areas),
        frozenset(health_areas),
        frozenset(roles),
        frozenset(org_ids),
        tuple(sorted(area_org.items())),
        tuple(sorted(grants)),
        frozenset(service_ids),
    )
    user._lachealth_scope = scope
    return scope


def forget_scope(user) -> None:  # type: ignore[no-untyped-def]
    """Drop the cached scope after the user's memberships change."""
    if hasattr(user, "_lachealth_scope"):
        del user._lachealth_scope


def child_q(
    user,  # type: ignore[no-untyped-def]
    responsible: str = "responsible_area",
    placement: str = "current_placement_area",
) -> Q:
    """The filter that limits any child query to what `user` may see (nothing if no scope)."""
    scope = scope_of(user)
    if not scope.sees_children:
        return Q(pk__in=[])
    q = Q()
    if scope.la_areas or scope.health_areas:
        q |= Q(**{f"{responsible}__in": sorted(scope.la_areas | scope.health_areas)})
    if scope.health_areas:
        q |= Q(**{f"{placement}__in": sorted(scope.health_areas)})
    return q


def can_see_children(user) -> bool:  # type: ignore[no-untyped-def]
    return scope_of(user).sees_children


def can_record_care(user, responsible_area: str | None = None) -> bool:  # type: ignore[no-untyped-def]
    """LA staff record care events, and only for children of their own LA."""
    scope = scope_of(user)
    if responsible_area is None:
        return bool(scope.la_areas)
    return responsible_area in scope.la_areas


def recording_areas(user) -> frozenset[str]:  # type: ignore[no-untyped-def]
    """Areas whose children this user may take into care (their LAs' areas)."""
    return scope_of(user).la_areas


def is_system_admin(user) -> bool:  # type: ignore[no-untyped-def]
    return Role.SYSTEM_ADMIN in scope_of(user).roles


def is_commissioner(user) -> bool:  # type: ignore[no-untyped-def]
    return Role.COMMISSIONER in scope_of(user).roles


def organisation_for(user, *area_codes: str | None) -> int | None:  # type: ignore[no-untyped-def]
    """The organisation through which the user reaches a child in these areas (for audit)."""
    scope = scope_of(user)
    lookup = dict(scope.area_organisation)
    for code in area_codes:
        if code and code in lookup:
            return lookup[code]
    return min(scope.organisation_ids) if scope.organisation_ids else None


def areas_for(user, roles: frozenset[str] | set[str]) -> frozenset[str]:  # type: ignore[no-untyped-def]
    """The areas in which the user holds any of `roles` (at any organisation)."""
    return frozenset(area for role, area, _ in scope_of(user).grants if role in roles)


def commissioner_footprints() -> set[frozenset[str]]:
    """Every active commissioner's footprint (the areas where they hold the role, as
    `areas_for` gives them): the totals the measures publish besides areas and England."""
    rows = Membership.objects.filter(
        role=Role.COMMISSIONER,
        is_active=True,
        user__is_active=True,
        organisation__is_active=True,
        organisation__areas__isnull=False,
    ).exclude(organisation__kind=OrganisationKind.SERVICE)
    by_user: dict[int, set[str]] = {}
    for user_id, area in rows.values_list("user_id", "organisation__areas").order_by():
        by_user.setdefault(user_id, set()).add(area)
    return {frozenset(areas) for areas in by_user.values()}


def organisations_for(user, roles: frozenset[str] | set[str]) -> frozenset[int]:  # type: ignore[no-untyped-def]
    """The organisations at which the user holds any of `roles`."""
    return frozenset(org for role, _, org in scope_of(user).grants if role in roles)


def acts_for_child(user, roles: frozenset[str] | set[str], child) -> bool:  # type: ignore[no-untyped-def]
    """Whether the user holds one of `roles` in the child's responsible or placement area."""
    areas = areas_for(user, roles)
    return child.responsible_area_id in areas or child.current_placement_area_id in areas


#: Roles that import and export an LA's SSDA903 return.
RETURN_ROLES = frozenset({Role.DATA_OFFICER})


def can_exchange_return(user, area_code: str | None = None) -> bool:  # type: ignore[no-untyped-def]
    """LA data officers import and export their own LA's SSDA903 return, and no other's
    (the role exists only at local authorities)."""
    areas = areas_for(user, RETURN_ROLES)
    return bool(areas) if area_code is None else area_code in areas


#: Health roles that book appointments and record SDQs and outcomes.
HEALTH_RECORD_ROLES = frozenset({Role.HEALTH_PRACTITIONER, Role.HEALTH_ADMIN})
#: Health roles that record a completed health assessment and its plan.
ASSESSMENT_ROLES = frozenset({Role.HEALTH_PRACTITIONER})


def sends_handovers(user) -> frozenset[int]:  # type: ignore[no-untyped-def]
    """The LAs whose hand-offs this user sends and follows."""
    return organisations_for(user, HANDOVER_SENDER_ROLES)


def receives_handovers(user) -> frozenset[int]:  # type: ignore[no-untyped-def]
    """The providers and ICBs for which this user receives hand-offs."""
    return organisations_for(user, HANDOVER_RECEIVER_ROLES)


def notification_q(user) -> Q:  # type: ignore[no-untyped-def]
    """Notifications the user may see: those their organisation sent (an LA's hand-offs; a
    health team's notice that it took a child's assessments over) or received."""
    sent, received = sends_handovers(user), receives_handovers(user)
    if not (sent or received):
        return Q(pk__in=[])
    return Q(sender_id__in=sorted(sent | received)) | Q(recipient_id__in=sorted(received))


def sees_referrals(user) -> bool:  # type: ignore[no-untyped-def]
    """Whether the user has a referrals list: health teams that refer, services referred to."""
    return bool(scope_of(user).service_ids or receives_handovers(user))


def referral_q(user) -> Q:  # type: ignore[no-untyped-def]
    """Referrals the user may see: those their provider made, or their service received."""
    scope = scope_of(user)
    referrers = organisations_for(user, HEALTH_CHILD_ROLES)
    if not (referrers or scope.service_ids):
        return Q(pk__in=[])
    return Q(referrer_id__in=sorted(referrers)) | Q(service_id__in=sorted(scope.service_ids))
