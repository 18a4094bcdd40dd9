from .backups import BackupRecord
from .channels import Channel, Delivery
from .closing import FinalRecord
from .duties import Leader
from .participation import Follow, FollowSent, Question
from .plan import Action, Department, Measure, Pillar, Plan, TargetGroup
from .reminders import ReminderPreference, ReminderSent
from .reports import AuditEntry, Evidence, Report
from .targets import ReportedFigure, Scale, Target

__all__ = [
    "Action",
    "AuditEntry",
    "BackupRecord",
    "Channel",
    "Delivery",
    "Department",
    "Evidence",
    "FinalRecord",
    "Leader",
    "Follow",
    "FollowSent",
    "Measure",
    "Pillar",
    "Plan",
    "Question",
    "ReminderPreference",
    "ReminderSent",
    "Report",
    "ReportedFigure",
    "Scale",
    "Target",
    "TargetGroup",
]
