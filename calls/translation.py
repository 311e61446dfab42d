"""The calls' titles, summaries and descriptions and their milestones in French and English
(django-modeltranslation, French by default and as the fallback; see ``poles/translation.py``)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Call, Milestone


@register(Call)
class CallTranslation(TranslationOptions):
    fields = ("title", "summary", "description")
    required_languages = ("fr",)


@register(Milestone)
class MilestoneTranslation(TranslationOptions):
    fields = ("label",)
    required_languages = ("fr",)
