from . import test_backoffice_screens
