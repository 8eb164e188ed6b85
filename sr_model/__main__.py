"""``python -m sr_model`` entry point (see ``sr_model.cli``)."""
import sys

from .cli import main

sys.exit(main())
