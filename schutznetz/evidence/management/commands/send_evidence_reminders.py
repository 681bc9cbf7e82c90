from django.core.management.base import BaseCommand

from schutznetz.evidence import services, tasks


class Command(BaseCommand):
    help = (
        "Erinnert 60 Tage vor der Vernichtung – nur Personen, die einen sicheren Kanal gewählt haben. "
        "E-Mails gehen sofort hinaus, Anrufe erscheinen auf der Liste der verwahrenden Stelle. Wiederholbar."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Als Hintergrundaufgabe einreihen statt sofort auszuführen.",
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = tasks.send_evidence_reminders.enqueue()
            self.stdout.write(f"Aufgabe eingereiht: {result.id}")
            return
        counts = services.send_due_reminders()
        self.stdout.write(
            self.style.SUCCESS(
                f"Erinnerungen: {counts['email']} E-Mail(s) versandt, {counts['phone']} Anruf(e) auf die Liste gesetzt."
            )
        )
