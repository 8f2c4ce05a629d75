"""``python -m experiments`` is the ``brain-vs-ann`` command."""

import sys

from experiments.cli import main

sys.exit(main())
