"""`python -m pipeline` is the same program as `factcheck`."""

import sys

from pipeline.cli import main

sys.exit(main())
