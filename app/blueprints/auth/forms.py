"""The login form: it renders the fields; TokenRequestSchema (the API's) checks what is posted."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField(_l("Username or phone number"))
    password = PasswordField(_l("Password"))
    remember = BooleanField(_l("Stay logged in on this phone"), default=True)
    next = HiddenField()


class FirstSignInForm(FlaskForm):
    """Set one's password with a one-time code (the service checks the password rules)."""

    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        _l("The same password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class JoinForm(FlaskForm):
    """Asking to join through an invite (the service checks it against JoinSchema)."""

    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=80)])
    phone = StringField(_l("Mobile phone number"), validators=[DataRequired(), Length(max=20)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
