"""Every read of case data, always scoped to the user.

The promise: an organisation sees a case only while it participates (it brought
the case, leads it, was invited to it, received a referral or holds an action),
and only the sections shared with it. The chair (Moderation of the chairing
organisation) sees the cases on its conference's agenda, with the sections a
conference needs. Koordination and Datenschutz see counts, never content.
A case outside the scope answers 404 as if it did not exist. Every read of a
case is written to the access log.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import CharField, Count, DateTimeField, Exists, Max, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast
from django.db.models.lookups import IsNull
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schutznetz.accounts.models import Organisation, Role
from schutznetz.cases.models import (
    ALL_SECTIONS,
    OPEN_ACTION_STATUSES,
    Action,
    AgendaItem,
    Attendance,
    Case,
    CaseNote,
    CaseStatus,
    ChronologyEntry,
    Conference,
    ConferenceStatus,
    ConfidentialityAcknowledgement,
    Deadline,
    LegalBasis,
    Participation,
    Person,
    PersonRole,
    Referral,
    ReferralStatus,
    RiskAssessment,
    Section,
    SectionShare,
    ShareRevocation,
)
from schutznetz.core.access import get_scoped_or_404
from schutznetz.core.access_log import log_access, log_access_many
from schutznetz.core.aggregates import CommaList, split_comma_list
from schutznetz.core.models import AccessLogEntry, AuditEntry
from schutznetz.core.prepared import StandInUser, run_prepared

# What the chair sees of a case on its agenda: enough to run the conference, no identities.
CHAIR_SECTIONS = frozenset({Section.RISK, Section.ACTIONS, Section.DEADLINES})


@dataclass
class CaseAccess:
    participates: bool = False
    chair: bool = False
    manages: bool = False
    sections: frozenset = field(default_factory=frozenset)
    # When every legal basis of the organisation was withdrawn: content created later stays hidden.
    cutoff: datetime | None = None

    def sees(self, section):
        return section in self.sections


def _org(user):
    return getattr(user, "organisation_id", None) if user is not None and user.is_authenticated else None


def _is_case_staff(user):
    return user.is_authenticated and user.is_active and user.has_role(Role.FACHKRAFT, Role.MODERATION)


def _chaired_agenda(org_id):
    return AgendaItem.objects.filter(conference__chair_organisation_id=org_id)


# The facts annotate_access decides on, as annotations of a case queryset (see access_facts).
_FACTS = ("participates_", "shared_sections_", "active_basis_", "last_withdrawal_", "chaired_")


def _first_id(queryset):
    # A correlated "first id or NULL" rather than EXISTS: PostgreSQL turns an EXISTS in the select
    # list into a hash of every matching row of the organisation (12,000 participations for the
    # police at 100,000 cases) before the first row; this one is an index probe per shown case.
    return Subquery(queryset.order_by().values("pk")[:1])


def access_facts(user, case_ref="pk"):
    """Annotations that carry, for each case, what decides the user's access to it.

    Added to the list's own query they cost no query of their own; ``decide_access`` turns them
    into ``case.access``. Empty for a user whose roles give no case access; a fact the roles do not
    ask for is left out.
    """
    org_id = _org(user)
    facts = {}
    if not org_id or not user.is_active:
        return facts
    own = {"case_id": OuterRef(case_ref), "organisation_id": org_id}
    if user.has_role(Role.FACHKRAFT):
        facts["participates_"] = _first_id(Participation.objects.filter(**own, ended_at__isnull=True))
        facts["shared_sections_"] = Subquery(
            SectionShare.objects.filter(**own)
            .values("case_id")
            .annotate(sections=CommaList("section"))
            .values("sections")
        )
        bases = LegalBasis.objects.filter(**own)
        facts["active_basis_"] = _first_id(bases.filter(withdrawn_at__isnull=True))
        facts["last_withdrawal_"] = Subquery(
            bases.filter(withdrawn_at__isnull=False).order_by("-withdrawn_at").values("withdrawn_at")[:1]
        )
    if user.has_role(Role.MODERATION):
        facts["chaired_"] = _first_id(_chaired_agenda(org_id).filter(case_id=OuterRef(case_ref)))
    return facts


def annotate_access(user, cases):
    """Attach ``case.access`` to each case, decided on the current state with one query."""
    cases = list(cases)
    facts = access_facts(user)
    loaded = {}
    if cases and facts:
        rows = Case.objects.filter(pk__in=[case.pk for case in cases]).annotate(**facts).values("pk", *facts)
        loaded = {row.pop("pk"): row for row in rows}
    for case in cases:
        # Every fact is set, also to None: an instance may carry another user's facts from before.
        row = loaded.get(case.pk, {})
        for name in _FACTS:
            setattr(case, name, row.get(name))
    return decide_access(user, cases)


def decide_access(user, cases):
    """Attach ``case.access`` to cases whose query carried ``access_facts(user)``."""
    org_id = _org(user)
    for case in cases:
        case.access = _access_from_facts(case, org_id)
    return cases


def _access_from_facts(case, org_id):
    """The access rules, decided on the facts ``access_facts`` loaded onto ``case``."""
    access = CaseAccess()
    # A fact the user's roles do not ask for is absent (see access_facts).
    if getattr(case, "participates_", None) is not None:
        access.participates = True
        if org_id in (case.bringing_organisation_id, case.lead_organisation_id):
            access.manages = True
            access.sections = ALL_SECTIONS
        else:
            access.sections = split_comma_list(case.shared_sections_)
            if case.last_withdrawal_ is not None and case.active_basis_ is None:
                access.cutoff = case.last_withdrawal_
    if getattr(case, "chaired_", None) is not None:
        access.chair = True
        access.sections = access.sections | CHAIR_SECTIONS
    return access


def case_access(user, case):
    access = getattr(case, "access", None)
    if access is None or getattr(case, "_access_user", None) != user.pk:
        annotate_access(user, [case])
        case._access_user = user.pk
    return case.access


def _scope_condition(user, case_ref="pk", per_row=False):
    """The condition "the user may open this case" for a query whose case is ``OuterRef(case_ref)``.

    EXISTS on participation (or the chaired agenda): one indexed semi-join per row, so lists can walk
    an ordered index and stop after a page instead of building the whole scope first.
    ``per_row`` asks for a probe per row instead, for queries that start from a few rows of another
    table (deadlines, actions): there PostgreSQL misjudged the semi-join and hashed every
    participation of the organisation first (10 ms for the police at 100,000 cases).
    ``None`` when the user may open no case at all.
    """
    org_id = _org(user)
    if not org_id or not user.is_active:
        return None

    def present(queryset):
        return Q(IsNull(_first_id(queryset), False)) if per_row else Q(Exists(queryset))

    condition = None
    if user.has_role(Role.FACHKRAFT):
        condition = present(
            Participation.objects.filter(
                case_id=OuterRef(case_ref), organisation_id=org_id, ended_at__isnull=True
            )
        )
    if user.has_role(Role.MODERATION):
        chaired = present(_chaired_agenda(org_id).filter(case_id=OuterRef(case_ref)))
        condition = chaired if condition is None else condition | chaired
    return condition


def cases_for(user):
    """The cases the user may open; nothing for roles without case access (Koordination, Datenschutz)."""
    condition = _scope_condition(user)
    if condition is None:
        return Case.objects.none()
    return Case.objects.filter(condition).select_related("lead_organisation", "bringing_organisation")


# --- prepared scoped queries ---------------------------------------------------------------------------
# The pages every member of staff opens all day (the case list, the start page) run the same scoped
# queries with another organisation's id; building and compiling them cost more than running them
# (core/prepared.py). Their SQL depends on the user only through the organisation and the roles the
# scoping code asks about, so they are compiled per shape, with a stand-in user, and run with the
# real organisation. ``cases/tests/test_prepared_pages.py`` compares each with the ORM's result.

SCOPING_ROLES = (Role.FACHKRAFT, Role.MODERATION)


def scoping_shape(user):
    """The roles the scoped queries are built from, or None where nothing is prepared (no organisation,
    inactive, or no role with case access: those queries are empty and cost nothing to build)."""
    if not _org(user) or not user.is_active:
        return None
    roles = frozenset(role for role in SCOPING_ROLES if user.has_role(role))
    return roles or None


def run_scoped(user, query, *shape, plan_once=True, **values):
    """The rows of ``query(user, *shape, **values)``, prepared for the user's organisation and roles.

    ``shape`` holds what changes the SQL (a status, a page's offset), ``values`` what fills it in
    (dates, ids); both must be hashable. ``plan_once``: see ``core.prepared.run_prepared``.
    """
    roles = scoping_shape(user)
    if roles is None:
        return list(query(user, *shape, **values))
    return run_prepared(
        _build_scoped, (query, roles, *shape), plan_once=plan_once, organisation_id=_org(user), **values
    )


def _build_scoped(query, roles, *shape, organisation_id, **values):
    user = StandInUser(organisation_id=organisation_id, roles=roles, known_roles=SCOPING_ROLES)
    return query(user, *shape, **values)


def case_by_number(user, number, purpose="agenda_lookup"):
    """A case the user may open, by its number (FK-2026-0042); None for an unknown number and for a case
    outside the user's scope alike. A found case is logged."""
    case = cases_for(user).filter(number=number).first()
    if case is not None:
        log_access(user, case, purpose=purpose)
    return case


def access_case(user, case_id, purpose="view"):
    """One case the user may see, with ``case.access``; 404 otherwise. Logged."""
    case = get_scoped_or_404(cases_for(user), log_user=user, purpose=purpose, pk=case_id)
    annotate_access(user, [case])
    case._access_user = user.pk
    return case


def section_visible(user, case, section):
    return case_access(user, case).sees(section)


def _audit_changes(model, actions):
    """The audit log's entries ``actions`` about the row ``OuterRef("pk")`` of ``model``."""
    return AuditEntry.objects.filter(
        object_type=model._meta.label_lower,
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
        action__in=actions,
    )


def _person_updates():
    """The corrections of a person (``services.update_person``)."""
    return _audit_changes(Person, ["case.person.update"])


# Changes of an action after it was agreed: its holder's status and outcome, the conference's review.
ACTION_CHANGES = ("action.update", "action.review")


def _action_changes():
    return _audit_changes(Action, ACTION_CHANGES)


def actions_changed_after(actions, cutoff):
    """Ids of ``actions`` changed after ``cutoff`` (for lists decided in Python)."""
    ids = [str(action.pk) for action in actions]
    if not ids:
        return set()
    changed = AuditEntry.objects.filter(
        object_type=Action._meta.label_lower,
        object_id__in=ids,
        action__in=ACTION_CHANGES,
        created_at__gt=cutoff,
    )
    return {int(pk) for pk in changed.values_list("object_id", flat=True)}


def _section_queryset(user, case, section, queryset):
    access = case_access(user, case)
    if not access.sees(section):
        return queryset.none()
    queryset = queryset.filter(case=case)
    if access.cutoff is not None:
        queryset = queryset.filter(created_at__lte=access.cutoff)
        if section == Section.PERSONS:
            # A person corrected after the withdrawal (a new address, a new name) stays hidden: what
            # was lawfully shared was the old record, and it is not kept.
            queryset = queryset.exclude(Exists(_person_updates().filter(created_at__gt=access.cutoff)))
        elif section == Section.ACTIONS:
            # Likewise an action whose status, outcome or review changed after the withdrawal.
            queryset = queryset.exclude(Exists(_action_changes().filter(created_at__gt=access.cutoff)))
    return queryset


def persons_of(user, case):
    return _section_queryset(user, case, Section.PERSONS, Person.objects.all())


def person_of(user, case, person_id):
    """One person of the case, if the user sees the persons section; 404 otherwise (also for another case's)."""
    person = persons_of(user, case).filter(pk=person_id).first()
    if person is None:
        raise Http404
    person.case = case  # the case with its access, for the service's checks
    return person


def risk_assessments_of(user, case):
    return _section_queryset(user, case, Section.RISK, RiskAssessment.objects.select_related("organisation"))


def chronology_of(user, case):
    return _section_queryset(
        user, case, Section.CHRONOLOGY, ChronologyEntry.objects.select_related("organisation")
    )


def notes_of(user, case):
    return _section_queryset(user, case, Section.NOTES, CaseNote.objects.select_related("organisation"))


def actions_of(user, case):
    return _section_queryset(user, case, Section.ACTIONS, Action.objects.select_related("organisation"))


def deadlines_of(user, case):
    return _section_queryset(user, case, Section.DEADLINES, Deadline.objects.select_related("organisation"))


def participations_of(user, case):
    """Which organisations take part (names only); for those who manage the case."""
    if not case_access(user, case).manages:
        return Participation.objects.none()
    return case.participations.select_related("organisation").order_by("created_at")


def legal_bases_of(user, case):
    if not case_access(user, case).manages:
        return LegalBasis.objects.none()
    return case.legal_bases.select_related("organisation")


def shares_of(user, case):
    if not case_access(user, case).manages:
        return SectionShare.objects.none()
    return case.shares.select_related("organisation").order_by("organisation__name", "section")


def share_revocations_of(user, case):
    """Shares taken back (organisation, section, when, why); for those who manage the case."""
    if not case_access(user, case).manages:
        return ShareRevocation.objects.none()
    return case.share_revocations.select_related("organisation")


LIST_FIELDS = (
    "id", "number", "category", "status", "risk_band", "is_repeat", "created_at",
    "bringing_organisation_id", "lead_organisation_id",
)  # fmt: skip


def case_list(user, hide_names=False, status=CaseStatus.OPEN):
    """The scoped queryset in list order; take a page with ``list_page`` and ``with_list_details``."""
    # The list shows the lead organisation only, and only the columns the list and the access
    # rules (annotate_access) read are loaded.
    queryset = (
        cases_for(user)
        .select_related(None)
        .select_related("lead_organisation")
        .only(*LIST_FIELDS, "lead_organisation__name")
        .annotate(**access_facts(user))
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


@dataclass
class ListPage:
    """One page of a list without counting the whole scope: it only knows whether more follow."""

    cases: list
    number: int
    has_next: bool

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_other_pages(self):
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self):
        return self.number - 1

    @property
    def next_page_number(self):
        return self.number + 1


def list_page(queryset, number, per_page=50):
    """Page ``number`` (1-based) of an ordered queryset; one query, no COUNT(*)."""
    return _page(lambda start, stop: list(queryset[start:stop]), number, per_page)


def _page(rows_between, number, per_page):
    """Page ``number`` from ``rows_between(start, stop)``, asking for one row more to know whether more follow.

    ``number`` comes from the query string: anything but up to nine ASCII digits ("abc", "-4", "²",
    a number too large for the database's OFFSET) gives page 1, like a page past the end does.
    """
    text = str(number if number is not None else "").strip()
    number = max(1, int(text)) if text.isascii() and text.isdigit() and len(text) <= 9 else 1
    start = (number - 1) * per_page
    rows = rows_between(start, start + per_page + 1)
    if not rows and number > 1:
        return _page(rows_between, 1, per_page)
    return ListPage(cases=rows[:per_page], number=number, has_next=len(rows) > per_page)


def case_list_page(user, number, status=CaseStatus.OPEN, per_page=50):
    """Page ``number`` of ``case_list(user, status=status)``, its query prepared (``run_scoped``)."""
    return _page(
        lambda start, stop: run_scoped(user, _case_list_slice, status, start, stop), number, per_page
    )


def _case_list_slice(user, status, start, stop):
    return case_list(user, status=status)[start:stop]


_CATEGORY_LABELS = dict(Case._meta.get_field("category").flatchoices)
_RISK_LABELS = dict(Case._meta.get_field("risk_band").flatchoices)


def with_list_details(user, cases, hide_names=False):
    """Access and (where the persons section is visible) the at-risk person's name for a page of
    cases from ``case_list``, whose query carried the access facts.

    Only the shown fields of the at-risk person are loaded (and so decrypted), as plain values
    rather than model instances; all shown cases are logged with one bulk INSERT.
    """
    cases = decide_access(user, cases)
    category = {key: str(label) for key, label in _CATEGORY_LABELS.items()}
    risk = {key: str(label) for key, label in _RISK_LABELS.items()}
    for case in cases:
        case.category_label = category.get(case.category, case.category)
        case.risk_label = risk.get(case.risk_band, "") or "–"
        case.primary_name = None
    if not hide_names:
        visible = {case.pk: case for case in cases if case.access.sees(Section.PERSONS)}
        if visible:
            with_cutoff = any(case.access.cutoff is not None for case in visible.values())
            case_ids = tuple(visible)
            rows = run_prepared(_primary_persons, (with_cutoff,), case_ids=case_ids)
            for case_id, first_name, last_name, created_at, last_update in rows:
                case = visible[case_id]
                cutoff = case.access.cutoff
                hidden = cutoff is not None and (
                    created_at > cutoff or (last_update is not None and last_update > cutoff)
                )
                if case.primary_name is None and not hidden:
                    case.primary_name = Person.format_name(first_name, last_name)
    log_access_many(user, cases, purpose="list")
    return cases


def _primary_persons(with_cutoff, case_ids):
    """The at-risk persons of ``case_ids`` with the fields the list shows and the cutoff needs."""
    persons = Person.objects.filter(case_id__in=case_ids, role=PersonRole.AT_RISK).order_by("id")
    if with_cutoff:
        # Rare (every legal basis withdrawn): then a correction after the withdrawal hides the name.
        last_update = _person_updates().order_by("-created_at").values("created_at")[:1]
        persons = persons.annotate(last_update_=Subquery(last_update))
    else:
        persons = persons.annotate(last_update_=Value(None, output_field=DateTimeField()))
    return persons.values_list("case_id", "first_name", "last_name", "created_at", "last_update_")


def case_counts(user):
    """Counts for Koordination and Datenschutz: numbers only, no content."""
    if not user.has_perm("cases.view_counts"):
        return None
    by_status = dict(Case.objects.values_list("status").annotate(n=Count("id")).order_by())
    by_category = dict(
        Case.objects.filter(status=CaseStatus.OPEN).values_list("category").annotate(n=Count("id")).order_by()
    )
    return {
        "open": by_status.get(CaseStatus.OPEN, 0),
        "closed": by_status.get(CaseStatus.CLOSED, 0),
        "by_category": by_category,
        "conferences": Conference.objects.exclude(status=ConferenceStatus.CANCELLED).count(),
        "pending_referrals": Referral.objects.filter(status=ReferralStatus.PENDING).count(),
    }


# --- conferences --------------------------------------------------------------------------------------


def conferences_for(user):
    """Conferences the user's organisation chairs (Moderation) or is invited to (Fachkraft, Moderation)."""
    org_id = _org(user)
    if not org_id or not _is_case_staff(user):
        return Conference.objects.none()
    return (
        Conference.objects.filter(Q(chair_organisation_id=org_id) | Q(invited_organisations__id=org_id))
        .distinct()
        .select_related("chair_organisation")
    )


def meets_in(conference):
    """Condition on cases: one of the case's participating organisations chairs or is invited to
    ``conference``. Only such cases may come to its agenda as proposals or repeats: putting a case on
    an agenda gives the chair a view of it."""
    members = {
        conference.chair_organisation_id,
        *conference.invited_organisations.values_list("pk", flat=True),
    }
    return Exists(
        Participation.objects.filter(case=OuterRef("pk"), organisation_id__in=members, ended_at__isnull=True)
    )


def conferences_collecting(case):
    """Planned conferences whose agenda could collect ``case`` (the ``meets_in`` rule, seen from the case)."""
    participating = Participation.objects.filter(case=case, ended_at__isnull=True).values("organisation_id")
    return Conference.objects.filter(status=ConferenceStatus.PLANNED).filter(
        Q(chair_organisation_id__in=participating) | Q(invited_organisations__in=participating)
    )


def chairs_conference_collecting(user, case):
    org_id = _org(user)
    return bool(org_id) and conferences_collecting(case).filter(chair_organisation_id=org_id).exists()


def access_conference(user, conference_id):
    return get_scoped_or_404(conferences_for(user), pk=conference_id)


def has_acknowledged(user, conference):
    return ConfidentialityAcknowledgement.objects.filter(conference=conference, user=user).exists()


def agenda_for(user, conference):
    """The agenda after the confidentiality acknowledgement; per case only what the viewer may see.

    Items of cases the viewer's organisation does not take part in show the number and reason only.
    """
    if not has_acknowledged(user, conference):
        return None
    items = list(conference.agenda_items.select_related("case", "case__lead_organisation"))
    annotate_access(user, [item.case for item in items])
    visible = [item.case for item in items if item.case.access.participates or item.case.access.chair]
    if visible:
        log_access_many(user, visible, purpose="conference")
    open_actions = {}
    reviewable = {}
    all_actions = list(
        Action.objects.filter(case__in=[i.case for i in items]).select_related("organisation", "agenda_item")
    )
    changed_after = _changed_after_cutoff([i.case for i in items], all_actions)
    for action in all_actions:
        item_case = next(i.case for i in items if i.case.pk == action.case_id)
        if not item_case.access.sees(Section.ACTIONS):
            continue
        if item_case.access.cutoff is not None and (
            action.created_at > item_case.access.cutoff or action.pk in changed_after
        ):
            continue
        if action.agenda_item_id is not None and action.agenda_item.conference_id == conference.pk:
            open_actions.setdefault(("new", action.case_id), []).append(action)
        elif action.is_open or action.reviewed_in_id is not None:
            reviewable.setdefault(action.case_id, []).append(action)
    for item in items:
        item.visible = item.case.access.participates or item.case.access.chair
        item.sees_risk = item.case.access.sees(Section.RISK)
        item.previous_actions = reviewable.get(item.case_id, [])
        item.new_actions = open_actions.get(("new", item.case_id), [])
    return items


def _changed_after_cutoff(cases, actions):
    """Ids of ``actions`` changed after the cutoff of their case's access (cases carry ``access``)."""
    cutoffs = {case.pk: case.access.cutoff for case in cases if case.access.cutoff is not None}
    changed = set()
    for case_id, cutoff in cutoffs.items():
        changed |= actions_changed_after([a for a in actions if a.case_id == case_id], cutoff)
    return changed


def may_see_minutes(user, conference):
    """The minutes are the agenda with its outcome: like the agenda, only for whoever acknowledged the
    conference's confidentiality themselves, the chair's Moderation included (a colleague of the chair
    who never acknowledged gets no minutes)."""
    return has_acknowledged(user, conference)


def attendance_of(conference):
    return Attendance.objects.filter(conference=conference).select_related("user", "organisation")


# --- referrals, deadlines, start page ------------------------------------------------------------------


def referrals_for(user):
    """Referrals to or from the user's organisation; conference referrals also for Moderation."""
    org_id = _org(user)
    if not org_id or not _is_case_staff(user):
        return Referral.objects.none()
    condition = Q(pk__in=[])
    if user.has_role(Role.FACHKRAFT):
        condition |= Q(to_organisation_id=org_id) | Q(from_organisation_id=org_id)
    if user.has_role(Role.MODERATION):
        # Proposals to the conference (number and referring organisation only) are for the chairs.
        condition |= Q(to_organisation__isnull=True)
    return Referral.objects.filter(condition).select_related("case", "from_organisation", "to_organisation")


def access_referral(user, referral_id):
    """One referral to, from or (chairs) proposed to the conference; 404 otherwise. Logged against its
    case too: the page shows the case's number and, once declined, why (the Art. 15 report counts it)."""
    referral = get_scoped_or_404(referrals_for(user), log_user=user, purpose="referral", pk=referral_id)
    log_access(user, referral.case, purpose="referral")
    return referral


def participating_organisations(user, case):
    """Organisations that may take over the lead: active participants (and the bringing organisation),
    except the current lead; for those who manage the case."""
    if not case_access(user, case).manages:
        return Organisation.objects.none()
    ids = set(case.participations.filter(ended_at__isnull=True).values_list("organisation_id", flat=True))
    ids.add(case.bringing_organisation_id)
    ids.discard(case.lead_organisation_id)
    return Organisation.objects.filter(pk__in=ids, is_active=True).order_by("name")


def _deadline_scope(user):
    org_id = _org(user)
    if not org_id or not user.has_role(Role.FACHKRAFT):
        return Deadline.objects.none()
    sees_deadlines = (
        Q(case__bringing_organisation_id=org_id)
        | Q(case__lead_organisation_id=org_id)
        | Exists(
            SectionShare.objects.filter(
                case=OuterRef("case"), organisation_id=org_id, section=Section.DEADLINES
            )
        )
    )
    in_scope = _scope_condition(user, "case_id", per_row=True)
    if in_scope is None:
        return Deadline.objects.none()
    return (
        Deadline.objects.filter(organisation_id=org_id, done_at__isnull=True, case__status=CaseStatus.OPEN)
        .filter(in_scope)
        .filter(sees_deadlines)
        .select_related("case")
    )


def deadlines_due_soon(user, days=7, today=None):
    today = today or timezone.localdate()
    return deadlines_between(user, first=today, last=today + timedelta(days=days))


def deadlines_between(user, first, last):
    return _deadline_scope(user).filter(due_date__gte=first, due_date__lte=last)


def deadlines_overdue(user, today=None):
    today = today or timezone.localdate()
    return _deadline_scope(user).filter(due_date__lt=today)


def new_referrals(user):
    org_id = _org(user)
    if not org_id or not user.has_role(Role.FACHKRAFT):
        return Referral.objects.none()
    return Referral.objects.filter(to_organisation_id=org_id, status=ReferralStatus.PENDING).select_related(
        "case", "from_organisation"
    )


def actions_for(user):
    """Actions the user's organisation holds or may see through the actions section."""
    org_id = _org(user)
    if not org_id or not user.has_role(Role.FACHKRAFT):
        return Action.objects.none()
    in_scope = _scope_condition(user, "case_id", per_row=True)
    if in_scope is None:
        return Action.objects.none()
    bases = LegalBasis.objects.filter(case=OuterRef("case_id"), organisation_id=org_id)
    withdrawn = bases.filter(withdrawn_at__isnull=False)
    # The cutoff of ``_access_from_facts``: once every legal basis of the organisation is withdrawn, an
    # action created or changed (``_action_changes``) after the last withdrawal stays hidden, as on the
    # case page. A change after every withdrawal is a change after the cutoff.
    change_after_cutoff = _action_changes().filter(
        ~Exists(
            LegalBasis.objects.filter(
                case=OuterRef(OuterRef("case_id")),
                organisation_id=org_id,
                withdrawn_at__isnull=False,
                withdrawn_at__gte=OuterRef("created_at"),
            )
        )
    )
    before_cutoff = (
        Exists(bases.filter(withdrawn_at__isnull=True))
        | ~Exists(withdrawn)
        | (Exists(withdrawn.filter(withdrawn_at__gte=OuterRef("created_at"))) & ~Exists(change_after_cutoff))
    )
    sees_actions = (
        Q(case__bringing_organisation_id=org_id)
        | Q(case__lead_organisation_id=org_id)
        | (
            Exists(
                SectionShare.objects.filter(
                    case=OuterRef("case_id"), organisation_id=org_id, section=Section.ACTIONS
                )
            )
            & before_cutoff
        )
    )
    return Action.objects.filter(in_scope).filter(sees_actions).select_related("case", "organisation")


def open_actions_for_org(user):
    """Open actions the organisation holds in open cases (the start page; like its deadlines)."""
    return actions_for(user).filter(
        organisation_id=_org(user), status__in=OPEN_ACTION_STATUSES, case__status=CaseStatus.OPEN
    )


def access_action(user, action_id):
    """One action the user may see; 404 otherwise. Logged against its case too (purpose "action"): an
    action is case content, so the read belongs in the case's Art. 15 report."""
    action = get_scoped_or_404(actions_for(user), log_user=user, purpose="action", pk=action_id)
    log_access(user, action.case, purpose="action")
    return action


def log_action_reads(user, actions, purpose="api_list"):
    """Log the cases of listed actions (one row per action's case) for the Art. 15 report."""
    cases = {action.case_id: action.case for action in actions}
    if cases:
        log_access_many(user, list(cases.values()), purpose=purpose)


# --- Art. 15: who saw the case ------------------------------------------------------------------------


def case_for_access_report(user, case_id):
    """The lead organisation's Fachkraft or Datenschutz may ask who saw a case (no content)."""
    if user.has_role(Role.DATENSCHUTZ):
        case = get_scoped_or_404(Case.objects.select_related("lead_organisation"), pk=case_id)
        log_access(user, case, purpose="access_report")
    else:
        case = access_case(user, case_id, purpose="access_report")
    if not user.has_perm("cases.access_report", case):
        raise Http404
    return case


# Reads made to answer an Art. 15 request (look-up by number, report download) show no case content:
# counted apart, so that the report does not name Datenschutz as an organisation that saw the case.
REPORT_PURPOSES = ("access_report", "access_report_lookup")


def _case_log(case):
    return AccessLogEntry.objects.about(Case._meta.label_lower, case.pk)


def report_requests(case):
    """How often the case was looked up or reported on to answer access requests."""
    return _case_log(case).filter(purpose__in=REPORT_PURPOSES).count()


# What a read was, in the words of an Art. 15 answer: opening the file is not the same as seeing the
# case's number and name in a list. Keys are the access log's purposes; anything else is "other".
READ_KINDS = {
    "view": "opened",
    "api": "opened",
    "list": "listed",
    "api_list": "listed",
    "agenda_lookup": "listed",
    "conference": "conference",
    "minutes": "minutes",
    "action": "opened",
}
READ_KIND_LABELS = {
    "opened": _("Fall geöffnet"),
    "listed": _("in einer Liste oder Suche angezeigt"),
    "conference": _("auf der Tagesordnung einer Fallkonferenz"),
    "minutes": _("im Protokoll einer Fallkonferenz"),
    "other": _("sonstige Abrufe"),
}


def access_report(case):
    """Which organisations read the case, when first and last, how often and in which way (from the
    access log). ``kinds`` counts the reads per kind (``READ_KIND_LABELS``), in that order."""
    rows = (
        _case_log(case)
        .exclude(purpose__in=REPORT_PURPOSES)
        .values("organisation__name", "purpose")
        .annotate(first=Min("created_at"), last=Max("created_at"), reads=Count("id"))
        .order_by("organisation__name")
    )
    report = {}
    for row in rows:
        name = row["organisation__name"] or "–"
        entry = report.setdefault(
            name,
            {
                "organisation": name,
                "first_access": row["first"],
                "last_access": row["last"],
                "reads": 0,
                "kinds": {},
            },
        )
        entry["first_access"] = min(entry["first_access"], row["first"])
        entry["last_access"] = max(entry["last_access"], row["last"])
        entry["reads"] += row["reads"]
        kind = READ_KINDS.get(row["purpose"], "other")
        entry["kinds"][kind] = entry["kinds"].get(kind, 0) + row["reads"]
    for entry in report.values():
        entry["kinds"] = {kind: entry["kinds"][kind] for kind in READ_KIND_LABELS if kind in entry["kinds"]}
    return sorted(report.values(), key=lambda entry: entry["organisation"])


def case_by_number_for_report(user, number):
    """Datenschutz looks a case up by number for an Art. 15 request; returns the case or None (no content)."""
    if not user.has_role(Role.DATENSCHUTZ):
        return None
    case = Case.objects.filter(number=number).first()
    if case is not None:
        log_access(user, case, purpose="access_report_lookup")
    return case


def acknowledged_users(conference):
    return [
        ack.user
        for ack in ConfidentialityAcknowledgement.objects.filter(conference=conference).select_related(
            "user", "user__organisation"
        )
    ]


def log_agenda_item(user, item):
    log_access(user, item.case, purpose="conference")


def agenda_item_details(user, item):
    """What the chair works with on one agenda item: risk summary, previous and new actions."""
    case = item.case
    access = case_access(user, case)
    latest_risk = risk_assessments_of(user, case).first()
    actions = list(actions_of(user, case).select_related("agenda_item"))
    return {
        "case": case,
        "access": access,
        "latest_risk": latest_risk,
        "previous_actions": [a for a in actions if a.agenda_item_id != item.pk],
        "new_actions": [a for a in actions if a.agenda_item_id == item.pk],
    }


def minutes_for(user, conference):
    """Agenda items for the minutes PDF; decisions and actions only where the viewer may see the case."""
    items = list(conference.agenda_items.select_related("case", "case__lead_organisation"))
    annotate_access(user, [item.case for item in items])
    visible = [item.case for item in items if item.case.access.participates or item.case.access.chair]
    if visible:
        log_access_many(user, visible, purpose="minutes")
    actions = {}
    all_actions = list(Action.objects.filter(case__in=visible).select_related("organisation", "reviewed_in"))
    changed_after = _changed_after_cutoff(visible, all_actions)
    for action in all_actions:
        actions.setdefault(action.case_id, []).append(action)
    for item in items:
        item.visible = item.case.access.participates or item.case.access.chair
        access = item.case.access
        case_actions = actions.get(item.case_id, []) if access.sees(Section.ACTIONS) else []
        if access.cutoff is not None:
            case_actions = [
                a for a in case_actions if a.created_at <= access.cutoff and a.pk not in changed_after
            ]
        item.new_actions = [a for a in case_actions if a.agenda_item_id == item.pk]
        item.reviewed_list = [a for a in case_actions if a.reviewed_in_id == item.pk]
        # Decisions recorded after the organisation's consent was withdrawn stay hidden, like every
        # other content created after the withdrawal.
        item.decisions_visible = item.visible and (
            access.cutoff is None or (item.discussed_at is not None and item.discussed_at <= access.cutoff)
        )
    return items
