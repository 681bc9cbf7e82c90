"""REST endpoints of this module; registered on the /api/v1/ router.

``/api/v1/cases/`` and ``/api/v1/actions/`` are read through ``queries.py`` and so
scoped exactly like the pages: a case outside the user's scope answers 404.
Cases show no identities here; partners integrate numbers, status, risk and actions.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from schutznetz.cases import queries, services
from schutznetz.cases.models import Action, ActionReview, ActionStatus, Case, RiskBand
from schutznetz.core.access_log import log_access_many
from schutznetz.core.forms import LONG_TEXT_MAX_LENGTH


class CaseSerializer(serializers.ModelSerializer):
    lead_organisation = serializers.CharField(source="lead_organisation.name", read_only=True)
    bringing_organisation = serializers.CharField(source="bringing_organisation.name", read_only=True)
    sections = serializers.SerializerMethodField()
    # Declared so the schema admits "" (not yet assessed): read-only model fields lose allow_blank.
    risk_band = serializers.ChoiceField(choices=RiskBand.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id", "number", "category", "status", "municipality", "risk_band", "is_repeat",
            "bringing_organisation", "lead_organisation", "created_at", "closed_at", "last_conferenced_on",
            "sections",
        ]  # fmt: skip
        read_only_fields = fields

    def get_sections(self, case) -> list[str]:
        access = getattr(case, "access", None)
        return sorted(access.sections) if access else []


class ActionSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.number", read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    # "" until the action is reviewed at the next conference.
    review = serializers.ChoiceField(choices=ActionReview.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Action
        fields = ["id", "case", "description", "organisation", "responsible_person", "due_date", "status",
                  "outcome", "completed_on", "review"]  # fmt: skip
        read_only_fields = ["id", "case", "description", "organisation", "responsible_person", "due_date",
                            "completed_on", "review"]  # fmt: skip


class ActionUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    outcome = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=LONG_TEXT_MAX_LENGTH
    )


@extend_schema_view(
    list=extend_schema(summary="Fälle, an denen die eigene Organisation beteiligt ist"),
    retrieve=extend_schema(summary="Ein Fall (404, wenn nicht beteiligt)"),
)
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CaseSerializer
    queryset = Case.objects.none()
    lookup_value_regex = r"[0-9]+"  # "abc" is no case: 404 from the router, not a database error

    def get_queryset(self):
        return queries.cases_for(self.request.user).order_by("-created_at", "-id")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        cases = queries.annotate_access(request.user, page)
        log_access_many(request.user, cases, purpose="api_list")
        return self.get_paginated_response(self.get_serializer(cases, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        case = queries.access_case(request.user, kwargs["pk"], purpose="api")
        return Response(self.get_serializer(case).data)


@extend_schema_view(
    list=extend_schema(summary="Maßnahmen in Fällen, deren Maßnahmen die eigene Organisation sehen darf"),
    retrieve=extend_schema(summary="Eine Maßnahme"),
    partial_update=extend_schema(
        summary="Status und Ergebnis einer Maßnahme der eigenen Organisation", request=ActionUpdateSerializer
    ),
)
class ActionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    serializer_class = ActionSerializer
    queryset = Action.objects.none()
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return queries.actions_for(self.request.user).order_by("due_date", "id")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        queries.log_action_reads(request.user, page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(queries.access_action(request.user, kwargs["pk"])).data)

    def partial_update(self, request, *args, **kwargs):
        action = queries.access_action(request.user, kwargs["pk"])
        data = ActionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.update_action(
                request.user,
                action,
                status=data.validated_data["status"],
                outcome=data.validated_data["outcome"],
            )
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            raise ApiValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc
        return Response(self.get_serializer(action).data, status=status.HTTP_200_OK)


def register(router):
    router.register("cases", CaseViewSet, basename="case")
    router.register("actions", ActionViewSet, basename="action")
