#!/usr/bin/env python
"""Django's command-line utility for schutznetz."""

import os
import sys


def main():
    if sys.argv[1:2] == ["generate_keys"]:
        # Answered before Django loads its settings: those need the very keys
        # an operator is about to create.
        from schutznetz.core.keys import generate_values

        for name, value in generate_values():
            print(f"{name}={value}")
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schutznetz.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
