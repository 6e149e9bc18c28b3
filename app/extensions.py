"""Flask extensions, created unbound and initialised in create_app()."""

from contextvars import ContextVar

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from app.db import Base

# One commit per request, after which the view only renders: keep loaded values instead of
# reloading each object from the database.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address)

#: True while the current unit of work may write; read by the SQLite BEGIN hook.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)
