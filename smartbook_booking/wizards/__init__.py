from . import smartbook_session_generator
