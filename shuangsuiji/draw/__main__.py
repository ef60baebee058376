"""`python -m shuangsuiji.draw`, the same as the `shuangsuiji` command."""

import sys

from .cli import main

sys.exit(main())
