from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from goals.operations import views as operations

# Language is in the URL (/en/… for English, none for Chinese) so that public pages
# switch language with a plain link, carry no CSRF token and cache per URL.
urlpatterns = [
    path("admin/", admin.site.urls),
    # Browsers and feed readers ask for /favicon.ico whatever the page links to.
    path("favicon.ico", operations.favicon, name="favicon"),
    *i18n_patterns(path("", include("goals.urls")), prefix_default_language=False),
]

# With DEBUG off: the site's own error pages (Chinese, English under /en/), not Django's.
handler400 = "goals.operations.views.bad_request"
handler403 = "goals.operations.views.permission_denied"
handler404 = "goals.operations.views.page_not_found"
handler500 = "goals.operations.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
