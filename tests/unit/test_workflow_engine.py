"""The workflow engine on a small made-up workflow: refusals, field checks, branches."""

from __future__ import annotations

from datetime import date

import pytest

from workflows.diagram import to_mermaid
from workflows.engine import (
    Actor,
    CaseFacts,
    Effect,
    Field,
    Route,
    State,
    Transition,
    Workflow,
)
from workflows.errors import (
    ActionDataInvalid,
    ActionForbidden,
    GuardFailed,
    TransitionNotAllowed,
    UnknownAction,
    WorkflowError,
)

CLERK = Actor(frozenset({"clerk"}))
CHIEF = Actor(frozenset({"chief"}))
APPLICANT = Actor(frozenset({"applicant"}))


def needs_no_missing(facts, data):
    if facts.missing_materials:
        return GuardFailed(
            f"缺少：{'、'.join(facts.missing_materials)}",
            code="MATERIALS_MISSING",
            details=facts.missing_materials,
        )
    return None


def urgent_needs_no_rejected(facts, data):
    """Data-dependent: only an "urgent" closing is refused, and only when data is given."""
    if data is not None and data.get("speed") == "urgent" and facts.rejected_materials:
        return GuardFailed("有退回的材料，不能加急", code="URGENT_REFUSED")
    return None


def reason_when_slow(facts, data):
    if data is not None and data.get("speed") == "slow" and not data.get("comment"):
        return ActionDataInvalid({"comment": ["慢办须说明理由"]})
    return None


def t(action, sources, target, roles, label, **extra):
    return Transition(action, frozenset(sources), target, frozenset(roles), label, **extra)


TOY = Workflow(
    name="toy",
    initial="open",
    states={
        "open": State("open", "待办"),
        "parked": State("parked", "搁置"),
        "done": State("done", "完成", terminal=True),
        "dropped": State("dropped", "放弃", terminal=True),
    },
    transitions=(
        t(
            "remark",
            {"open"},
            None,
            {"clerk"},
            "备注",
            fields=(Field("comment", "理由"),),
            effects=(Effect.RECORD_VERDICT,),
        ),
        t(
            "tag",
            {"open"},
            None,
            {"clerk"},
            "标注",
            fields=(
                Field("codes", "材料清单", kind="list"),
                Field("due", "期限", kind="date", required=False),
                Field("colour", "颜色", choices=("red", "green"), required=False),
                Field("memo", "备忘", required=False, max_length=5),
            ),
        ),
        t(
            "close",
            {"open"},
            "done",
            {"clerk"},
            "办结",
            when=lambda facts: facts.direct_extension,
            effects=(Effect.CLOSE_CASE,),
        ),
        t("close", {"open"}, "parked", {"clerk"}, "办结", effects=(Effect.PAUSE_CLOCK,)),
        t(
            "finish",
            {"parked"},
            "done",
            {"chief"},
            "完成",
            fields=(
                Field("speed", "办理方式", choices=("urgent", "slow", "normal")),
                Field("comment", "说明", required=False),
            ),
            guards=(needs_no_missing, urgent_needs_no_rejected, reason_when_slow),
            effects=(Effect.STOP_CLOCK, Effect.NOTIFY_APPLICANT),
        ),
        t("drop", {"open", "parked", "elsewhere"}, "dropped", {"applicant"}, "放弃"),
    ),
)


def refusal(facts, action, actor, data=None) -> WorkflowError:
    with pytest.raises(WorkflowError) as raised:
        TOY.apply(facts, action, actor, data or {})
    return raised.value


# --- refusals, in the order they are checked -------------------------------------------


def test_an_unknown_action_is_refused_with_its_own_code():
    error = refusal(CaseFacts("open"), "fly", CLERK)
    assert isinstance(error, UnknownAction)
    assert error.code == "ACTION_UNKNOWN" and "fly" in error.message


def test_a_role_that_may_never_take_the_action_is_forbidden_in_any_state():
    for state in ("open", "parked", "done"):
        error = refusal(CaseFacts(state), "finish", CLERK)
        assert isinstance(error, ActionForbidden)
        assert error.code == "ACTION_FORBIDDEN" and "完成" in error.message


def test_the_wrong_state_names_the_current_state_in_chinese():
    error = refusal(CaseFacts("open"), "finish", CHIEF, {"speed": "normal"})
    assert type(error) is TransitionNotAllowed
    assert error.code == "TRANSITION_NOT_ALLOWED"
    assert error.message == "申请当前处于“待办”状态，不能执行“完成”"


def test_nothing_is_allowed_from_a_terminal_state():
    for action in ("remark", "close", "drop"):
        actor = APPLICANT if action == "drop" else CLERK
        assert isinstance(refusal(CaseFacts("dropped"), action, actor), TransitionNotAllowed)


def test_a_failed_guard_has_its_own_code_details_and_is_a_transition_refusal():
    error = refusal(
        CaseFacts("parked", missing_materials=("licence", "plan")),
        "finish",
        CHIEF,
        {"speed": "normal"},
    )
    assert isinstance(error, GuardFailed) and isinstance(error, TransitionNotAllowed)
    assert error.code == "MATERIALS_MISSING"
    assert error.details == ["licence", "plan"]
    assert "licence、plan" in error.message


def test_guards_are_checked_before_the_fields():
    error = refusal(CaseFacts("parked", missing_materials=("licence",)), "finish", CHIEF, {})
    assert isinstance(error, GuardFailed)


def test_a_data_dependent_guard_refuses_only_the_data_it_is_about():
    facts = CaseFacts("parked", rejected_materials=("plan",))
    error = refusal(facts, "finish", CHIEF, {"speed": "urgent"})
    assert isinstance(error, GuardFailed) and error.code == "URGENT_REFUSED"
    assert TOY.apply(facts, "finish", CHIEF, {"speed": "normal"}).to_state == "done"
    assert TOY.available(facts, CHIEF) == ["finish"]


# --- fields ----------------------------------------------------------------------------


def test_a_required_reason_left_blank_asks_for_it():
    error = refusal(CaseFacts("open"), "remark", CLERK, {"comment": "   "})
    assert isinstance(error, ActionDataInvalid)
    assert error.code == "VALIDATION_FAILED"
    assert error.errors == {"comment": ["请填写理由"]}
    assert error.message == "请填写理由"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "codes", "请填写材料清单"),
        ({"codes": []}, "codes", "请填写材料清单"),
        ({"codes": "licence"}, "codes", "材料清单须为非空的文本列表"),
        ({"codes": ["licence", 3]}, "codes", "材料清单须为非空的文本列表"),
        ({"codes": ["licence", "  "]}, "codes", "材料清单不得含空白项"),
        ({"codes": ["a"], "due": "30/11/2026"}, "due", "期限须为YYYY-MM-DD格式的日期"),
        ({"codes": ["a"], "due": "20261130"}, "due", "期限须为YYYY-MM-DD格式的日期"),
        ({"codes": ["a"], "due": "2026-02-30"}, "due", "期限须为YYYY-MM-DD格式的日期"),
        ({"codes": ["a"], "colour": "blue"}, "colour", "颜色须为以下之一：red、green"),
        ({"codes": ["a"], "colour": 1}, "colour", "颜色须为文本"),
        ({"codes": ["a"], "memo": "六个字太长了"}, "memo", "备忘不得超过5个字符"),
    ],
)
def test_each_bad_field_gets_a_chinese_message_under_its_name(data, field, message):
    error = refusal(CaseFacts("open"), "tag", CLERK, data)
    assert isinstance(error, ActionDataInvalid)
    assert error.errors == {field: [message]}


def test_fields_are_cleaned_and_unknown_keys_ignored():
    outcome = TOY.apply(
        CaseFacts("open"),
        "tag",
        CLERK,
        {"codes": [" a ", "b", "a"], "due": "2026-11-30", "colour": "red", "version": 7},
    )
    assert outcome.data == {"codes": ["a", "b"], "due": date(2026, 11, 30), "colour": "red"}


def test_all_input_problems_are_reported_together():
    error = refusal(CaseFacts("parked"), "finish", CHIEF, {"speed": "fast"})
    assert error.errors == {"speed": ["办理方式须为以下之一：urgent、slow、normal"]}
    error = refusal(CaseFacts("open"), "tag", CLERK, {"codes": [], "colour": "blue"})
    assert set(error.errors) == {"codes", "colour"}
    assert error.message == "请填写材料清单；颜色须为以下之一：red、green"


def test_a_rule_across_fields_is_a_validation_error_not_a_refusal():
    error = refusal(CaseFacts("parked"), "finish", CHIEF, {"speed": "slow"})
    assert isinstance(error, ActionDataInvalid)
    assert error.errors == {"comment": ["慢办须说明理由"]}
    outcome = TOY.apply(CaseFacts("parked"), "finish", CHIEF, {"speed": "slow", "comment": "等"})
    assert outcome.data == {"speed": "slow", "comment": "等"}


def test_invalid_input_wins_over_a_data_dependent_refusal():
    facts = CaseFacts("parked", rejected_materials=("plan",))
    error = refusal(facts, "finish", CHIEF, {"speed": "urgent", "comment": "x" * 2001})
    assert isinstance(error, ActionDataInvalid) and set(error.errors) == {"comment"}


# --- outcomes, branches, available -----------------------------------------------------


def test_a_stay_transition_keeps_the_state_and_returns_its_effects():
    outcome = TOY.apply(CaseFacts("open"), "remark", CLERK, {"comment": "已电话联系"})
    assert (outcome.action, outcome.from_state, outcome.to_state) == ("remark", "open", "open")
    assert outcome.effects == (Effect.RECORD_VERDICT,)
    assert outcome.data == {"comment": "已电话联系"}


def test_the_first_branch_whose_condition_holds_is_taken():
    direct = TOY.apply(CaseFacts("open", direct_extension=True), "close", CLERK, {})
    assert (direct.to_state, direct.effects) == ("done", (Effect.CLOSE_CASE,))
    fallback = TOY.apply(CaseFacts("open"), "close", CLERK, {})
    assert (fallback.to_state, fallback.effects) == ("parked", (Effect.PAUSE_CLOCK,))


def test_available_follows_state_role_and_guards_in_definition_order():
    assert TOY.available(CaseFacts("open"), CLERK) == ["remark", "tag", "close"]
    assert TOY.available(CaseFacts("open"), APPLICANT) == ["drop"]
    assert TOY.available(CaseFacts("open"), CHIEF) == []
    assert TOY.available(CaseFacts("parked"), CHIEF) == ["finish"]
    assert TOY.available(CaseFacts("parked", missing_materials=("a",)), CHIEF) == []
    both = Actor(frozenset({"clerk", "applicant"}))
    assert TOY.available(CaseFacts("open"), both) == ["remark", "tag", "close", "drop"]
    assert TOY.available(CaseFacts("done"), both) == []


def test_a_source_that_is_not_a_state_of_the_workflow_never_matches():
    assert TOY.available(CaseFacts("elsewhere"), APPLICANT) == ["drop"]
    assert TOY.label("elsewhere") == "elsewhere"


def test_workflow_queries():
    assert TOY.actions() == ["remark", "tag", "close", "finish", "drop"]
    assert TOY.label("parked") == "搁置"
    assert TOY.is_terminal("done") and not TOY.is_terminal("open")
    assert not TOY.is_terminal("nowhere")


def test_a_definition_that_moves_to_an_undefined_state_is_refused_at_import():
    states = {"a": State("a", "甲")}
    with pytest.raises(ValueError, match="undefined states"):
        Workflow("bad", "a", states, (t("go", {"a"}, "b", {"clerk"}, "去"),))
    with pytest.raises(ValueError, match="undefined states"):
        Workflow("bad", "z", states, ())


def test_a_definition_that_leaves_a_terminal_state_is_refused_at_import():
    states = {"a": State("a", "甲"), "end": State("end", "终", terminal=True)}
    with pytest.raises(ValueError, match="terminal"):
        Workflow("bad", "a", states, (t("undo", {"end"}, "a", {"clerk"}, "撤销"),))


def test_a_field_of_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        Field("when", "时间", kind="datetime")


# --- a target chosen by a field (三级审批's check) ------------------------------------------

ROUTED = Workflow(
    name="routed",
    initial="open",
    states={
        "open": State("open", "待办"),
        "checking": State("checking", "待审核"),
        "done": State("done", "完成", terminal=True),
    },
    transitions=(
        t("send", {"open"}, "checking", {"clerk"}, "送审"),
        t(
            "check",
            {"checking"},
            None,
            {"chief"},
            "审核",
            fields=(Field("opinion", "审核意见", choices=("agree", "disagree")),),
            route=Route("opinion", (("agree", "done"), ("disagree", "open"))),
        ),
    ),
)


@pytest.mark.parametrize(("opinion", "target"), [("agree", "done"), ("disagree", "open")])
def test_a_routed_transition_goes_where_its_field_says(opinion, target):
    outcome = ROUTED.apply(CaseFacts("checking"), "check", CHIEF, {"opinion": opinion})
    assert (outcome.from_state, outcome.to_state) == ("checking", target)
    assert ROUTED.transitions[1].targets() == ("done", "open")


def test_a_routed_transition_needs_its_field_and_a_known_value():
    with pytest.raises(ActionDataInvalid) as missing:
        ROUTED.apply(CaseFacts("checking"), "check", CHIEF, {})
    assert missing.value.errors == {"opinion": ["请填写审核意见"]}
    with pytest.raises(ActionDataInvalid):
        ROUTED.apply(CaseFacts("checking"), "check", CHIEF, {"opinion": "maybe"})


def test_a_route_to_an_undefined_state_is_refused_at_import():
    states = {"a": State("a", "甲")}
    route = Route("opinion", (("agree", "nowhere"),))
    with pytest.raises(ValueError, match="nowhere"):
        Workflow("bad", "a", states, (t("go", {"a"}, None, {"chief"}, "去", route=route),))


def test_the_diagram_draws_one_edge_per_routed_value():
    lines = to_mermaid(ROUTED).splitlines()
    assert "    checking --> done: 审核（check，chief） [opinion=agree]" in lines
    assert "    checking --> open: 审核（check，chief） [opinion=disagree]" in lines
