"""All models, imported so that metadata (and Alembic) sees every table."""

from app.models.area import LEVELS, Area
from app.models.assessment import INDICATORS, AssessmentWeight
from app.models.audit import AuditEvent
from app.models.case import FRAUD_TYPES, FraudCase
from app.models.checkin import CHECKIN_STATUSES, SITE_CONDITIONS, CheckIn
from app.models.commendation import Commendation
from app.models.household import HOUSEHOLD_TAGS, Household
from app.models.household_month import HouseholdMonth
from app.models.idempotency_key import IDEMPOTENT_KINDS, IdempotencyKey
from app.models.invite import Invite
from app.models.job import JOB_STATUSES, Job
from app.models.must_check import MUST_CHECK_KINDS, MUST_CHECK_STATUSES, MustCheck
from app.models.notification import (
    NOTIFICATION_KINDS,
    Notification,
    NotificationDelivery,
    NotificationRecipient,
)
from app.models.photo import Photo
from app.models.quiz import QUIZ_AUDIENCES, Quiz, QuizResponse
from app.models.rectification import RECTIFICATION_STATUSES, Rectification
from app.models.sign_in_code import SignInCode
from app.models.site import SITE_KINDS, Site
from app.models.site_month import SiteMonth
from app.models.task import PLANNED_KINDS, TASK_KINDS, TASK_STATUSES, Campaign, Task
from app.models.user import FORCES, ROLES, ApiToken, User
from app.models.visit import VISIT_OUTCOMES, Visit
from app.models.warning import WARNING_LEVELS, WARNING_RESULTS, RiskWarning

__all__ = [
    "CHECKIN_STATUSES",
    "Commendation",
    "FORCES",
    "INDICATORS",
    "FRAUD_TYPES",
    "HOUSEHOLD_TAGS",
    "IDEMPOTENT_KINDS",
    "JOB_STATUSES",
    "LEVELS",
    "MUST_CHECK_KINDS",
    "MUST_CHECK_STATUSES",
    "NOTIFICATION_KINDS",
    "RECTIFICATION_STATUSES",
    "QUIZ_AUDIENCES",
    "ROLES",
    "SITE_CONDITIONS",
    "SITE_KINDS",
    "PLANNED_KINDS",
    "TASK_KINDS",
    "TASK_STATUSES",
    "VISIT_OUTCOMES",
    "WARNING_LEVELS",
    "WARNING_RESULTS",
    "ApiToken",
    "AssessmentWeight",
    "Area",
    "AuditEvent",
    "CheckIn",
    "Campaign",
    "FraudCase",
    "Household",
    "HouseholdMonth",
    "IdempotencyKey",
    "Invite",
    "Job",
    "MustCheck",
    "Notification",
    "NotificationDelivery",
    "NotificationRecipient",
    "Photo",
    "Rectification",
    "Quiz",
    "QuizResponse",
    "RiskWarning",
    "SignInCode",
    "Site",
    "SiteMonth",
    "Task",
    "User",
    "Visit",
]
