"""REST endpoints of this module; registered on the /api/v1/ router.

``/api/v1/events/`` lists the events the user manages with their booking
figures (no personal data); participants stay on the staff pages, where each
read is logged.
"""

from rest_framework import serializers, viewsets

from schutznetz.events import queries
from schutznetz.events.models import Event, ProgrammeItem


class ProgrammeItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgrammeItem
        fields = ["id", "kind", "title", "starts_at", "ends_at", "room", "capacity"]


class EventSerializer(serializers.ModelSerializer):
    organiser = serializers.CharField(source="organiser.name", read_only=True)
    confirmed = serializers.IntegerField(read_only=True)
    pending = serializers.IntegerField(read_only=True)
    waitlist = serializers.IntegerField(read_only=True)
    checked_in = serializers.IntegerField(read_only=True)
    programme = ProgrammeItemSerializer(many=True, read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "title",
            "slug",
            "starts_at",
            "ends_at",
            "venue_name",
            "venue_city",
            "organiser",
            "capacity",
            "is_published",
            "confirmed",
            "pending",
            "waitlist",
            "checked_in",
            "programme",
        ]


class EventViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = EventSerializer
    queryset = Event.objects.none()  # for the schema; requests use the user's scope

    def get_queryset(self):
        return queries.events_for(self.request.user).prefetch_related("programme").order_by("starts_at")


def register(router):
    router.register("events", EventViewSet, basename="events")
