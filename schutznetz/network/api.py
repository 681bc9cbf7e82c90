"""REST endpoints of the network module, registered on the /api/v1/ router.

- ``/api/v1/news/``: published news with photos (credit and usage terms always included), public.
- ``/api/v1/network-meetings/``: meetings with agenda, decisions and tasks, for members only.
"""

from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from schutznetz.network import queries
from schutznetz.network.models import AgendaItem, Decision, Meeting, NewsItem, Photo, Task
from schutznetz.network.text import render_markdown


class PhotoSerializer(serializers.ModelSerializer):
    renditions = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "alt_text", "caption", "credit", "usage_terms", "width", "height", "renditions"]

    def get_renditions(self, photo) -> list[dict]:
        request = self.context.get("request")
        return [
            {
                "width": r.width,
                "height": r.height,
                "url": request.build_absolute_uri(r.get_absolute_url()) if request else r.get_absolute_url(),
            }
            for r in photo.renditions.all()
        ]


class NewsSerializer(serializers.ModelSerializer):
    body_html = serializers.SerializerMethodField(help_text="Text als bereinigtes HTML")
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = NewsItem
        fields = ["slug", "title", "published_on", "lead", "body", "body_html", "press_contact", "photos"]

    def get_body_html(self, item) -> str:
        return str(render_markdown(item.body))


class NewsViewSet(viewsets.ReadOnlyModelViewSet):
    """Veröffentlichte Meldungen („Aktuelles“)."""

    serializer_class = NewsSerializer
    permission_classes = [AllowAny]
    authentication_classes = []  # public: no session, no cookie
    throttle_classes = [AnonRateThrottle]
    lookup_field = "slug"

    def get_queryset(self):
        return queries.published_news()


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["position", "title", "description"]


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "text", "agenda_item"]


class TaskSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = Task
        fields = ["id", "title", "owner", "due_on", "status", "agenda_item"]


class MeetingSerializer(serializers.ModelSerializer):
    body = serializers.CharField(source="body_label", read_only=True)
    agenda_items = AgendaItemSerializer(many=True, read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)
    tasks = TaskSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "body",
            "starts_at",
            "ends_at",
            "location",
            "status",
            "cancellation_reason",
            "agenda_items",
            "decisions",
            "tasks",
        ]


class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    """Sitzungen des Netzwerks und der Arbeitskreise (nur für Mitglieder)."""

    serializer_class = MeetingSerializer
    permission_classes = [IsAuthenticated]
    throttle_classes = [UserRateThrottle]

    def get_queryset(self):
        return (
            queries.meetings_for(self.request.user)
            .prefetch_related("agenda_items", "decisions", "tasks__owner")
            .order_by("-starts_at")
        )


def register(router):
    router.register("news", NewsViewSet, basename="news")
    router.register("network-meetings", MeetingViewSet, basename="network-meeting")
