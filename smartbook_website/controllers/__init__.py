from . import booking
from . import pages
from . import portal
