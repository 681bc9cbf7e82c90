import pytest

from schutznetz.core.pdf import _fetcher, render_pdf


def test_pdf_renders():
    assert render_pdf("core/pdf/base.html", {}).startswith(b"%PDF-")


def test_fetcher_loads_only_own_static_files():
    fetcher = _fetcher()
    response = fetcher("/static/core/schutznetz.css")
    try:
        assert response.read()
    finally:
        response.close()
    for url in ("http://example.org/tracker.png", "https://127.0.0.1/x.css", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="nicht laden"):
            fetcher(url)


def test_a_pdf_declares_the_language_it_is_written_in():
    # The language drives hyphenation in the PDF and what a screen reader speaks.
    from django.template.loader import render_to_string
    from django.utils import translation

    for language in ("de", "en"):
        with translation.override(language):
            assert f'<html lang="{language}">' in render_to_string("core/pdf/base.html", {})
