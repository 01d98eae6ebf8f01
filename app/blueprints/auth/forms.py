"""The login form: it renders the fields; TokenRequestSchema (the API's) checks what is posted."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import EqualTo


class LoginForm(FlaskForm):
    username = StringField(_l("Username or phone number"))
    password = PasswordField(_l("Password"))
    remember = BooleanField(_l("Stay logged in on this phone"), default=True)
    next = HiddenField()


class FirstSignInForm(FlaskForm):
    """Set one's password with a one-time code (the service checks the password rules)."""

    password = PasswordField(_l("New password"))
    confirm = PasswordField(
        _l("The same password again"),
        # The one rule of this page alone: the password's own rules are the service's.
        validators=[EqualTo("password", message=_l("The passwords differ."))],
    )


class JoinForm(FlaskForm):
    """Asking to join through an invite (the service checks it against JoinSchema)."""

    display_name = StringField(_l("Your name"))
    phone = StringField(_l("Mobile phone number"))
    password = PasswordField(_l("Password"))


class SmsLoginForm(FlaskForm):
    """One form, two buttons: ask for a code (SmsCodeRequestSchema reads the phone), then log
    in with it (SmsLoginSchema reads phone and code)."""

    phone = StringField(_l("Mobile phone number"))
    next = HiddenField()
    code = StringField(_l("Code from the SMS"))
    remember = BooleanField(_l("Stay logged in on this phone"), default=True)


class ContinueForm(FlaskForm):
    """Continuing, signed in, with a one-time browser link (CSRF only)."""
