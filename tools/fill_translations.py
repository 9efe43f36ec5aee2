"""Fill msgstr entries of a .po file from a small glossary (used to seed German and Spanish).

    python tools/fill_translations.py locale/de/LC_MESSAGES/django.po de

Only single-line msgids with an empty msgstr are filled; everything else is left as is, so
running `makemessages` and this again never overwrites a translator's work.
"""

import re
import sys
from pathlib import Path

GLOSSARY = {
    "de": {
        "For You": "Für dich", "Following": "Folge ich", "Upload": "Hochladen", "Inbox": "Posteingang",
        "Profile": "Profil", "Settings": "Einstellungen", "Log in": "Anmelden", "Log out": "Abmelden",
        "Sign up": "Registrieren", "Main": "Hauptmenü", "Skip to content": "Zum Inhalt springen",
        "Username": "Benutzername", "Email": "E-Mail", "Password": "Passwort",
        "Password again": "Passwort wiederholen", "Birthdate": "Geburtsdatum",
        "We use it to keep younger people safe. It is never shown to anyone.":
            "Wir nutzen es, um jüngere Menschen zu schützen. Es wird niemandem angezeigt.",
        "Enter your birthdate as YYYY-MM-DD.": "Gib dein Geburtsdatum als JJJJ-MM-TT ein.",
        "That username is taken.": "Dieser Benutzername ist vergeben.",
        "The two passwords don't match.": "Die beiden Passwörter stimmen nicht überein.",
        "Name": "Name", "Bio": "Bio", "Profile photo": "Profilbild",
        "Private account": "Privates Konto",
        "Only approved followers see your videos.": "Nur bestätigte Follower sehen deine Videos.",
        "Your birthdate cannot be in the future.": "Dein Geburtsdatum kann nicht in der Zukunft liegen.",
        "Please check your birthdate.": "Bitte prüfe dein Geburtsdatum.",
        "Welcome to the party, @%(name)s!": "Willkommen, @%(name)s!",
        "Profile saved.": "Profil gespeichert.", "Links saved.": "Links gespeichert.",
        "Comments": "Kommentare", "Comments on": "Kommentare an", "Close comments": "Kommentare schließen",
        "Comments are turned off.": "Kommentare sind ausgeschaltet.",
        "No comments yet. Start the conversation.": "Noch keine Kommentare. Fang an!",
        "Log in to comment": "Zum Kommentieren anmelden", "Replying to": "Antwort an",
        "Cancel": "Abbrechen", "Comment": "Kommentar", "Post": "Posten", "Reply": "Antworten",
        "Delete": "Löschen", "Like comment": "Kommentar liken", "Add a comment…": "Kommentar hinzufügen …",
        "Link copied": "Link kopiert", "Follow request sent": "Folgeanfrage gesendet",
        "Log in to %(SITE_NAME)s": "Bei %(SITE_NAME)s anmelden", "New here?": "Neu hier?",
        "Join %(SITE_NAME)s": "Tritt %(SITE_NAME)s bei", "Already have an account?": "Schon ein Konto?",
        "Not just yet": "Noch nicht ganz", "Back to the home page": "Zurück zur Startseite",
        "Follow requests": "Folgeanfragen", "Accept": "Annehmen", "Decline": "Ablehnen",
        "Activity": "Aktivitäten", "View": "Ansehen",
        "Nothing yet. Likes, comments and new followers show up here.":
            "Noch nichts. Likes, Kommentare und neue Follower erscheinen hier.",
        "Save profile": "Profil speichern", "Links": "Links", "Save links": "Links speichern",
        "Help people find you elsewhere. Links must start with https://":
            "Hilf anderen, dich woanders zu finden. Links müssen mit https:// beginnen.",
        "Challenges": "Challenges", "Discover": "Entdecken", "Trending hashtags": "Angesagte Hashtags",
        "Trending sounds": "Angesagte Sounds", "Upload a sound": "Sound hochladen", "Video": "Video",
        "Watch on %(SITE_NAME)s": "Auf %(SITE_NAME)s ansehen", "No videos yet": "Noch keine Videos",
        "Be the first: post a video and it shows up here.":
            "Sei die erste Person: Poste ein Video, und es erscheint hier.",
        "Upload a video": "Video hochladen", "More videos": "Mehr Videos",
        "Move between videos": "Zwischen Videos wechseln", "Previous video": "Vorheriges Video",
        "Next video": "Nächstes Video", "Sound off. Turn sound on": "Ton aus. Ton einschalten",
        "Sound on. Turn sound off": "Ton an. Ton ausschalten",
        "What do you like to watch?": "Was schaust du gern?", "Hashtags": "Hashtags",
        "Show me videos": "Zeig mir Videos", "Skip": "Überspringen", "Join": "Mitmachen",
        "Top": "Top", "Newest": "Neueste", "Featured": "Empfohlen",
        "Video by @%(name)s": "Video von @%(name)s", "Play or pause": "Abspielen oder pausieren",
        "Duets": "Duette", "Stitches": "Stitches", "original sound — @%(name)s": "Originalton — @%(name)s",
        "Actions": "Aktionen", "Profile of @%(name)s": "Profil von @%(name)s",
        "Follow @%(name)s": "@%(name)s folgen", "Like": "Gefällt mir", "Share": "Teilen",
        "Duet": "Duett", "Stitch": "Stitch", "Why am I seeing this?": "Warum sehe ich das?",
        "Not interested": "Kein Interesse",
        "Got it: you will see fewer videos like this.": "Verstanden: Du siehst weniger Videos wie dieses.",
        "Edit profile": "Profil bearbeiten", "Unblock": "Entsperren", "Requested": "Angefragt",
        "Follow": "Folgen", "Block": "Blockieren", "Followers": "Follower", "Likes": "Likes",
        "You blocked this account": "Du hast dieses Konto blockiert",
        "This account is private": "Dieses Konto ist privat",
        "Follow this account to see their videos.": "Folge diesem Konto, um seine Videos zu sehen.",
        "Videos": "Videos", "Your videos will appear here.": "Deine Videos erscheinen hier.",
        "Upload one": "Lade eins hoch", "No videos yet.": "Noch keine Videos.",
        "Use this sound": "Diesen Sound verwenden", "Record": "Aufnehmen", "Stop": "Stopp",
        "Record again": "Neu aufnehmen", "Let others": "Anderen erlauben",
        "Upload progress": "Upload-Fortschritt",
        "Processing your video… this takes a few seconds.": "Dein Video wird verarbeitet … das dauert ein paar Sekunden.",
        "Your video is live!": "Dein Video ist online!", "Watch it": "Ansehen",
        "The upload was interrupted. Check your connection and try again.":
            "Der Upload wurde unterbrochen. Prüfe deine Verbindung und versuche es erneut.",
        "That file is too large.": "Diese Datei ist zu groß.", "Your upload": "Dein Upload",
        "Processing failed": "Verarbeitung fehlgeschlagen", "Processing failed:": "Verarbeitung fehlgeschlagen:",
        "Try another file": "Andere Datei versuchen", "Processing…": "Wird verarbeitet …",
        "English": "Englisch", "German": "Deutsch", "Spanish": "Spanisch",
        "This video is not available.": "Dieses Video ist nicht verfügbar.",
        "Log in to do that.": "Melde dich dafür an.", "Write something first.": "Schreib zuerst etwas.",
        "Comments are turned off for this video.": "Kommentare sind für dieses Video ausgeschaltet.",
        "Trending": "Angesagt", "New creator": "Neue Creatorin / neuer Creator", "Just posted": "Gerade gepostet",
        "From an account you follow": "Von einem Konto, dem du folgst",
        "You watched #%(tag)s": "Du hast #%(tag)s geschaut", "Nothing here": "Hier ist nichts",
        "Not found": "Nicht gefunden", "Back to For You": "Zurück zu Für dich",
        "That didn't work": "Das hat nicht geklappt", "Bad request": "Ungültige Anfrage",
        "Caption": "Beschreibung", "Who can watch": "Wer darf zusehen", "Everyone": "Alle",
        "Only me": "Nur ich", "Allow comments": "Kommentare erlauben", "Allow duets": "Duette erlauben",
        "Allow stitches": "Stitches erlauben", "Upload a video ": "Video hochladen",
        "Delete account": "Konto löschen", "Delete my account": "Mein Konto löschen",
        "Download my data": "Meine Daten herunterladen", "Your data": "Deine Daten",
        "Your password": "Dein Passwort", "Download": "Herunterladen",
    },
    "es": {
        "For You": "Para ti", "Following": "Siguiendo", "Upload": "Subir", "Inbox": "Bandeja",
        "Profile": "Perfil", "Settings": "Ajustes", "Log in": "Iniciar sesión", "Log out": "Cerrar sesión",
        "Sign up": "Registrarse", "Username": "Nombre de usuario", "Email": "Correo", "Password": "Contraseña",
        "Password again": "Repite la contraseña", "Birthdate": "Fecha de nacimiento",
        "Comments": "Comentarios", "Reply": "Responder", "Delete": "Eliminar", "Post": "Publicar",
        "Like": "Me gusta", "Share": "Compartir", "Follow": "Seguir", "Followers": "Seguidores",
        "Likes": "Me gusta", "Block": "Bloquear", "Unblock": "Desbloquear", "Edit profile": "Editar perfil",
        "More videos": "Más videos", "No videos yet": "Aún no hay videos", "Upload a video": "Subir un video",
        "Link copied": "Enlace copiado", "Add a comment…": "Añade un comentario…",
        "Your video is live!": "¡Tu video está publicado!", "Watch it": "Verlo",
        "Use this sound": "Usar este sonido", "Not interested": "No me interesa",
        "Why am I seeing this?": "¿Por qué veo esto?", "Trending": "Tendencias", "Discover": "Descubrir",
        "Caption": "Descripción", "English": "Inglés", "German": "Alemán", "Spanish": "Español",
        "original sound — @%(name)s": "sonido original — @%(name)s", "Join": "Participar",
    },
}


def fill(path: Path, lang: str) -> int:
    glossary = GLOSSARY[lang]
    text = path.read_text()
    count = 0

    def replace(match):
        nonlocal count
        msgid = match.group(1).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        if msgid in glossary:
            count += 1
            value = glossary[msgid].replace('"', '\\"')
            return f'msgid "{match.group(1)}"\nmsgstr "{value}"\n'
        return match.group(0)

    text = re.sub(r'^msgid "((?:[^"\\]|\\.)+)"\nmsgstr ""\n', replace, text, flags=re.M)
    # Mark the file's header as UTF-8 and the language.
    text = text.replace('"Content-Type: text/plain; charset=CHARSET\\n"', '"Content-Type: text/plain; charset=UTF-8\\n"')
    path.write_text(text)
    return count


if __name__ == "__main__":
    print(fill(Path(sys.argv[1]), sys.argv[2]), "strings filled")
