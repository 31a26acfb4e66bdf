from . import smartbook_source
from . import res_partner
from . import smartbook_demo
