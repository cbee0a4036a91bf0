"""Password policy for staff accounts: at least 12 characters, not one of the passwords people
use most, nor such a word dressed up with digits and symbols ("Password2026!", "p@ssw0rd123"),
nor a keyboard or alphabet run, nor the account's own e-mail address.

The lists ship with the code (no network at run time):
- common.txt: the 19,640 most common passwords of Django's validator (see LICENSE-common.txt);
- comunes_es.txt: common Spanish and Mexican passwords and words of this service, written here.
Checked in lower case, without accents.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from core.errors import ValidationError

MIN_LENGTH = 12
MAX_LENGTH = 128  # argon2 hashes anything; this only bounds the work per login
MIN_DISTINCT = 5
_HERE = Path(__file__).resolve().parent
_LISTS = ("common.txt", "comunes_es.txt")
_RUNS = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiopasdfghjklzxcvbnm", "qwertzuiop",
         "azertyuiop", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "qazwsxedcrfvtgbyhnujmikolp",
         "zaq12wsxcde34rfvbgt56yhnmju78ik")
_LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "3": "e", "1": "i", "!": "i", "$": "s", "5": "s",
                       "7": "t", "+": "t", "8": "b", "9": "g"})
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


def _fold(text: str) -> str:
    """Lower case without accents (ñ kept as n: people type both)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    words: set[str] = set()
    for name in _LISTS:
        for line in (_HERE / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                words.add(_fold(line.strip()))
    return frozenset(words)


def _candidates(password: str) -> set[str]:
    """The password as typed and as the word under the decoration: digits and symbols around it
    removed, common letter substitutions undone, spaces and separators dropped."""
    folded = _fold(password)
    forms = {folded, folded.translate(_LEET), folded.replace("1", "l").translate(_LEET)}
    out = set()
    for form in forms:
        out.add(form)
        out.add(_EDGES.sub("", form))
        out.add(re.sub(r"[\s\-_.]+", "", _EDGES.sub("", form)))
    return {c for c in out if c}


def _is_run(password: str) -> bool:
    text = re.sub(r"[\s\-_.]+", "", _fold(password))
    if len(set(text)) < MIN_DISTINCT:
        return True
    for run in _RUNS:
        doubled = run * 3
        if text in doubled or text in doubled[::-1]:
            return True
    return False


def _email_parts(email: str | None) -> set[str]:
    """The e-mail's user part and its pieces of 4 letters or more (ana.lopez -> analopez, lopez)."""
    if not email:
        return set()
    local = _fold(email.split("@", 1)[0])
    parts = {p for p in re.split(r"[\W_]+", local) if len(p) >= 4}
    joined = re.sub(r"[\W_]+", "", local)
    return parts | ({joined} if len(joined) >= 4 else set())


def check_password_policy(password: str, *, email: str | None = None) -> None:
    """Raise ValidationError (message in Spanish, field "password") when the password is weak."""
    password = password or ""

    def refuse(message: str):
        raise ValidationError(message, fields={"password": "débil"})

    if len(password) < MIN_LENGTH:
        refuse(f"La contraseña debe tener al menos {MIN_LENGTH} caracteres. Una frase de varias palabras "
               "es fácil de recordar y difícil de adivinar.")
    if len(password) > MAX_LENGTH:
        refuse(f"La contraseña no puede tener más de {MAX_LENGTH} caracteres.")
    if _is_run(password):
        refuse("La contraseña es demasiado repetitiva o sigue una secuencia del teclado: elige otra.")
    if _candidates(password) & common_passwords():
        refuse("Esa contraseña es de las más usadas y se adivina fácilmente, aunque lleve números o "
               "símbolos: elige otra, por ejemplo una frase de varias palabras.")
    folded = re.sub(r"[\s\-_.]+", "", _fold(password))
    if any(part in folded for part in _email_parts(email)):
        refuse("La contraseña no debe contener tu correo.")
