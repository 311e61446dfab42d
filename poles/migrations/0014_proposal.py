# Visitors' proposals of missing poles (poles.leadership.proposals), in the chain of #12.
import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("poles", "0013_region_outlines"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PoleProposal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        max_length=200,
                        validators=[
                            django.core.validators.RegexValidator(
                                "[\\x00-\\x1f\\x7f]",
                                "Écrivez ce champ sur une seule ligne, sans caractère de contrôle.",
                                code="not_single_line",
                                inverse_match=True,
                            )
                        ],
                        verbose_name="nom du pôle",
                    ),
                ),
                (
                    "commune_code",
                    models.CharField(
                        blank=True,
                        max_length=5,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^(?:[0-9]{5}|2[AB][0-9]{3})$",
                                "Un code commune INSEE compte cinq caractères : 5 chiffres, ou 2A/2B suivis de 3 chiffres en Corse (par exemple 75056 ou 2A004).",
                                code="invalid_commune_code",
                            )
                        ],
                        verbose_name="code commune INSEE",
                    ),
                ),
                (
                    "commune_name",
                    models.CharField(
                        blank=True,
                        max_length=150,
                        validators=[
                            django.core.validators.RegexValidator(
                                "[\\x00-\\x1f\\x7f]",
                                "Écrivez ce champ sur une seule ligne, sans caractère de contrôle.",
                                code="not_single_line",
                                inverse_match=True,
                            )
                        ],
                        verbose_name="commune",
                    ),
                ),
                (
                    "summary",
                    models.CharField(
                        blank=True, max_length=400, verbose_name="présentation en quelques phrases"
                    ),
                ),
                ("website", models.URLField(blank=True, verbose_name="site web")),
                (
                    "proposer_name",
                    models.CharField(
                        max_length=150,
                        validators=[
                            django.core.validators.RegexValidator(
                                "[\\x00-\\x1f\\x7f]",
                                "Écrivez ce champ sur une seule ligne, sans caractère de contrôle.",
                                code="not_single_line",
                                inverse_match=True,
                            )
                        ],
                        verbose_name="nom et prénom",
                    ),
                ),
                (
                    "proposer_role",
                    models.CharField(
                        blank=True,
                        max_length=150,
                        validators=[
                            django.core.validators.RegexValidator(
                                "[\\x00-\\x1f\\x7f]",
                                "Écrivez ce champ sur une seule ligne, sans caractère de contrôle.",
                                code="not_single_line",
                                inverse_match=True,
                            )
                        ],
                        verbose_name="rôle",
                    ),
                ),
                ("proposer_email", models.EmailField(max_length=254, verbose_name="e-mail")),
                ("message", models.TextField(blank=True, max_length=2000, verbose_name="message")),
                (
                    "consents_to_contact",
                    models.BooleanField(default=False, verbose_name="accepte d'être contacté(e)"),
                ),
                (
                    "wants_to_lead",
                    models.BooleanField(
                        default=False, verbose_name="souhaite porter la fiche du pôle"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("unconfirmed", "Adresse e-mail à confirmer"),
                            ("pending", "En attente"),
                            ("created", "Acceptée : pôle créé"),
                            ("merged", "Rattachée à un pôle existant"),
                            ("refused", "Refusée"),
                        ],
                        default="unconfirmed",
                        max_length=12,
                        verbose_name="état",
                    ),
                ),
                ("token_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="reçue le")),
                (
                    "link_sent_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now,
                        verbose_name="lien de confirmation envoyé le",
                    ),
                ),
                (
                    "confirmed_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="adresse confirmée le"
                    ),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="traitée le"),
                ),
                ("refusal_message", models.TextField(blank=True, verbose_name="message de refus")),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="traitée par",
                    ),
                ),
                (
                    "invitation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="poles.invitation",
                        verbose_name="invitation envoyée",
                    ),
                ),
                (
                    "pole",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="proposals",
                        to="poles.pole",
                        verbose_name="pôle créé ou rattaché",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="poles.region",
                        verbose_name="région",
                    ),
                ),
                (
                    "sectors",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to="poles.sector",
                        verbose_name="secteurs d'activité",
                    ),
                ),
            ],
            options={
                "verbose_name": "proposition de pôle",
                "verbose_name_plural": "propositions de pôles",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(fields=["status", "-created_at"], name="proposal_status_created")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        django.db.models.functions.text.Lower("proposer_email"),
                        django.db.models.functions.text.Lower("name"),
                        condition=models.Q(("status__in", ["unconfirmed", "pending"])),
                        name="proposal_one_open_per_email_and_name",
                        violation_error_message="Une proposition de ce pôle avec cette adresse e-mail est déjà en attente.",
                    )
                ],
            },
        ),
    ]
