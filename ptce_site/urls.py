from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Registre des PTCE — administration"
admin.site.site_title = "Registre des PTCE"
admin.site.index_title = "Curation du registre"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
