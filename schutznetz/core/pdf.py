"""PDFs from Django templates with WeasyPrint.

Only our own static files may be fetched while rendering: a template never
makes the server reach out to another host.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML

try:  # WeasyPrint ≥ 68: fetchers are URLFetcher objects
    from weasyprint.urls import URLFetcher
except ImportError:  # pragma: no cover - older WeasyPrint: plain functions
    URLFetcher = None
    from weasyprint import default_url_fetcher


def _local_url(url):
    """The file:// URL of one of our static files, or an error for anything else."""
    if url.startswith("data:"):
        return url
    if url.startswith(settings.STATIC_URL) or url.startswith("file://"):
        relative = url.removeprefix("file://").removeprefix(settings.STATIC_URL)
        found = finders.find(relative) if not Path(relative).is_absolute() else None
        if found is None:
            candidate = Path(url.removeprefix("file://"))
            static_root = Path(settings.STATIC_ROOT).resolve()
            if candidate.is_absolute() and candidate.resolve().is_relative_to(static_root):
                found = str(candidate)
        if found:
            return Path(found).resolve().as_uri()
    raise ValueError(f"PDF-Vorlage darf {url!r} nicht laden.")


if URLFetcher is not None:

    class LocalFetcher(URLFetcher):
        """Fetches only our own static files and data: URLs; never the network."""

        def __init__(self):
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)

        def fetch(self, url, headers=None):
            return super().fetch(_local_url(url), headers)

    def _fetcher():
        return LocalFetcher()

else:  # pragma: no cover

    def _local_fetcher(url, *args, **kwargs):
        return default_url_fetcher(_local_url(url), *args, **kwargs)

    def _fetcher():
        return _local_fetcher


def render_pdf(template_name, context=None) -> bytes:
    html = render_to_string(template_name, context or {})
    return HTML(string=html, base_url=settings.STATIC_URL, url_fetcher=_fetcher()).write_pdf()


def pdf_response(template_name, context, filename, inline=False):
    response = HttpResponse(render_pdf(template_name, context), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
