from . import test_demo_data
from . import test_client_access
from . import test_client_card
from . import test_gdpr
from . import test_tour
