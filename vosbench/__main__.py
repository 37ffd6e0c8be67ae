import sys

from vosbench.cli import main

sys.exit(main())
