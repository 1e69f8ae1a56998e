"""`python -m core` is the same command as `fba-health`."""
from core.cli import main

raise SystemExit(main())
