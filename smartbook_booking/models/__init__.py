from . import smartbook_service
from . import hr_employee
from . import smartbook_session
from . import smartbook_booking
from . import res_partner
from . import smartbook_demo
