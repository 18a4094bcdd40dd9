from .backups import BackupRecord
from .closing import FinalRecord
from .plan import Action, Department, Measure, Pillar, Plan, TargetGroup
from .reminders import ReminderPreference, ReminderSent
from .reports import AuditEntry, Evidence, Report
from .targets import ReportedFigure, Scale, Target

__all__ = [
    "Action",
    "AuditEntry",
    "BackupRecord",
    "Department",
    "Evidence",
    "FinalRecord",
    "Measure",
    "Pillar",
    "Plan",
    "ReminderPreference",
    "ReminderSent",
    "Report",
    "ReportedFigure",
    "Scale",
    "Target",
    "TargetGroup",
]
