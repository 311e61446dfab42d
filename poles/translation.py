"""The reference data, the chronology's events and the charter in French and English
(django-modeltranslation): ``name_fr``/``name_en`` beside ``name``. French is the default
and the fallback: an English page shows the French text where no English one was entered.
The objectives' labels are not stored: they are translated with the site's other strings
(``Objective.Code``, the locale catalogue)."""

from modeltranslation.translator import TranslationOptions, register

from .registry.charter.models import Charter
from .registry.events.models import Event
from .registry.models import Sector, SourceDocument


@register(Sector)
class SectorTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("fr",)


@register(SourceDocument)
class SourceDocumentTranslation(TranslationOptions):
    fields = ("title",)
    required_languages = ("fr",)


@register(Event)
class EventTranslation(TranslationOptions):
    fields = ("title", "description", "place")
    required_languages = ("fr",)


@register(Charter)
class CharterTranslation(TranslationOptions):
    fields = ("title", "description", "place")
    required_languages = ("fr",)
