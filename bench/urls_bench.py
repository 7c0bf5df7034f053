"""The project's URLs plus the benchmark's floor: a trivial HTML page behind the same middleware,
session and sign-in check as every page (bench/pages_bench.py measures each page against it)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from iro_escalations.urls import urlpatterns as project_urlpatterns


@login_required
def floor(request):
    return HttpResponse("<!DOCTYPE html><html lang=en><title>Floor</title><p>Floor</p></html>")


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *project_urlpatterns]
