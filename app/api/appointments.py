"""Online appointments (线上预约): slots and bookings."""

from __future__ import annotations

from flask.views import MethodView

from app.api.docs import JSON_BODY, Blueprint
from app.schemas.appointment import (
    AppointmentListSchema,
    AppointmentQuerySchema,
    AppointmentSchema,
    BookingSchema,
    SlotCreateSchema,
    SlotListSchema,
    SlotQuerySchema,
    SlotSchema,
)
from app.services import appointments as service
from app.web.auth import current_user, login_required
from app.web.idempotency import idempotent

blp = Blueprint("appointments", __name__, url_prefix="", description="线上预约")


@blp.route("/appointment-slots")
class AppointmentSlots(MethodView):
    @login_required
    @blp.arguments(SlotQuerySchema, location="query")
    @blp.response(200, SlotListSchema)
    @blp.operation(
        "listAppointmentSlots",
        "可预约时段",
        "某一天（或今后）的预约时段及剩余名额，可按用途、办理机关区域筛选。",
    )
    @blp.problems(401, 422)
    def get(self, args: dict):
        """Slots of a day (or from now on), with the places left."""
        filters = service.SlotFilter(args.get("day"), args.get("purpose"), args.get("region"))
        slots = service.list_slots(current_user(), filters)
        return {"items": slots}

    @login_required
    @blp.arguments(SlotCreateSchema)
    @blp.response(201, SlotSchema)
    @blp.operation(
        "publishAppointmentSlot",
        "发布预约时段",
        "受理人员、核查人员或管理员在所辖区域发布一个预约时段。",
    )
    @blp.problems(401, (403, "仅受理人员、核查人员、管理员"), *JSON_BODY)
    def post(self, body: dict):
        """Publish a slot in the caller's region (clerk, inspector or admin)."""
        return service.publish_slot(current_user(), body)


@blp.route("/appointments")
class Appointments(MethodView):
    @login_required
    @blp.arguments(AppointmentQuerySchema, location="query")
    @blp.response(200, AppointmentListSchema)
    @blp.operation(
        "listAppointments",
        "我的预约",
        "申请人：本人的预约；工作人员：所辖区域时段的预约。",
    )
    @blp.problems(401, 422)
    def get(self, args: dict):
        """Applicants: their bookings; staff: bookings of their region's slots."""
        items = service.list_appointments(current_user(), args["include_cancelled"])
        return {"items": items}

    @idempotent
    @login_required
    @blp.arguments(BookingSchema)
    @blp.response(201, AppointmentSchema)
    @blp.operation("bookAppointment", "预约", "预约一个时段的名额；已满返回 409 SLOT_FULL。")
    @blp.headers("IdempotencyKey")
    @blp.problems(
        401,
        (403, "工作人员不能预约"),
        (404, "SLOT_NOT_FOUND；APPLICATION_NOT_FOUND：关联的申请不存在"),
        (409, "SLOT_FULL、ALREADY_BOOKED、SLOT_PAST"),
        *JSON_BODY,
        (422, "VALIDATION_FAILED、PURPOSE_MISMATCH"),
    )
    def post(self, body: dict):
        """Book a place (409 SLOT_FULL when none is left)."""
        return service.book(current_user(), body)


@blp.route("/appointments/<int:appointment_id>")
class AppointmentItem(MethodView):
    @login_required
    @blp.response(204)
    @blp.operation("cancelAppointment", "取消预约", "在时段开始前取消本人的预约。")
    @blp.problems(401, (404, "APPOINTMENT_NOT_FOUND"), (409, "APPOINTMENT_STARTED"))
    def delete(self, appointment_id: int):
        """Cancel one's own booking before it starts."""
        service.cancel(current_user(), appointment_id)
