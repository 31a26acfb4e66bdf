from . import sms
from . import telegram
