"""Who may reach the network pages (read by tests/test_authorization_matrix.py; format: tests/access_matrix.py).

Public: the network's home, agreement, public materials and news. Every signed-in member sees
internal materials, meetings and minutes; only the Koordination manages them. An organisation's
profile is edited by the Koordination (or that organisation's admin); a meeting task's status by
the Koordination or the organisation it is assigned to.
"""

STAFF = "staff"
KOORDINATION = {"koordination"}


class _Quiet:
    def write(self, *args, **kwargs):
        pass


def setup(world):
    import datetime

    from schutznetz.network import demo, services
    from schutznetz.network.models import (
        Accession,
        AgendaItem,
        AgreementVersion,
        Material,
        Meeting,
        NewsItem,
        Photo,
        WorkingGroup,
    )

    demo.load(_Quiet())
    meeting = Meeting.objects.order_by("starts_at").first()
    o = world.objects
    o["meeting"] = meeting
    o["agenda_item"] = AgendaItem.objects.filter(meeting=meeting).first()
    # Tasks are added while minutes are open: to the upcoming demo meeting (the first one is final).
    open_meeting = Meeting.objects.filter(minutes_final_at__isnull=True).order_by("starts_at").first()
    due = open_meeting.starts_at.date() + datetime.timedelta(days=30)
    o["task"] = services.add_task(None, open_meeting, title="Matrix-Aufgabe", owner=world.own_org, due_on=due)
    o["foreign_task"] = services.add_task(
        None, open_meeting, title="Fremdaufgabe", owner=world.other_org, due_on=due
    )
    o["news"] = NewsItem.objects.filter(published_at__isnull=False).first() or NewsItem.objects.first()
    o["photo"] = Photo.objects.first()
    o["public_material"] = Material.objects.filter(visibility=Material.Visibility.PUBLIC).first()
    o["internal_material"] = Material.objects.filter(visibility=Material.Visibility.INTERNAL).first()
    o["version"] = AgreementVersion.objects.order_by("number").first()
    o["accession"] = Accession.objects.first()
    o["working_group"] = WorkingGroup.objects.first()


def _meeting(**extra):
    return {"allow": STAFF, "kwargs": lambda w: {"meeting_id": w.objects["meeting"].pk}, **extra}


def _manage_meeting(post_only=False):
    entry = {"allow": KOORDINATION, "kwargs": lambda w: {"meeting_id": w.objects["meeting"].pk}}
    if post_only:
        entry["post_only"] = True
    return entry


def _version(allow=STAFF, post_only=False):
    entry = {"allow": allow, "kwargs": lambda w: {"number": w.objects["version"].number}}
    if post_only:
        entry["post_only"] = True
    return entry


EXPECTATIONS = {
    # public
    "network:home": {"allow": "public"},
    "network:agreement": {"allow": "public"},
    "network:agreement_pdf": {"allow": "public"},
    "network:material_download": {
        "allow": "public",
        "kwargs": lambda w: {"slug": w.objects["public_material"].slug},
        # internal material: members only
        "foreign_kwargs": lambda w: {"slug": w.objects["internal_material"].slug},
        "foreign_allow": STAFF,
    },
    "network:material_version_download": {
        "allow": "public",
        "kwargs": lambda w: {"slug": w.objects["public_material"].slug, "number": 1},
        "foreign_kwargs": lambda w: {"slug": w.objects["internal_material"].slug, "number": 1},
        "foreign_allow": STAFF,
    },
    "network:news_list": {"allow": "public"},
    "network:news_rss": {"allow": "public"},
    "network:news_atom": {"allow": "public"},
    "network:photo": {
        "allow": "public",
        "kwargs": lambda w: {"photo_id": w.objects["photo"].pk, "width": 320},
    },
    "network:news_detail": {"allow": "public", "kwargs": lambda w: {"slug": w.objects["news"].slug}},
    # members
    "network:staff_home": {"allow": STAFF},
    "network:partner_list": {"allow": STAFF},
    "network:partner_edit": {
        "allow": KOORDINATION,
        "kwargs": lambda w: {"slug": w.own_org.slug},
        "foreign_kwargs": lambda w: {"slug": w.other_org.slug},
        "foreign_allow": KOORDINATION,
    },
    "network:working_group_new": {"allow": KOORDINATION},
    "network:working_group_edit": {
        "allow": KOORDINATION,
        "kwargs": lambda w: {"slug": w.objects["working_group"].slug},
    },
    "network:version_list": {"allow": STAFF},
    "network:version_new": {"allow": KOORDINATION},
    "network:version_diff": {"allow": STAFF},
    "network:accession_new": {"allow": KOORDINATION},
    "network:accession_withdraw": {
        "allow": KOORDINATION,
        "kwargs": lambda w: {"accession_id": w.objects["accession"].pk},
    },
    "network:version_detail": _version(),
    "network:version_edit": _version(KOORDINATION),
    "network:version_publish": _version(KOORDINATION, post_only=True),
    "network:version_confirm": _version(KOORDINATION, post_only=True),
    "network:meeting_list": {"allow": STAFF},
    "network:meeting_new": {"allow": KOORDINATION},
    "network:meetings_ics": {"allow": STAFF},
    "network:meeting_detail": _meeting(),
    "network:meeting_edit": _manage_meeting(),
    "network:agenda_add": _manage_meeting(post_only=True),
    "network:agenda_remove": {
        "allow": KOORDINATION,
        "kwargs": lambda w: {"meeting_id": w.objects["meeting"].pk, "item_id": w.objects["agenda_item"].pk},
        "post_only": True,
    },
    "network:meeting_invite": _manage_meeting(post_only=True),
    "network:meeting_cancel": _manage_meeting(),
    "network:attendance_save": _manage_meeting(post_only=True),
    "network:minutes": _meeting(),
    "network:minutes_pdf": _meeting(),
    "network:meeting_ics": _meeting(),
    "network:task_status": {
        # the organisation the task is assigned to (Fachkraft and Moderation of the Kreisjugendamt)
        "allow": {"koordination", "fachkraft", "moderation"},
        "kwargs": lambda w: {"task_id": w.objects["task"].pk},
        "foreign_kwargs": lambda w: {"task_id": w.objects["foreign_task"].pk},
        "foreign_allow": {"koordination", "other_org"},  # the foreign task is assigned to other_org
        "post_only": True,
        # a real change of status, so that the permission check (not the form) has to refuse it
        "post_data": {"status": "done"},
    },
    "network:news_admin": {"allow": KOORDINATION},
    "network:news_new": {"allow": KOORDINATION},
    "network:news_edit": {"allow": KOORDINATION, "kwargs": lambda w: {"news_id": w.objects["news"].pk}},
    "network:photo_add": {
        "allow": KOORDINATION,
        "kwargs": lambda w: {"news_id": w.objects["news"].pk},
        "post_only": True,
    },
    "network:news_publish": {
        "allow": KOORDINATION,
        "kwargs": lambda w: {"news_id": w.objects["news"].pk},
        "post_only": True,
    },
    "network:photo_edit": {"allow": KOORDINATION, "kwargs": lambda w: {"photo_id": w.objects["photo"].pk}},
    "network:material_list": {"allow": STAFF},
    "network:material_new": {"allow": KOORDINATION},
    "network:material_edit": {
        "allow": KOORDINATION,
        "kwargs": lambda w: {"slug": w.objects["internal_material"].slug},
    },
}

API = {
    "GET /api/v1/news/": {"allow": "public"},
    "GET /api/v1/news/{slug}/": {"allow": "public", "kwargs": lambda w: {"slug": w.objects["news"].slug}},
    "GET /api/v1/network-meetings/": {"allow": STAFF},
    "GET /api/v1/network-meetings/{id}/": {
        "allow": STAFF,
        "kwargs": lambda w: {"id": w.objects["meeting"].pk},
    },
}
