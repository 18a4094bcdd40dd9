from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from goals.models import Plan


def home(request: HttpRequest) -> HttpResponse:
    plan = Plan.objects.order_by("-year").first()
    return render(request, "goals/home.html", {"plan": plan})
