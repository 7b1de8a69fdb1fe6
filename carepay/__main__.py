"""`python -m carepay ...` is the `carepay` command."""

import sys

from carepay.cli import main

sys.exit(main())
