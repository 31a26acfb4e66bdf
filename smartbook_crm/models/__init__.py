from . import smartbook_source
from . import res_partner
from . import smartbook_consent_log
from . import smartbook_client_photo
from . import smartbook_demo
from . import smartbook_gdpr_log
from . import smartbook_segment
