"""Who may reach the statistics pages (read by tests/test_authorization_matrix.py; format: tests/access_matrix.py).

Every member with an organisation sees the statistics (with disclosure control); only the
Koordination orders an annual report, and a report job is visible only to the person who ordered it.
"""


def setup(world):
    from schutznetz.accounts.models import Role
    from schutznetz.reports.models import ReportFormat, ReportJob
    from schutznetz.testing.factories import make_user

    def job(user):
        return ReportJob.objects.create(
            requested_by=user, year=2025, format=ReportFormat.values[0], status="done",
            content=b"%PDF-1.4 Bericht", filename="jahresbericht-2025.pdf",
        )  # fmt: skip

    other_koordination = make_user(
        "matrix-koordination-2",
        organisation=world.users["koordination"].organisation,
        roles=[Role.KOORDINATION],
    )
    world.objects["report_job"] = job(world.users["koordination"])
    world.objects["foreign_report_job"] = job(other_koordination)


def _job():
    return {
        "allow": {"koordination"},
        "kwargs": lambda w: {"job_id": w.objects["report_job"].pk},
        # another person's job: not even another Koordination user sees it
        "foreign_kwargs": lambda w: {"job_id": w.objects["foreign_report_job"].pk},
    }


EXPECTATIONS = {
    "reports:dashboard": {"allow": "staff"},
    "reports:annual_report": {"allow": {"koordination"}, "post_only": True},
    "reports:job": _job(),
    "reports:download": _job(),
}
