"""The web forms: they parse and shape input; the rules stay in the domain services."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from sqlmodel import Session
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp

from voisinage.ballot_rules import MAX_PROXIES_LIMIT, ROUNDS_MAX
from voisinage.config import LANGUAGES
from voisinage.enums import DigestFrequency, Role, VotingUnit
from voisinage.errors import DomainError
from voisinage.people import (
    DISPLAY_NAME_MAX,
    INVITATION_DAYS_DEFAULT,
    INVITATION_DAYS_MAX,
    INVITATION_LABEL_MAX,
    INVITATION_USES_MAX,
)
from voisinage.projects import HOUSEHOLD_NAME_MAX, PROJECT_NAME_MAX
from webforms.db import unit_of_work
from webforms.errors import status_for
from webforms.i18n import LANGUAGE_NAMES, ROLE_NAMES

T = TypeVar("T")

NEW_HOUSEHOLD = "new"


def _required():
    return InputRequired(message=lazy_gettext("Please fill in this field."))


def _at_most(limit: int):
    # The `maxlength` attribute stops browsers first; this catches hand-made requests.
    return Length(max=limit, message=lazy_gettext("At most %(max)d characters."))


class Form(FlaskForm):
    """A form whose submission runs one service in one transaction."""

    refusal_status: int | None = None

    def submit(self, write: Callable[[Session], T]) -> T | None:
        """Return `write`'s result when the form is valid and the service agrees, else None.

        A service's refusal goes to the form's errors, to be shown with the form.
        """
        if not self.validate_on_submit():
            return None
        try:
            with unit_of_work() as session:
                return write(session)
        except DomainError as error:
            self.refuse(error)
            self.refusal_status = status_for(error)
            return None

    def refuse(self, error: DomainError) -> None:
        """Show a service's refusal above the form."""
        self.form_errors.append(error.translate(gettext))

    @property
    def status(self) -> int:
        """Return the status of the page showing this form: 422 when it was sent back wrong."""
        if self.refusal_status is not None:
            return self.refusal_status
        return 422 if self.errors else 200


def options(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """Return (value, label) pairs as the choices of a select or of radio buttons."""
    return [SelectChoice(value, label) for value, label in pairs]


ROLE_CHOICES = options(ROLE_NAMES.items())


class JoinForm(Form):
    """A newcomer's name and household; `nonce` makes a second submission a no-op."""

    nonce = HiddenField(validators=[Regexp(r"^[A-Za-z0-9_-]{22,43}$")])
    display_name = StringField(
        lazy_gettext("Your name, as the group will see it"),
        validators=[_required(), _at_most(DISPLAY_NAME_MAX)],
        render_kw={"maxlength": DISPLAY_NAME_MAX, "autocomplete": "name"},
    )
    household = RadioField(lazy_gettext("Your household"), choices=[], validate_choice=False)
    household_name = StringField(
        lazy_gettext("Name of the new household"),
        validators=[Optional(), _at_most(HOUSEHOLD_NAME_MAX)],
        render_kw={"maxlength": HOUSEHOLD_NAME_MAX},
    )

    def chosen_household(self) -> tuple[int | None, str | None]:
        """Return (household id, new household name) as the service takes them."""
        choice = self.household.data or ""
        if choice.isdigit():
            return int(choice), None
        if choice == NEW_HOUSEHOLD:
            return None, self.household_name.data
        return None, None


class LanguageForm(Form):
    language = SelectField(choices=options((code, code) for code in LANGUAGES))
    next = HiddenField()


class ForgetForm(Form):
    confirm = BooleanField(
        lazy_gettext("I understand that my data will be deleted and that this cannot be undone."),
        validators=[InputRequired(message=lazy_gettext("Tick the box to confirm."))],
    )


class HouseholdForm(Form):
    name = StringField(
        lazy_gettext("Household name"),
        validators=[_required(), _at_most(HOUSEHOLD_NAME_MAX)],
        render_kw={"maxlength": HOUSEHOLD_NAME_MAX},
    )


class MoveForm(Form):
    household = SelectField(lazy_gettext("Household"), choices=[])

    def household_id(self) -> int | None:
        return int(self.household.data) if self.household.data else None


class RoleForm(Form):
    role = RadioField(lazy_gettext("Role"), choices=ROLE_CHOICES, validators=[_required()])


class InvitationForm(Form):
    role = SelectField(lazy_gettext("Role"), choices=ROLE_CHOICES, default=Role.RESIDENT.value)
    household = SelectField(lazy_gettext("Household"), choices=[], default="")
    max_uses = IntegerField(
        lazy_gettext("How many people can use it"),
        description=lazy_gettext("Leave empty for no limit."),
        default=1,
        validators=[Optional()],
        render_kw={"min": 1, "max": INVITATION_USES_MAX, "inputmode": "numeric"},
    )
    days = IntegerField(
        lazy_gettext("Valid for how many days"),
        default=INVITATION_DAYS_DEFAULT,
        validators=[InputRequired(message=lazy_gettext("Please fill in this field."))],
        render_kw={"min": 1, "max": INVITATION_DAYS_MAX, "inputmode": "numeric"},
    )
    label = StringField(
        lazy_gettext("Note for the facilitators"),
        description=lazy_gettext("For example who it is for. Newcomers do not see it."),
        render_kw={"maxlength": INVITATION_LABEL_MAX},
    )

    def household_id(self) -> int | None:
        return int(self.household.data) if self.household.data else None


class SettingsForm(Form):
    name = StringField(
        lazy_gettext("Project name"),
        validators=[_required(), _at_most(PROJECT_NAME_MAX)],
        render_kw={"maxlength": PROJECT_NAME_MAX},
    )
    language = SelectField(
        lazy_gettext("Language of the project"),
        description=lazy_gettext("Used for members who have not chosen theirs."),
        choices=options(LANGUAGE_NAMES.items()),
    )
    timezone = SelectField(lazy_gettext("Time zone"), choices=[])
    voting_unit = RadioField(
        lazy_gettext("Who has a voice in votes"),
        choices=options(
            [
                (VotingUnit.HOUSEHOLD.value, lazy_gettext("One voice per household")),
                (VotingUnit.PERSON.value, lazy_gettext("One voice per person")),
            ]
        ),
        validators=[_required()],
    )
    consent_fallback_after_rounds = IntegerField(
        lazy_gettext("Consent fallback: after how many blocked rounds"),
        description=lazy_gettext(
            "When consent still fails after this many integration rounds, the next round is a "
            "vote for or against at the threshold below; leave empty to keep integrating."
        ),
        validators=[Optional()],
        render_kw={"min": 1, "max": ROUNDS_MAX, "inputmode": "numeric"},
    )
    # Its choices are the vote thresholds, set by the view.
    consent_fallback_threshold = SelectField(lazy_gettext("Consent fallback threshold"), choices=[])
    max_proxies = IntegerField(
        lazy_gettext("Proxies one member may hold"),
        description=lazy_gettext(
            "A resident may give their voice to another; this is how many voices besides their "
            "own one person may carry (0: no proxies)."
        ),
        # Left empty (an old page): unchanged.
        validators=[Optional()],
        render_kw={"min": 0, "max": MAX_PROXIES_LIMIT, "inputmode": "numeric"},
    )


class DigestForm(Form):
    """When the digests go out; the view fills in the days and hours in the reader's language."""

    frequency = SelectField(
        lazy_gettext("Digests"),
        choices=options(
            [
                (DigestFrequency.OFF.value, lazy_gettext("Off")),
                (DigestFrequency.DAILY.value, lazy_gettext("Every day")),
                (DigestFrequency.WEEKLY.value, lazy_gettext("Every week")),
            ]
        ),
    )
    weekday = SelectField(
        lazy_gettext("Day of the weekly digest"), choices=[], coerce=int, default=0
    )
    hour = SelectField(lazy_gettext("Hour"), choices=[], coerce=int, default=9)
    group_digest = BooleanField(
        lazy_gettext(
            "Also post a digest for residents in the project's Telegram group: what is open, "
            "results and the next workshop, without any name"
        )
    )
