"""Administration (admin only): staff users and the enlaces directory data, plazos per tipo,
extra non-working days. Every change is an audit event."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.validators import ValidationError as FormError

from backoffice.auth import current_actor, roles_required
from backoffice.db import get_session
from backoffice.forms_es import ESTADO_CHOICES, date_input, parse_form_date
from backoffice.forms_es import select as select_field
from core import audit
from core.enums import TIPO_LABELS, Role, Tipo
from core.enums import VolanteStatus as VS
from core.errors import ValidationError
from core.models import Holiday, User, Volante
from core.plazos import DEVOLUCION, REVISION, plazo_for, review_plazo, set_plazo
from core.review_clock import head_of_vinculacion, set_head_of_vinculacion
from core.services.non_working_days import add_non_working_day, moved_text, remove_non_working_day
from core.timeutil import today_mx
from core.users import create_user, unlock

bp = Blueprint("admin", __name__, url_prefix="/admin")

ROLE_LABELS = {
    Role.ENLACE: "Enlace estatal",
    Role.VINCULACION: "Vinculación Social",
    Role.PARTICIPACION_SOCIAL: "Participación Social (consulta)",
    Role.ADMIN: "Administración",
}
ROLE_CHOICES = [(r.value, ROLE_LABELS[r]) for r in Role]
PLAZO_KEYS = [t.value for t in Tipo] + [DEVOLUCION, REVISION]
PLAZO_LABELS = {**{t.value: TIPO_LABELS[t] for t in Tipo}, DEVOLUCION: "Devolución (ampliar gestión)",
                REVISION: "Revisión del FUR por Vinculación"}
NO_HEAD = ("", "— Nadie: los escalamientos van a todo Vinculación Social —")


def _nombre_field(label="Nombre completo"):
    return StringField(label, [DataRequired("Escribe el nombre."), Length(max=200, message="Máximo 200 caracteres.")])


class UserCreateForm(FlaskForm):
    nombre = _nombre_field()
    email = StringField("Correo electrónico", [DataRequired("Escribe el correo.")], render_kw={"type": "email"})
    role = select_field("Perfil", ROLE_CHOICES, [DataRequired("Elige el perfil.")])
    estado = select_field("Estado (solo enlaces)", [("", "— Ninguno —")] + ESTADO_CHOICES)
    cargo = StringField("Cargo", [Optional(), Length(max=200, message="Máximo 200 caracteres.")])
    telefono = StringField("Teléfono de oficina", [Optional(), Length(max=32, message="Máximo 32 caracteres.")])
    password = PasswordField("Contraseña inicial", [DataRequired("Escribe una contraseña.")],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repite la contraseña", [DataRequired("Repite la contraseña.")],
                            render_kw={"autocomplete": "new-password"})

    def validate_estado(self, field):
        if self.role.data == Role.ENLACE and not field.data:
            raise FormError("Un enlace necesita un estado.")

    def validate_confirm(self, field):
        if field.data != self.password.data:
            raise FormError("Las contraseñas no coinciden.")


class UserEditForm(FlaskForm):
    nombre = _nombre_field()
    role = select_field("Perfil", ROLE_CHOICES, [DataRequired("Elige el perfil.")])
    estado = select_field("Estado (solo enlaces)", [("", "— Ninguno —")] + ESTADO_CHOICES)
    cargo = StringField("Cargo", [Optional(), Length(max=200, message="Máximo 200 caracteres.")])
    telefono = StringField("Teléfono de oficina", [Optional(), Length(max=32, message="Máximo 32 caracteres.")])

    def validate_estado(self, field):
        if self.role.data == Role.ENLACE and not field.data:
            raise FormError("Un enlace necesita un estado.")


class ConfirmForm(FlaskForm):
    """Only the CSRF token: activate, deactivate, delete."""


def _plazo_validator(form, field):
    try:
        days = int((field.data or "").strip())
    except ValueError:
        raise FormError("Escribe un número entero de días hábiles.") from None
    if not 1 <= days <= 120:
        raise FormError("El plazo debe estar entre 1 y 120 días hábiles.")
    field.clean = days


class PlazosForm(FlaskForm):
    # who hears that a FUR's review is late (core.review_clock); choices set per request
    jefatura = select_field("Jefatura de Vinculación Social (recibe las revisiones vencidas)", [NO_HEAD])


for _key in PLAZO_KEYS:
    setattr(PlazosForm, _key, StringField(PLAZO_LABELS[_key], [_plazo_validator],
                                          render_kw={"type": "number", "min": 1, "max": 120, "inputmode": "numeric"}))


class HolidayForm(FlaskForm):
    fecha = date_input("Fecha", [DataRequired("Elige la fecha.")])
    descripcion = StringField("Descripción", [DataRequired("Describe el motivo (p. ej. «Día del servidor público»)."),
                                              Length(max=200, message="Máximo 200 caracteres.")])

    def validate_fecha(self, field):
        day = parse_form_date(field.data, not_future=False)
        if day.weekday() >= 5:
            raise FormError("Ese día es fin de semana: ya es inhábil.")
        if day in _official_names([day.year]):
            raise FormError("Ese día ya es inhábil oficial (Ley Federal del Trabajo, art. 74).")
        field.clean = day


def _official_names(years: list[int]) -> dict[date, str]:
    """Mexico's official holidays (the same source core.plazos counts), with Spanish names."""
    import holidays as holidays_lib

    return dict(holidays_lib.country_holidays("MX", years=years, language="es"))


# -- users ---------------------------------------------------------------------------------------


def _open_volantes(db, user_id: int) -> int:
    return db.scalar(select(func.count(Volante.id)).where(
        Volante.enlace_id == user_id, Volante.status.in_([VS.ABIERTO, VS.RESPONDIDO]))) or 0


def _render_index(form: UserCreateForm, status: int = 200):
    db = get_session()
    query = select(User).order_by(User.active.desc(), User.role, User.estado_clave, User.email)
    role = request.args.get("perfil") or ""
    estado = request.args.get("estado") or ""
    q = (request.args.get("q") or "").strip()[:100]
    if role in ROLE_LABELS:
        query = query.where(User.role == role)
    if estado in {c for c, _ in ESTADO_CHOICES}:
        query = query.where(User.estado_clave == estado)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(func.lower(User.email).like(like) | func.lower(User.nombre).like(like))
    users = list(db.scalars(query))
    return render_template("admin/users.html", form=form, users=users, roles=ROLE_LABELS,
                           confirm=ConfirmForm(), filters={"perfil": role, "estado": estado, "q": q},
                           estados=ESTADO_CHOICES), status


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index():
    form = UserCreateForm(prefix="nuevo")
    if not form.validate_on_submit():
        return _render_index(form, 422 if request.method == "POST" else 200)
    db = get_session()
    try:
        user = create_user(db, current_actor(), email=form.email.data, nombre=form.nombre.data,
                           role=form.role.data, password=form.password.data,
                           estado_clave=form.estado.data or None,
                           cargo=(form.cargo.data or "").strip() or None)
        user.telefono = (form.telefono.data or "").strip() or None
        db.commit()
    except ValidationError as exc:
        db.rollback()
        target = {"email": form.email, "password": form.password, "role": form.role, "estado": form.estado}
        field = next((target[k] for k in exc.fields if k in target), None)
        if field is not None:
            field.errors = [*field.errors, exc.message]
        else:
            flash(exc.message, "error")
        return _render_index(form, 422)
    flash(f"Usuario {user.email} creado.", "success")
    return redirect(url_for("admin.index"))


def _get_user(user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/usuarios/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_user(user_id: int):
    db = get_session()
    user = _get_user(user_id)
    current = {"nombre": user.nombre, "role": user.role, "estado": user.estado_clave or "",
               "cargo": user.cargo or "", "telefono": user.telefono or ""}
    form = UserEditForm(data=None if request.method == "POST" else current)
    actor = current_actor()
    if form.validate_on_submit():
        new_role = form.role.data
        new_estado = (form.estado.data or None) if new_role == Role.ENLACE else None
        if user.id == actor.id and new_role != user.role:
            form.role.errors = ["No puedes cambiar tu propio perfil."]
        else:
            if (new_role, new_estado) != (user.role, user.estado_clave):
                audit.record(db, actor, "permiso_cambiado", data={
                    "user_id": user.id, "email": user.email, "cambio": "perfil",
                    "de": {"role": user.role, "estado": user.estado_clave},
                    "a": {"role": new_role, "estado": new_estado},
                })
                user.role, user.estado_clave = new_role, new_estado
            directory = {"nombre": form.nombre.data.strip(), "cargo": (form.cargo.data or "").strip() or None,
                         "telefono": (form.telefono.data or "").strip() or None}
            changed = {k: v for k, v in directory.items() if getattr(user, k) != v}
            if changed:
                for k, v in changed.items():
                    setattr(user, k, v)
                audit.record(db, actor, "directorio_actualizado",
                             data={"user_id": user.id, "campos": sorted(changed)})
            db.commit()
            flash("Cambios guardados.", "success")
            pending = _open_volantes(db, user.id)
            if pending and user.role == Role.ENLACE:
                flash(f"Este enlace tiene {pending} volantes abiertos.", "info")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_edit.html", form=form, user=user, roles=ROLE_LABELS,
                           confirm=ConfirmForm(), open_volantes=_open_volantes(db, user.id)), status


def _set_active(user_id: int, active: bool):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_session()
    user = _get_user(user_id)
    actor = current_actor()
    if user.id == actor.id and not active:
        flash("No puedes desactivar tu propia cuenta.", "error")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    if user.active != active:
        user.active = active
        if active:
            user.failed_logins = 0
            user.locked_until = None
            unlock(db, user.email)
        audit.record(db, actor, "permiso_cambiado", data={
            "user_id": user.id, "email": user.email, "cambio": "activada" if active else "desactivada",
            "de": {"active": not active}, "a": {"active": active},
        })
        db.commit()
    pending = _open_volantes(db, user.id)
    message = f"Cuenta de {user.email} {'activada' if active else 'desactivada'}."
    if not active and pending:
        message += f" Tenía {pending} volantes abiertos: reasígnalos."
    flash(message, "success")
    return redirect(request.form.get("next") == "list" and url_for("admin.index")
                    or url_for("admin.edit_user", user_id=user.id))


@bp.post("/usuarios/<int:user_id>/desactivar")
@roles_required(Role.ADMIN)
def deactivate_user(user_id: int):
    return _set_active(user_id, False)


@bp.post("/usuarios/<int:user_id>/activar")
@roles_required(Role.ADMIN)
def activate_user(user_id: int):
    return _set_active(user_id, True)


# -- plazos --------------------------------------------------------------------------------------


@bp.route("/plazos", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def plazos():
    db = get_session()
    current = {k: _plazo_now(db, k) for k in PLAZO_KEYS}
    head = head_of_vinculacion(db)
    form = PlazosForm(data=None if request.method == "POST" else {
        **{k: str(v) for k, v in current.items()}, "jefatura": str(head.id) if head else ""})
    form.jefatura.choices = [NO_HEAD] + [(str(u.id), f"{u.nombre} ({u.email})") for u in db.scalars(
        select(User).where(User.role == Role.VINCULACION, User.active.is_(True)).order_by(User.nombre))]
    if form.validate_on_submit():
        actor = current_actor()
        changed = 0
        for key in PLAZO_KEYS:
            days = getattr(form, key).clean
            if days != current[key]:
                set_plazo(db, key, days)
                audit.record(db, actor, "plazo_cambiado", data={"tipo": key, "de": current[key], "a": days})
                changed += 1
        chosen = int(form.jefatura.data) if form.jefatura.data else None
        if chosen != (head.id if head else None):
            set_head_of_vinculacion(db, chosen)
            audit.record(db, actor, "jefatura_vinculacion", data={"de": head.id if head else None, "a": chosen})
            changed += 1
        db.commit()
        flash("Plazos guardados. Se aplican a los volantes que se abran desde ahora." if changed
              else "No hubo cambios.", "success")
        return redirect(url_for("admin.plazos"))
    return render_template("admin/plazos.html", form=form, keys=PLAZO_KEYS), (
        422 if request.method == "POST" else 200)


def _plazo_now(db, key: str) -> int:
    if key == REVISION:
        return review_plazo(db)
    return plazo_for(db, key, devolucion=True) if key == DEVOLUCION else plazo_for(db, key)


# -- holidays ------------------------------------------------------------------------------------


def _render_holidays(form: HolidayForm, status: int = 200):
    db = get_session()
    extra = list(db.scalars(select(Holiday).order_by(Holiday.fecha.desc())))
    year = today_mx().year
    official = sorted(_official_names([year, year + 1]).items())
    return render_template("admin/holidays.html", form=form, extra=extra, official=official,
                           confirm=ConfirmForm()), status


@bp.route("/dias-inhabiles", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def holidays():
    form = HolidayForm()
    if not form.validate_on_submit():
        return _render_holidays(form, 422 if request.method == "POST" else 200)
    db = get_session()
    day = form.fecha.clean
    if db.get(Holiday, day) is not None:
        form.fecha.errors = ["Ese día ya está registrado como inhábil."]
        return _render_holidays(form, 422)
    moved = add_non_working_day(db, current_actor(), day, form.descripcion.data.strip())
    db.commit()
    flash(f"Día inhábil {day:%d/%m/%Y} agregado. {moved_text(len(moved))}", "success")
    return redirect(url_for("admin.holidays"))


@bp.post("/dias-inhabiles/<fecha>/eliminar")
@roles_required(Role.ADMIN)
def delete_holiday(fecha: str):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        day = date.fromisoformat(fecha)
    except ValueError:
        abort(404)
    db = get_session()
    row = db.get(Holiday, day)
    if row is None:
        abort(404)
    remove_non_working_day(db, current_actor(), row)
    db.commit()
    flash(f"Día inhábil {day:%d/%m/%Y} eliminado. Ningún vencimiento ya fijado se adelanta.", "success")
    return redirect(url_for("admin.holidays"))
