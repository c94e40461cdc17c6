"""Django admin of continuation (COBRA or state): read-only for the billing specialists, with the election notice (audited).

Every change goes through a request (enrollment.continuation_processors): a specialist decides one
that needs review with "Approve and apply" or "Reject with a reason" on the request itself.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from core.admin_tools import ReadOnlyInline, ViewOnlyAdmin
from enrollment import documents
from enrollment.models import Continuation, QualifiedBeneficiary


class QualifiedBeneficiaryInline(ReadOnlyInline):
    model = QualifiedBeneficiary
    fields = ("dependent", "relationship", "elected")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("dependent")


@admin.register(Continuation)
class ContinuationAdmin(ViewOnlyAdmin):
    list_display = ("subscriber", "group", "event_kind", "event_date", "status", "election_deadline", "maximum_end", "law", "notice")
    list_filter = ("status", "law", "event_kind", "extension")
    search_fields = ("=subscriber__subscriber_number", "=group__group_number", "=request__confirmation_number", "subscriber__last_name")
    list_select_related = ("subscriber", "group")
    raw_id_fields = ("group", "subscriber", "plan", "request", "election_request", "end_request")
    inlines = [QualifiedBeneficiaryInline]
    show_full_result_count = False


    @admin.display(description="election notice")
    def notice(self, obj):
        if not obj.notice_file:
            return ""
        return format_html('<a href="{}">Download</a>', reverse("admin:enrollment_continuation_notice", args=[obj.pk]))

    def get_urls(self):
        return [
            path("<int:continuation_id>/notice/", self.admin_site.admin_view(self.notice_view), name="enrollment_continuation_notice"),
        ] + super().get_urls()

    def notice_view(self, request, continuation_id):
        """Hand the election notice to a specialist who may view continuations, and audit it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        continuation = get_object_or_404(Continuation.objects.select_related("group", "subscriber"), pk=continuation_id)
        if not continuation.notice_file:
            raise Http404("No election notice yet.")
        documents.audit_download(actor=request.user, group=continuation.group, object_type="continuation_notice", object_id=str(continuation.pk),
                                 ip_address=request.META.get("REMOTE_ADDR"))
        return FileResponse(documents.open_private_file(continuation.notice_file), as_attachment=True, content_type="application/pdf",
                            filename="election-notice-%s-%d.pdf" % (continuation.subscriber.subscriber_number, continuation.pk))
