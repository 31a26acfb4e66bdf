from . import test_backoffice_screens
from . import test_demo_users
