from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db.models import Q

from poles.models import Region, RegionalCurator
from ptce_site.curators import CURATORS_GROUP, REGIONAL_CURATORS_GROUP


class Command(BaseCommand):
    help = (
        "Crée (ou complète) un compte de l'équipe du registre (is_staff), dans le groupe "
        "« Curators », sans être superutilisateur ; avec --region (une ou plusieurs fois), un "
        "compte d'animation régionale, dans le groupe « Regional curators », limité à ces "
        "régions. Le mot de passe est demandé, ou lu dans la variable d'environnement "
        "CURATOR_PASSWORD."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("email")
        parser.add_argument(
            "--region",
            action="append",
            default=[],
            dest="regions",
            help="Code INSEE, identifiant ou nom d'une région actuelle (répétable).",
        )
        parser.add_argument(
            "--organisation",
            default="",
            help="L'organisation régionale (par exemple « CRESS Bretagne »), nommée sur la "
            "page publique de ses régions.",
        )

    def handle(self, *args, username: str, email: str, regions=(), organisation="", **options):
        import getpass
        import os

        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"« {email} » n'est pas une adresse e-mail valide.") from None
        regions = [self.region(value) for value in regions]
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": email, "is_staff": True}
        )
        password = os.environ.get("CURATOR_PASSWORD")
        if created or password:
            if password is None:
                try:
                    password = getpass.getpass("Mot de passe : ")
                except (EOFError, KeyboardInterrupt):  # no terminal to ask on (cron, CI…)
                    if created:
                        user.delete()
                    raise CommandError(
                        "Aucun mot de passe saisi : donnez-le dans la variable d'environnement "
                        "CURATOR_PASSWORD."
                    ) from None
            try:
                validate_password(password, user)
            except ValidationError as error:
                if created:
                    user.delete()
                raise CommandError(" ".join(error.messages)) from None
            user.set_password(password)
        user.email = email
        user.is_staff = True
        user.save()
        verb = "créé" if created else "mis à jour"
        if not regions:
            user.groups.add(Group.objects.get(name=CURATORS_GROUP))
            text = f"Compte de l'équipe du registre « {username} » {verb}."
            self.stdout.write(self.style.SUCCESS(text))
            return
        # A regional curator is no national one: the regions limit what it sees.
        user.groups.remove(Group.objects.get(name=CURATORS_GROUP))
        user.groups.add(Group.objects.get(name=REGIONAL_CURATORS_GROUP))
        profile, _ = RegionalCurator.objects.get_or_create(user=user)
        if organisation:
            profile.organisation_name = " ".join(organisation.split())
            profile.save()
        profile.regions.add(*regions)
        names = ", ".join(region.name for region in profile.regions.all())
        text = f"Compte d'animation régionale « {username} » {verb} ; régions : {names}."
        self.stdout.write(self.style.SUCCESS(text))

    @staticmethod
    def region(value: str) -> Region:
        text = value.strip()
        found = Region.objects.filter(
            Q(code=text) | Q(slug=text.lower()) | Q(name__iexact=text)
        ).first()
        if found is None:
            raise CommandError(f"Aucune région « {value} » (code INSEE, identifiant ou nom).")
        return found
