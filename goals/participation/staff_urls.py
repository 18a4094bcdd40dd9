"""Staff: residents' questions (mounted under /staff/ by goals.urls)."""

from django.urls import path

from goals.participation.views import staff

urlpatterns = [
    path("questions/", staff.question_list, name="staff_questions"),
    path("questions/<id:pk>/answer/", staff.answer, name="staff_question_answer"),
    path("questions/<id:pk>/hide/", staff.hide, name="staff_question_hide"),
    path("questions/<id:pk>/revise/", staff.revise, name="staff_question_revise"),
    path("questions/<id:pk>/forward/", staff.forward, name="staff_question_forward"),
]
