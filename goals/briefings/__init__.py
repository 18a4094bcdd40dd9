"""The 督查通报 briefing: its content, xlsx and PDF (build.py), the public 公示 and the staff
briefing (views.py); command briefing."""
