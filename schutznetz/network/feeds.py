"""RSS 2.0 and Atom feeds of the published news ("Aktuelles")."""

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from schutznetz.network import queries


class NewsFeed(Feed):
    feed_type = Rss201rev2Feed
    language = "de"

    def title(self):
        return f"Aktuelles – {settings.SCHUTZNETZ_NETWORK_NAME}"

    def description(self):
        return "Meldungen und Pressemitteilungen des Netzwerks gegen häusliche Gewalt und für Kinderschutz."

    subtitle = description

    def link(self):
        return reverse("network:news_list")

    def author_name(self):
        return settings.SCHUTZNETZ_NETWORK_NAME

    def items(self):
        return queries.published_news()[:30]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.lead

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"{settings.SCHUTZNETZ_SITE_URL}{item.get_absolute_url()}"

    item_guid_is_permalink = True

    def item_pubdate(self, item):
        return timezone.make_aware(datetime.datetime.combine(item.published_on, datetime.time(9, 0)))

    def item_updateddate(self, item):
        return max(item.updated_at, self.item_pubdate(item))

    def item_author_name(self, item):
        return settings.SCHUTZNETZ_NETWORK_NAME


class AtomNewsFeed(NewsFeed):
    feed_type = Atom1Feed

    def link(self):
        return reverse("network:news_list")
