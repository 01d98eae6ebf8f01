"""The login form: it renders the fields; TokenRequestSchema (the API's) checks what is posted."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField


class LoginForm(FlaskForm):
    username = StringField(_l("Username"))
    password = PasswordField(_l("Password"))
    remember = BooleanField(_l("Stay logged in on this phone"), default=True)
    next = HiddenField()
