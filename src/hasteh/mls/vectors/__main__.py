"""`python -m hasteh.mls.vectors FILE...`"""

from hasteh.mls.vectors import main

raise SystemExit(main())
