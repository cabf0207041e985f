"""Questionnaire screens (问卷): the list (built-ins and the office's own), a revision's page
with its history, the draft editor (one form per question, phone-friendly),
publish/retire/copy/new revision/delete.

Who: the office admin writes its own office's questionnaires; inspectors, zone leaders,
viewers (and the superuser) read; school users have no questionnaire screens (403). Every
object comes through `scoping.get_questionnaire_for` (another county's questionnaire:
404); every write is a `questionnaire_services` call."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.core import workflow as engine
from dudao.core.errors import DomainError
from dudao.core.forms import apply_domain_error
from dudao.core.paging import is_htmx, paginate
from dudao.core.permissions import office_admin_required, role_required

from . import queries
from . import questionnaire_services as services
from .forms import CopyForm, QuestionForm, QuestionnaireFilterForm, QuestionnaireForm, SectionForm
from .models import Question, Questionnaire, Section
from .workflow import QUESTIONNAIRE_WORKFLOW, QuestionnaireAction

READ_ROLES = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.VIEWER)
Status = Questionnaire.Status


def _is_admin_of(user, questionnaire) -> bool:
    return (
        user.role == Role.OFFICE_ADMIN
        and bool(user.office_id)
        and questionnaire.office_id == user.office_id
    )


def _can_copy(user) -> bool:
    return user.role == Role.OFFICE_ADMIN and bool(user.office_id) and not user.is_superuser


def _section_for(user, pk) -> Section:
    section = get_object_or_404(Section.objects.select_related("questionnaire"), pk=pk)
    scoping.get_questionnaire_for(user, section.questionnaire_id)  # 404 when not theirs
    return section


def _question_for(user, pk) -> Question:
    question = get_object_or_404(Question.objects.select_related("questionnaire", "section"), pk=pk)
    scoping.get_questionnaire_for(user, question.questionnaire_id)
    return question


def _draft_of_mine(user, questionnaire) -> None:
    """The editor's forms are for the office admin's own drafts only (403 otherwise; the
    services refuse the writes anyway)."""
    if not _is_admin_of(user, questionnaire) or questionnaire.status != Status.DRAFT:
        raise PermissionDenied


def _back(questionnaire):
    return redirect("surveys:questionnaire_detail", pk=questionnaire.pk)


def _editor(questionnaire_id):
    return redirect("surveys:questionnaire_edit", pk=questionnaire_id)


def _content(questionnaire):
    """The sections of a revision with their questions (two queries)."""
    return questionnaire.sections.order_by("position").prefetch_related(
        Prefetch("questions", queryset=Question.objects.order_by("position"))
    )


# ---- list and detail ---------------------------------------------------------------------------


@role_required(*READ_ROLES)
def questionnaire_list(request):
    form = QuestionnaireFilterForm(request.GET or None)
    qs = scoping.questionnaires_for(request.user).select_related("office")
    audience, every_revision = "", False
    if form.is_valid():
        audience = form.cleaned_data["audience"]
        every_revision = form.cleaned_data["revisions"]
    if audience:
        qs = qs.filter(audience=audience)
    if not every_revision:
        qs = queries.newest_revisions(qs)
    qs = qs.annotate(question_count=Count("questions")).order_by("office_id", "title", "-revision")
    page, query = paginate(request, qs)
    context = {
        "page": page,
        "query": query,
        "form": form,
        "is_admin": _can_copy(request.user),
    }
    template = (
        "surveys/_questionnaire_table.html"
        if is_htmx(request)
        else "surveys/questionnaire_list.html"
    )
    return render(request, template, context)


@role_required(*READ_ROLES)
def questionnaire_detail(request, pk):
    questionnaire = scoping.get_questionnaire_for(request.user, pk)
    visible = scoping.questionnaires_for(request.user)
    actions = engine.allowed_actions(QUESTIONNAIRE_WORKFLOW, questionnaire, request.user)
    is_admin = _is_admin_of(request.user, questionnaire)
    return render(
        request,
        "surveys/questionnaire_detail.html",
        {
            "questionnaire": questionnaire,
            "sections": _content(questionnaire),
            "revisions": queries.revisions_of(visible, questionnaire),
            "events": [
                (event, QUESTIONNAIRE_WORKFLOW.action_label(event.action))
                for event in questionnaire.events.order_by("at", "pk")
            ],
            "can_publish": QuestionnaireAction.PUBLISH in actions,
            "can_retire": QuestionnaireAction.RETIRE in actions,
            "problems": services.publish_problems(questionnaire)
            if is_admin and questionnaire.status == Status.DRAFT
            else [],
            "is_admin": is_admin,
            "can_copy": _can_copy(request.user),
            "copy_form": CopyForm(),
        },
    )


# ---- create, copy, revise, publish, retire, delete --------------------------------------------


@office_admin_required
def questionnaire_create(request):
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            questionnaire = services.create_questionnaire(
                request.user,
                title=data["title"],
                audience=data["audience"],
                description=data["description"],
                source=data["source"],
                request_key=data["request_key"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return _editor(questionnaire.pk)
    return render(request, "surveys/questionnaire_create.html", {"form": form})


@office_admin_required
@require_POST
def questionnaire_copy(request, pk):
    source = scoping.get_questionnaire_for(request.user, pk)
    form = CopyForm(request.POST)
    title = form.cleaned_data["title"] if form.is_valid() else ""
    try:
        copy = services.copy_questionnaire(request.user, source, title=title)
    except DomainError as error:
        messages.error(request, str(error))
        return _back(source)
    messages.success(request, _("Copied into a draft of your office: edit it, then publish it."))
    return _editor(copy.pk)


@office_admin_required
@require_POST
def questionnaire_new_revision(request, pk):
    questionnaire = scoping.get_questionnaire_for(request.user, pk)
    try:
        draft = services.new_revision(request.user, questionnaire)
    except DomainError as error:
        messages.error(request, str(error))
        return _back(questionnaire)
    messages.success(
        request, _("Revision %(revision)s is a draft now.") % {"revision": draft.revision}
    )
    return _editor(draft.pk)


def _transition(request, pk, service, done_message):
    questionnaire = scoping.get_questionnaire_for(request.user, pk)
    try:
        service(request.user, questionnaire, expected_version=request.POST.get("version") or None)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done_message)
    return _back(questionnaire)


@office_admin_required
@require_POST
def questionnaire_publish(request, pk):
    return _transition(request, pk, services.publish, _("The questionnaire is published."))


@office_admin_required
@require_POST
def questionnaire_retire(request, pk):
    return _transition(request, pk, services.retire, _("The questionnaire is retired."))


@office_admin_required
@require_POST
def questionnaire_delete(request, pk):
    questionnaire = scoping.get_questionnaire_for(request.user, pk)
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm the deletion."))
        return _back(questionnaire)
    try:
        services.delete_draft(request.user, questionnaire)
    except DomainError as error:
        messages.error(request, str(error))
        return _back(questionnaire)
    messages.success(request, _("The draft is deleted."))
    return redirect("surveys:questionnaire_list")


# ---- the draft editor ---------------------------------------------------------------------------


@office_admin_required
def questionnaire_edit(request, pk):
    """The draft's header form and its sections and questions."""
    questionnaire = scoping.get_questionnaire_for(request.user, pk)
    if not _is_admin_of(request.user, questionnaire):
        raise PermissionDenied
    if questionnaire.status != Status.DRAFT:
        messages.error(
            request,
            _("A published questionnaire is never changed: make a new revision to edit it."),
        )
        return _back(questionnaire)
    initial = {
        "expected_version": questionnaire.version,
        "title": questionnaire.title,
        "audience": questionnaire.audience,
        "description": questionnaire.description,
        "source": questionnaire.source,
    }
    form = QuestionnaireForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_questionnaire(
                request.user,
                questionnaire,
                expected_version=data["expected_version"],
                title=data["title"],
                audience=data["audience"],
                description=data["description"],
                source=data["source"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return _editor(questionnaire.pk)
    return render(
        request,
        "surveys/questionnaire_edit.html",
        {
            "questionnaire": questionnaire,
            "form": form,
            "sections": _content(questionnaire),
            "section_form": SectionForm(),
            "problems": services.publish_problems(questionnaire),
        },
    )


@office_admin_required
@require_POST
def section_add(request, pk):
    questionnaire = scoping.get_questionnaire_for(request.user, pk)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            services.add_section(request.user, questionnaire, title=form.cleaned_data["title"])
        except DomainError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _("Give the section a title."))
    return _editor(questionnaire.pk)


@office_admin_required
def section_edit(request, pk):
    section = _section_for(request.user, pk)
    _draft_of_mine(request.user, section.questionnaire)
    initial = {"title": section.title, "stamp": services.stamp(section)}
    form = SectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_section(
                request.user,
                section,
                title=form.cleaned_data["title"],
                expected_stamp=form.cleaned_data["stamp"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return _editor(section.questionnaire_id)
    return render(
        request,
        "surveys/section_form.html",
        {"section": section, "questionnaire": section.questionnaire, "form": form},
    )


@office_admin_required
@require_POST
def section_delete(request, pk):
    section = _section_for(request.user, pk)
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm the deletion."))
    else:
        try:
            services.delete_section(request.user, section)
        except DomainError as error:
            messages.error(request, str(error))
    return _editor(section.questionnaire_id)


@office_admin_required
@require_POST
def section_move(request, pk):
    section = _section_for(request.user, pk)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        try:
            services.move_section(request.user, section, up=direction == "up")
        except DomainError as error:
            messages.error(request, str(error))
    return _editor(section.questionnaire_id)


@office_admin_required
def question_add(request, pk):
    section = _section_for(request.user, pk)
    _draft_of_mine(request.user, section.questionnaire)
    form = QuestionForm(request.POST or None, initial={"type": "single", "required": True})
    if request.method == "POST" and form.is_valid():
        try:
            services.add_question(request.user, section, **form.values())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return _editor(section.questionnaire_id)
    return render(
        request,
        "surveys/question_form.html",
        {
            "form": form,
            "section": section,
            "questionnaire": section.questionnaire,
            "question": None,
        },
    )


@office_admin_required
def question_edit(request, pk):
    question = _question_for(request.user, pk)
    _draft_of_mine(request.user, question.questionnaire)
    form = QuestionForm(
        request.POST or None, initial=QuestionForm.initial_for(question, services.stamp(question))
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_question(
                request.user, question, expected_stamp=form.cleaned_data["stamp"], **form.values()
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return _editor(question.questionnaire_id)
    return render(
        request,
        "surveys/question_form.html",
        {
            "form": form,
            "section": question.section,
            "questionnaire": question.questionnaire,
            "question": question,
        },
    )


@office_admin_required
@require_POST
def question_delete(request, pk):
    question = _question_for(request.user, pk)
    try:
        services.delete_question(request.user, question)
    except DomainError as error:
        messages.error(request, str(error))
    return _editor(question.questionnaire_id)


@office_admin_required
@require_POST
def question_move(request, pk):
    question = _question_for(request.user, pk)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        try:
            services.move_question(request.user, question, up=direction == "up")
        except DomainError as error:
            messages.error(request, str(error))
    return _editor(question.questionnaire_id)
