"""Public page views: one module per kind of response; shared helpers in goals.public.rendering."""
