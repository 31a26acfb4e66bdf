from . import res_company
from . import res_partner
from . import smartbook_booking
from . import smartbook_website_attempt
from . import smartbook_website_claim
from . import hr_employee
from . import smartbook_service
