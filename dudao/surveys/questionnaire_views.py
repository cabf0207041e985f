"""Questionnaire screens (问卷): the list (built-ins and the office's own), a revision's page
with its history, the draft editor (one form per question, phone-friendly),
publish/retire/copy/new revision/delete.

Who: the office admin writes its own office's questionnaires; inspectors, zone leaders,
viewers (and the superuser) read; school users have no questionnaire screens (403). Every
object comes through `scoping.get_questionnaire_for` (another county's questionnaire:
404); every write is a `questionnaire_services` call."""

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.core import revisions
from dudao.core.errors import DomainError
from dudao.core.forms import apply_domain_error
from dudao.core.paging import is_htmx, paginate
from dudao.core.permissions import office_admin_required, role_required

from . import queries
from . import questionnaire_services as services
from .forms import CopyForm, QuestionForm, QuestionnaireFilterForm, QuestionnaireForm, SectionForm
from .models import Question, Section
from .workflow import QUESTIONNAIRE_WORKFLOW

READ_ROLES = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.VIEWER)
HEADER = ("title", "audience", "description", "source")  # the questionnaire's own form

# The views every revisioned definition shares (dudao.core.revisions).
SCREENS = revisions.RevisionScreens(
    get_for=scoping.get_questionnaire_for,
    detail="surveys:questionnaire_detail",
    edit="surveys:questionnaire_edit",
    list="surveys:questionnaire_list",
    workflow=QUESTIONNAIRE_WORKFLOW,
    published=services.REVISIONS.wording.published,
)
_draft_of_mine = SCREENS.require_draft_of
_editor = SCREENS.to_editor


def _section_for(user, pk) -> Section:
    section = get_object_or_404(Section.objects.select_related("questionnaire"), pk=pk)
    scoping.get_questionnaire_for(user, section.questionnaire_id)  # 404 when not theirs
    return section


def _question_for(user, pk) -> Question:
    question = get_object_or_404(Question.objects.select_related("questionnaire", "section"), pk=pk)
    scoping.get_questionnaire_for(user, question.questionnaire_id)
    return question


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
        "is_admin": revisions.can_copy(request.user),
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
    shared = SCREENS.detail_context(
        request,
        questionnaire,
        visible=scoping.questionnaires_for(request.user),
        problems=lambda: services.publish_problems(questionnaire),
        copy_form=CopyForm(),
    )
    return render(
        request,
        "surveys/questionnaire_detail.html",
        {"questionnaire": questionnaire, "sections": _content(questionnaire), **shared},
    )


# ---- create, copy, revise, publish, retire, delete --------------------------------------------


@office_admin_required
def questionnaire_create(request):
    return SCREENS.create(
        request,
        form_class=QuestionnaireForm,
        fields=HEADER,
        service=services.create_questionnaire,
        template="surveys/questionnaire_create.html",
    )


# The buttons of a revision's page (office admin, POST; dudao.core.revisions).
_buttons = SCREENS.write_views(
    copy=services.copy_questionnaire,
    copy_form=CopyForm,
    new_revision=services.new_revision,
    publish=services.publish,
    published=gettext_lazy("The questionnaire is published."),
    retire=services.retire,
    retired=gettext_lazy("The questionnaire is retired."),
    delete=services.delete_draft,
)
questionnaire_copy = _buttons.copy
questionnaire_new_revision = _buttons.new_revision
questionnaire_publish = _buttons.publish
questionnaire_retire = _buttons.retire
questionnaire_delete = _buttons.delete


# ---- the draft editor ---------------------------------------------------------------------------


@office_admin_required
def questionnaire_edit(request, pk):
    """The draft's header form and its sections and questions."""
    questionnaire = scoping.get_questionnaire_for(request.user, pk)
    return SCREENS.edit_header(
        request,
        questionnaire,
        form_class=QuestionnaireForm,
        fields=HEADER,
        service=services.update_questionnaire,
        render_editor=lambda form: render(
            request,
            "surveys/questionnaire_edit.html",
            {
                "questionnaire": questionnaire,
                "form": form,
                "sections": _content(questionnaire),
                "section_form": SectionForm(),
                "problems": services.publish_problems(questionnaire),
            },
        ),
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
