"""Django's command line for the Django-Bolt app: `python -m manage runbolt …` starts Bolt's Rust server."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
