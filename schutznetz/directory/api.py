"""Public read-only API of the directory: ``/api/v1/offers/`` (HSDS 3.0 shaped JSON).

Takes the help finder's filters (``q``, ``ort``, ``art``, ``zielgruppe``, ``sprache``,
``barrierefrei``, ``jetzt_offen``, ``umkreis``), ranks like the finder, pages with
``limit``/``offset``. Anonymous, throttled, no session: no cookie is ever set.
Protected addresses are never part of the answer.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from schutznetz.directory import hsds, queries, taxonomy
from schutznetz.directory.models import Municipality


class HsdsServiceSerializer(serializers.Serializer):
    """An HSDS 3.0 service with organization, locations, phones, schedules and taxonomy attributes."""

    id = serializers.UUIDField(help_text="HSDS-Id des Angebots")
    organization_id = serializers.UUIDField()
    name = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField()
    url = serializers.URLField(required=False)
    email = serializers.EmailField(required=False)
    assured_date = serializers.DateField(required=False, help_text="zuletzt geprüft")
    organization = serializers.JSONField()
    phones = serializers.ListField(child=serializers.JSONField())
    schedules = serializers.ListField(child=serializers.JSONField())
    service_areas = serializers.ListField(child=serializers.JSONField())
    languages = serializers.ListField(child=serializers.JSONField())
    cost_options = serializers.ListField(child=serializers.JSONField())
    service_at_locations = serializers.ListField(child=serializers.JSONField())
    attributes = serializers.ListField(child=serializers.JSONField())
    schutznetz = serializers.JSONField(help_text="Angaben ohne HSDS-Feld (anonym, Termin, Familienplätze …)")
    match = serializers.JSONField(
        required=False, help_text="Warum das Angebot passt (nur in Suchergebnissen)"
    )

    def to_representation(self, instance):
        offer, match = instance if isinstance(instance, tuple) else (instance, None)
        data = hsds.offer_to_hsds(offer, self.context.get("municipality_names"))
        if match is not None:
            data["match"] = match
        return data


FILTERS = [
    OpenApiParameter(
        "q",
        str,
        description="Freitext (tippfehlertolerant); ohne ort gilt eine Gemeinde oder Postleitzahl darin als ort",
    ),
    OpenApiParameter(
        "ort", str, description="Gemeinde oder Postleitzahl (ganz); ein leicht vertippter Name wird erkannt"
    ),
    OpenApiParameter("art", str, enum=list(taxonomy.KINDS), description="Art der Hilfe (schutznetz-art)"),
    OpenApiParameter(
        "zielgruppe", str, enum=list(taxonomy.TARGET_GROUPS), description="Zielgruppe (schutznetz-zielgruppe)"
    ),
    OpenApiParameter("sprache", str, enum=list(taxonomy.LANGUAGES), description="Sprache (ISO 639-1)"),
    OpenApiParameter("barrierefrei", OpenApiTypes.BOOL, description="nur barrierefreie Angebote (1)"),
    OpenApiParameter("jetzt_offen", OpenApiTypes.BOOL, description="nur jetzt erreichbare Angebote (1)"),
    OpenApiParameter("umkreis", int, description="Umkreis in km um den Ort (Standard 30)"),
]


class PublicThrottle(AnonRateThrottle):
    scope = "anon"


@extend_schema_view(
    list=extend_schema(summary="Hilfeangebote suchen (HSDS 3.0)", parameters=FILTERS, tags=["Hilfeangebote"]),
    retrieve=extend_schema(summary="Ein Hilfeangebot (HSDS 3.0)", tags=["Hilfeangebote"]),
)
class OfferViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = HsdsServiceSerializer
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [PublicThrottle, UserRateThrottle]
    pagination_class = LimitOffsetPagination
    lookup_field = "hsds_id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        return (
            queries.public_offers().select_related("provider", "municipality").prefetch_related("schedules")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["municipality_names"] = dict(Municipality.objects.values_list("slug", "name"))
        return context

    def list(self, request, *args, **kwargs):
        params = queries.place_in_text(queries.FinderParams.from_query(request.query_params))
        _place, ranked, _problems = queries.ranked_offers(params)
        page = queries.load_page(self.paginate_queryset(ranked))
        items = [
            (
                r.offer,
                {
                    "score": round(r.score, 2),
                    "distance_km": round(r.distance_km, 1)
                    if r.distance_km is not None and not r.offer.address_protected
                    else None,
                    "reasons": [str(x) for x in r.reasons],
                },
            )
            for r in page
        ]
        return self.get_paginated_response(self.get_serializer(items, many=True).data)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


def register(router):
    router.register("offers", OfferViewSet, basename="offers")
