from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api import TokenView, UnitViewSet
from chambers.api import ChamberViewSet, ContactViewSet
from projects.api import ActivityViewSet, DeliveryViewSet, EventViewSet, IndustryViewSet, ParcelViewSet, ProjectViewSet
from targets.api import IndicatorViewSet, ReportViewSet, TargetViewSet, UnitGroupViewSet

admin.site.site_header = "InvestPro 招商引资管理系统"
admin.site.site_title = "InvestPro"
admin.site.index_title = "管理后台"

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("industries", IndustryViewSet, basename="industry")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("projects", ProjectViewSet, basename="project")
router.register("deliveries", DeliveryViewSet, basename="delivery")
router.register("activities", ActivityViewSet, basename="activity")
router.register("chambers", ChamberViewSet, basename="chamber")
router.register("contacts", ContactViewSet, basename="contact")
router.register("events", EventViewSet, basename="event")
router.register("targets", TargetViewSet, basename="target")
router.register("unit-groups", UnitGroupViewSet, basename="unit-group")
router.register("reports", ReportViewSet, basename="report")
router.register("parcels", ParcelViewSet, basename="parcel")

urlpatterns = [
    path("", include("operations.urls")),  # /healthz
    # The bureau's pages: the 工作台 and the leaders' home, the board, chambers and events, reminders.
    path("", include("workspace.urls")),
    path("projects/", include("projects.urls")),
    # Published ready land for investors, no sign-in: in Chinese, and in English under /en/.
    path("land/", include("land.urls")),
    path("en/land/", include(("land.urls", "land"), namespace="land_en"), {"language": "en"}),
    path("import/", include("ledgers.urls")),  # the Excel import of the units' ledgers
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

# A URL under /api/ that no route matches is answered in JSON, as the API's other errors are.
handler404 = "core.http.not_found"
