"""Every read of the network module, scoped to who asks."""

from django.db.models import Prefetch, Q
from django.utils import timezone

from schutznetz.accounts.models import Organisation, OrganisationKind
from schutznetz.network.models import (
    Accession,
    AgreementVersion,
    Attendance,
    Confirmation,
    Material,
    MaterialVersion,
    Meeting,
    NewsItem,
    Photo,
    PhotoRendition,
    Task,
    WorkingGroup,
)

_MAX_ID = 2**63 - 1


def _is_member(user):
    return bool(user is not None and user.is_authenticated and user.has_perm("network.view_internal"))


# --- Partners -------------------------------------------------------------------------------


def open_accessions():
    today = timezone.localdate()
    return Accession.objects.filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))


def active_partners():
    """Organisations with an accession in force, by name."""
    ids = open_accessions().values("organisation_id")
    return list(Organisation.objects.filter(pk__in=ids, is_active=True).order_by("name"))


def public_partners():
    """Active partners for the public page, with their public profile, grouped by kind."""
    partners = (
        Organisation.objects.filter(pk__in=open_accessions().values("organisation_id"), is_active=True)
        .select_related("partner_profile")
        .order_by("name")
    )
    order = {kind: index for index, kind in enumerate(OrganisationKind.values)}
    partners = sorted(partners, key=lambda org: (order.get(org.kind, len(order)), org.name))
    groups = {}
    for org in partners:
        profile = getattr(org, "partner_profile", None)
        org.public_profile = profile if profile is not None and profile.is_public else None
        groups.setdefault(org.get_kind_display(), []).append(org)
    return [{"kind": kind, "partners": orgs} for kind, orgs in groups.items()]


def public_working_groups():
    return (
        WorkingGroup.objects.filter(is_active=True)
        .select_related("lead_organisation")
        .prefetch_related("organisations")
    )


def partner_profiles_for(user):
    """Organisations with their profiles that ``user`` may see on the staff side (all members)."""
    if not _is_member(user):
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(is_active=True).select_related("partner_profile").order_by("kind", "name")
    )


def editable_organisations(user):
    if user.has_perm("network.manage"):
        return Organisation.objects.filter(is_active=True)
    if user.has_perm("network.edit_partner_profile", user.organisation):
        return Organisation.objects.filter(pk=user.organisation_id)
    return Organisation.objects.none()


def working_groups_for(user):
    if not _is_member(user):
        return WorkingGroup.objects.none()
    return WorkingGroup.objects.select_related("lead_organisation").prefetch_related("organisations")


# --- Agreement ------------------------------------------------------------------------------


def current_agreement():
    return (
        AgreementVersion.objects.filter(status=AgreementVersion.Status.PUBLISHED).order_by("-number").first()
    )


def versions_for(user):
    if not _is_member(user):
        return AgreementVersion.objects.none()
    return AgreementVersion.objects.all()


def public_versions():
    return AgreementVersion.objects.exclude(status=AgreementVersion.Status.DRAFT)


def _signature_rows(version):
    """Every signature of ``version`` (accession or confirmation) whose accession is still in force."""
    in_force = set(open_accessions().values_list("organisation_id", flat=True))
    rows = []
    for accession in Accession.objects.filter(version=version).select_related("organisation"):
        # A withdrawal given notice of for a later date leaves the signature in force until then.
        if accession.organisation_id in in_force and accession.is_active:
            rows.append(
                {
                    "organisation": accession.organisation,
                    "name": accession.signatory_name,
                    "function": accession.signatory_function,
                    "date": accession.signed_on,
                    "kind": "accession",
                }
            )
    for confirmation in Confirmation.objects.filter(version=version).select_related("organisation"):
        if confirmation.organisation_id in in_force:
            rows.append(
                {
                    "organisation": confirmation.organisation,
                    "name": confirmation.signatory_name,
                    "function": confirmation.signatory_function,
                    "date": confirmation.confirmed_on,
                    "kind": "confirmation",
                }
            )
    return sorted(rows, key=lambda row: row["organisation"].name)


def signatories(version):
    """The current partners who have signed ``version`` (by accession or confirmation), by name.

    An organisation deactivated in schutznetz is no longer a partner, even while its accession has
    not been withdrawn: it is listed apart by :func:`inactive_signatories`, never counted here.
    """
    return [row for row in _signature_rows(version) if row["organisation"].is_active]


def inactive_signatories(version):
    """Signatures of ``version`` by organisations that are no longer active (dissolved, merged) although
    no withdrawal has been recorded: shown apart as "nicht mehr aktiv", not as partners."""
    return [row for row in _signature_rows(version) if not row["organisation"].is_active]


def confirmation_status(version):
    """Active partners split into those who have signed ``version`` and those who have not yet."""
    signed = {row["organisation"].pk: row for row in signatories(version)}
    confirmed, pending = [], []
    for organisation in active_partners():
        if organisation.pk in signed:
            confirmed.append(signed[organisation.pk])
        else:
            pending.append(organisation)
    return {"confirmed": confirmed, "pending": pending}


def accessions_for(user):
    if not _is_member(user):
        return Accession.objects.none()
    return Accession.objects.select_related("organisation", "version").order_by(
        "organisation__name", "-signed_on"
    )


# --- Meetings -------------------------------------------------------------------------------


def meetings_for(user):
    if not _is_member(user):
        return Meeting.objects.none()
    return Meeting.objects.select_related("working_group")


def meeting_detail(user, meeting_id):
    from schutznetz.core.access import get_scoped_or_404

    return get_scoped_or_404(
        meetings_for(user).prefetch_related(
            "agenda_items",
            Prefetch("attendances", queryset=Attendance.objects.select_related("organisation")),
            Prefetch("tasks", queryset=Task.objects.select_related("owner", "agenda_item")),
            "decisions__agenda_item",
        ),
        pk=meeting_id,
    )


def carried_over_tasks(meeting):
    """Open tasks from earlier meetings of the same body (plenum or working group): next agenda."""
    return (
        Task.objects.filter(
            meeting__working_group_id=meeting.working_group_id,
            meeting__starts_at__lt=meeting.starts_at,
        )
        .exclude(status=Task.Status.DONE)
        .exclude(meeting=meeting)
        .select_related("owner", "meeting")
        .order_by("due_on", "pk")
    )


def tasks_for(user):
    if not _is_member(user):
        return Task.objects.none()
    return Task.objects.select_related("owner", "meeting")


def open_tasks_of_organisation(user):
    if not _is_member(user) or not user.organisation_id:
        return Task.objects.none()
    return tasks_for(user).filter(owner_id=user.organisation_id).exclude(status=Task.Status.DONE)


def upcoming_meetings(user, limit=5):
    return (
        meetings_for(user)
        .filter(starts_at__gte=timezone.now())
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at")[:limit]
    )


# --- News -----------------------------------------------------------------------------------

_PHOTOS = Prefetch("photos", queryset=Photo.objects.prefetch_related("renditions"))


def published_news():
    return NewsItem.objects.filter(
        status=NewsItem.Status.PUBLISHED, published_on__lte=timezone.localdate()
    ).prefetch_related(_PHOTOS)


def news_for(user):
    if not (user.is_authenticated and user.has_perm("network.manage")):
        return NewsItem.objects.none()
    return NewsItem.objects.prefetch_related(_PHOTOS)


def photos_for(user):
    if not (user.is_authenticated and user.has_perm("network.manage")):
        return Photo.objects.none()
    return Photo.objects.select_related("news").prefetch_related("renditions")


def rendition_for(user, photo_id, width):
    """A photo rendition: public when its news item is published and the photo carries a credit."""
    if not (0 < photo_id <= _MAX_ID and 0 < width <= _MAX_ID):
        return None  # an id no database can hold: not found, not a server error
    renditions = PhotoRendition.objects.select_related("photo__news")
    if not (user.is_authenticated and user.has_perm("network.manage")):
        renditions = (
            renditions.filter(
                photo__news__in=published_news().values("pk"),
            )
            .exclude(photo__credit="")
            .exclude(photo__usage_terms="")
        )
    return renditions.filter(photo_id=photo_id, width=width).first()


# --- Materials ------------------------------------------------------------------------------


def materials_for(user):
    """Public materials for everyone; internal ones only for members."""
    materials = (
        Material.objects.prefetch_related("topics", "versions").filter(versions__isnull=False).distinct()
    )
    if not _is_member(user):
        materials = materials.filter(visibility=Material.Visibility.PUBLIC)
    return materials


def all_materials_for(user):
    if not (user.is_authenticated and user.has_perm("network.manage")):
        return materials_for(user)
    return Material.objects.prefetch_related("topics", "versions")


def material_version_for(user, slug, number=None):
    versions = MaterialVersion.objects.select_related("material").filter(material__slug=slug)
    if not _is_member(user):
        versions = versions.filter(material__visibility=Material.Visibility.PUBLIC)
    if number is not None:
        return versions.filter(number=number).first()
    return versions.order_by("-number").first()
