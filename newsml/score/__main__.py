import sys

from newsml.score.cli import main

sys.exit(main())
