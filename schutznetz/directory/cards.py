"""Result cards of the public help finder, rendered in Python.

Twenty cards through Django's template engine (a node per tag, an include per traffic
light) cost more than the whole search; plain string building produces the same markup
for a fraction of that. Every value is escaped with ``html.escape`` (quotes included, as
Django's ``escape`` does). The traffic light mirrors ``directory/_light.html``.
"""

import functools
from html import escape
from urllib.parse import urlencode

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

PLACEHOLDER = "00000000-0000-0000-0000-000000000000"
PHONE_NOISE = str.maketrans("", "", " /-")
# Bound for a finder index's card memo: a national directory's most-shown offers, a few MB.
CARD_MEMO_SIZE = 20_000
LIGHT = '<span class="sn-traffic-light sn-traffic-light--{}" aria-hidden="true"></span> '


def light_html(light, report):
    """The traffic light of a shelter (escaped HTML, same markup as ``directory/_light.html``).

    ``_()`` stays outside f-strings so that makemessages finds every message."""
    if light == "green":
        reported = ""
        if report is not None:
            time = timezone.localtime(report.reported_at).strftime("%H:%M")
            reported = " (" + escape(_("gemeldet um %(time)s Uhr") % {"time": time}) + ")"
        free, call = escape(_("Plätze frei")), escape(_("bitte anrufen"))
        return f"{LIGHT.format('green')}{free}{reported} – {call}"
    if light == "red":
        text = _("Zurzeit keine Aufnahme möglich – bitte trotzdem anrufen, man hilft weiter")
        return LIGHT.format("red") + escape(text)
    return LIGHT.format("grey") + escape(_("Keine aktuelle Meldung – bitte anrufen"))


def card_parts(offer, detail_url, labels):
    """The parts of a card that only depend on the offer and the language: the heading split
    where the link's query goes (the search it came from, see ``cards_html``), its rest with
    provider and place, and the phone line."""
    town = offer.municipality__name
    if offer.address_protected:
        where = f"{labels['protected']}, {escape(town)}" if town else labels["protected"]
    else:
        where = escape(offer.city or town or "")
    head = (
        '<li class="kern-card"><div class="kern-card__container"><div class="kern-card__body kern-stack-sm">'
        f'<h3 class="kern-title"><a class="kern-link" href="{escape(detail_url.replace(PLACEHOLDER, str(offer.hsds_id)))}'
    )
    rest = (
        f'">{escape(offer.name)}</a>'
        f"{labels['fictional'] if offer.is_fictional else ''}</h3>"
        f'<p class="kern-body">{escape(offer.provider__name)} · {where}</p>'
    )
    phone = ""
    if offer.phone:
        phone = (
            f'<p class="kern-body">{labels["phone"]}: <a class="kern-link" href="tel:'
            f'{escape(offer.phone.translate(PHONE_NOISE))}">{escape(offer.phone)}</a>'
            f"{labels['always'] if offer.is_24_7 else ''}</p>"
        )
    return head, rest, phone


def card_html(item, detail_url, labels, memo=None, language=None, query=""):
    """One result card; ``item.offer`` is a display row from ``queries.load_cards``.

    Built with ``html.escape`` on every value (Django's ``escape`` does the same, through a
    lazy-aware wrapper that costs more than the card itself); ``labels`` are already escaped.
    ``memo`` (the finder index's, keyed by offer, language and link pattern) keeps ``card_parts``.
    ``query`` (escaped, "?…" or empty) is added to the offer link; it is not part of the memo.
    """
    offer = item.offer
    if memo is None:
        head, rest, phone = card_parts(offer, detail_url, labels)
    else:
        key = (offer.pk, language, detail_url)
        parts = memo.get(key)
        if parts is None:
            if len(memo) >= CARD_MEMO_SIZE:
                memo.clear()
            parts = memo[key] = card_parts(offer, detail_url, labels)
        head, rest, phone = parts
    parts = [head, query, rest]
    if offer.light:
        parts.append(f'<p class="kern-body">{light_html(offer.light, offer.latest_report)}</p>')
    parts.append(phone)
    if item.reasons:
        reasons = " · ".join(escape(str(reason)) for reason in item.reasons)
        parts.append(
            f'<p class="kern-body sn-reasons"><span class="kern-label">{labels["why"]}:</span> {reasons}</p>'
        )
    parts.append("</div></div></li>")
    return "".join(parts)


@functools.lru_cache(maxsize=64)
def _labels(language, script_prefix, urlconf):
    """The escaped labels and the detail link pattern of one language, translated and reversed
    once per worker (the arguments are the cache key: what ``_`` and ``reverse`` depend on)."""
    fictional, always = escape(_("Beispiel (fiktiv)")), escape(_("rund um die Uhr"))
    return reverse("directory:offer_detail", args=[PLACEHOLDER]), {
        "fictional": f' <span class="kern-badge">{fictional}</span>',
        "protected": escape(_("Adresse geschützt")),
        "phone": escape(_("Telefon")),
        "always": f" ({always})",
        "why": escape(_("Warum dieses Ergebnis")),
    }


def cards_html(items, memo=None, search=()):
    """All cards of a result page (safe HTML). ``memo``: see ``card_html``.

    ``search``: the (name, value) pairs of the search shown (``FinderParams.as_query``); each
    offer link carries them, so that the offer page's "Zurück zur Suche" leads back to it."""
    language = get_language()
    detail_url, labels = _labels(language, get_script_prefix(), get_urlconf())
    query = escape("?" + urlencode(search)) if search else ""
    return mark_safe("".join(card_html(item, detail_url, labels, memo, language, query) for item in items))  # noqa: S308
