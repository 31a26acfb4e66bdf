from . import test_backoffice_screens
from . import test_demo_users
from . import test_booking_routes
from . import test_pages
from . import test_portal
from . import test_booking_tour
from . import test_website_queries
