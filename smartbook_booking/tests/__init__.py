from . import test_slots
from . import test_booking
from . import test_demo
