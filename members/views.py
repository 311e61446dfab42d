from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from .models import Organisation


def organisation_list(request):
    return HttpResponse("TODO")


def organisation_detail(request, slug):
    get_object_or_404(Organisation, slug=slug)
    return HttpResponse("TODO")
