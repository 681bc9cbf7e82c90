from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from schutznetz.accounts import queries, services
from schutznetz.accounts.forms import AcceptInvitationForm, InvitationForm
from schutznetz.accounts.middleware import session_seconds_left, skip_session_renewal
from schutznetz.accounts.models import Invitation
from schutznetz.core.access import get_scoped_or_404


@login_required
def user_list(request):
    if not request.user.has_perm("accounts.manage_own_users") and not request.user.has_role("koordination"):
        raise PermissionDenied
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_user(
                request.user,
                request.user.organisation,
                form.cleaned_data["email"],
                form.cleaned_data["roles"],
            )
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, exc.messages if hasattr(exc, "messages") else str(exc))
        else:
            messages.success(request, _("Die Einladung wurde verschickt."))
            return redirect("accounts:users")
    return render(
        request,
        "accounts/user_list.html",
        {
            "users": queries.manageable_users(request.user),
            "invitations": queries.open_invitations(request.user),
            "form": form,
        },
    )


@login_required
@require_POST
def deactivate(request, user_id):
    user = get_scoped_or_404(queries.manageable_users(request.user), pk=user_id)
    services.deactivate_user(request.user, user)
    messages.success(request, _("Der Zugang wurde deaktiviert."))
    return redirect("accounts:users")


def accept_invitation(request, token):
    invitation = get_object_or_404(Invitation, token=token)
    if not invitation.is_open:
        return render(request, "accounts/invitation_closed.html", status=410)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.accept_invitation(
                invitation,
                username=data["username"],
                password=data["password"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Ihr Zugang ist eingerichtet. Bitte melden Sie sich an."))
            return redirect("account_login")
    return render(request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation})


@login_required
@require_http_methods(["GET", "POST"])
def session_status(request):
    """Seconds left before the idle timeout (GET, which does not count as activity), or stay
    signed in (POST). Asked by the warning before the timeout (core/static/core/schutznetz.js):
    WCAG 2.2.1 wants a time limit announced and extendable with one action."""
    if request.method == "GET":
        skip_session_renewal(request)
        seconds_left = session_seconds_left(request.session, renewing=False)
    else:
        request.session.modified = True  # saved on the way out, and so stamped and renewed
        seconds_left = settings.SESSION_COOKIE_AGE
    return JsonResponse({"seconds_left": seconds_left})
