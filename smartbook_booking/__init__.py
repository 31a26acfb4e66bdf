from . import models
from . import report
from . import wizards


def uninstall_hook(env):
    """Bookings and sessions go with their tables; removing them first lets
    Odoo delete this addon's demo specialists, which they refer to."""
    env.cr.execute("DELETE FROM smartbook_booking")
    env.cr.execute("DELETE FROM smartbook_session")
    env.cr.execute("DELETE FROM smartbook_service")
