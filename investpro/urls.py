from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "InvestPro 招商引资管理系统"
admin.site.site_title = "InvestPro"
admin.site.index_title = "管理后台"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False), name="home"),
    path("admin/", admin.site.urls),
]
