"""The password policy (密码规则), in one place, for the change screen, the admin screens and the command line.

ASVS 6.2 (SECURITY-CHECKLIST T24): at least 12 characters, up to 256 (ASVS asks that 64 be
accepted; we take 256), any Unicode — spaces and Chinese included —, no composition rules,
and never truncated or altered: the password is hashed exactly as typed. What makes a
password weak here is being common: a list of the most used passwords and of local words
(the city, the congress, its bodies) is refused, compared case-insensitively after NFKC so
that full-width digits or capitals do not slip a listed password through.

One-time passwords (an account an admin or the command line creates, or a reset) are random
and meet the policy; the account must change it at the next sign-in (`must_change_password`).
"""
from __future__ import annotations

import functools
import secrets
import unicodedata
from importlib import resources

from flask_babel import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 256
COMMON_PASSWORDS_FILE = "common-passwords.txt"


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@functools.cache
def common_passwords() -> frozenset[str]:
    """The refused passwords (portal/accounts/common-passwords.txt), as comparison keys."""
    text = resources.files("portal.accounts").joinpath(COMMON_PASSWORDS_FILE).read_text(encoding="utf-8")
    return frozenset(_key(line) for line in text.splitlines() if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    return _key(password) in common_passwords()


def password_problem(password: str, *, username: str = "", current: str | None = None) -> str | None:
    """Why `password` may not be used, or None. `current` is the password it replaces, as typed."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return _("密码至少需要 %(n)s 个字符（可以用空格和汉字，例如一句好记的话）。", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("密码不能超过 %(n)s 个字符。", n=MAX_LENGTH)
    if is_common(password):
        return _("这个密码太常见，很容易被猜到，请换一个。")
    if username and _key(password) == _key(username):
        return _("密码不能与用户名相同。")
    if current is not None and password == current:
        return _("新密码不能与当前密码相同。")
    return None


def one_time_password() -> str:
    """A random initial or reset password: 16 letters and digits in groups of four, easy to read out."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I
    while True:
        raw = "".join(secrets.choice(alphabet) for _ in range(16))
        candidate = "-".join(raw[i:i + 4] for i in range(0, 16, 4))
        if not is_common(candidate):
            return candidate
