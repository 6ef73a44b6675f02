from hwb_tui.cli import main

raise SystemExit(main())
