"""`python -m newscrawl`: the `newscrawl` command."""

import sys

from newscrawl.cli import main

sys.exit(main())
