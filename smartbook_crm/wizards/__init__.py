from . import smartbook_client_export
from . import smartbook_client_import
from . import smartbook_gdpr_erase
