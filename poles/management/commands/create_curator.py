from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from ptce_site.curators import CURATORS_GROUP


class Command(BaseCommand):
    help = (
        "Crée (ou complète) un compte de l'équipe du registre (is_staff), dans le groupe "
        "« Curators », sans être superutilisateur. Le mot de passe est demandé, ou lu dans "
        "la variable d'environnement CURATOR_PASSWORD."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("email")

    def handle(self, *args, username: str, email: str, **options):
        import getpass
        import os

        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"« {email} » n'est pas une adresse e-mail valide.") from None
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": email, "is_staff": True}
        )
        password = os.environ.get("CURATOR_PASSWORD")
        if created or password:
            if password is None:
                password = getpass.getpass("Mot de passe : ")
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
        user.groups.add(Group.objects.get(name=CURATORS_GROUP))
        verb = "créé" if created else "mis à jour"
        text = f"Compte de l'équipe du registre « {username} » {verb}."
        self.stdout.write(self.style.SUCCESS(text))
