from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from .models import Call


def call_list(request):
    return HttpResponse("TODO")


def call_detail(request, slug):
    get_object_or_404(Call, slug=slug)
    return HttpResponse("TODO")
