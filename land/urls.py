from django.urls import path

from . import views

app_name = "land"

urlpatterns = [
    path("", views.parcel_list, name="list"),
    path("<slug:code>/", views.parcel_detail, name="detail"),
    path("<slug:code>/manage/", views.parcel_manage, name="manage"),
    path("<slug:code>/reserve/", views.parcel_reserve_view, name="reserve"),
    path("<slug:code>/release/", views.parcel_release_view, name="release"),
]
