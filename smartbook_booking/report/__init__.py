from . import smartbook_booking_report
from . import smartbook_retention_report
from . import smartbook_utilisation_report
from . import smartbook_utilisation_report_line
