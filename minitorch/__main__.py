"""``python -m minitorch train ...``: the main job (see ``minitorch.cli``)."""
import sys

from .cli import main

sys.exit(main())
