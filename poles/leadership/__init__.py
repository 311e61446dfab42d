"""Who leads a pole and what they do: invitations and claim requests (with their admin), the
leaders' space, the guard against concurrent edits, notifications to staff and the digest, the
history of changes and logo uploads. Sits on top of the registry and the territories."""
