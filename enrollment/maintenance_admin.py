"""Django admin pieces of roster maintenance: proof documents on a request (with an audited download),
ID card orders, and the history context of a specialist's own edits (enrollment.admin uses them)."""

import pghistory
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from core.admin_tools import ReadOnlyInline, ViewOnlyAdmin
from enrollment import documents
from enrollment.models import CoverageEvent, CoveredMemberEvent, DependentEvent, ProofDocument, SubscriberEvent


class HistoryContextAdmin(admin.ModelAdmin):
    """A specialist's edit of a tracked row records who made it in the History tab."""

    def changeform_view(self, request, *args, **kwargs):
        with pghistory.context(user=request.user.pk, url=request.path):
            return super().changeform_view(request, *args, **kwargs)


def download_link(document: ProofDocument) -> str:
    url = reverse("admin:enrollment_proofdocument_download", args=[document.pk])
    return format_html('<a href="{}">Download {}</a>', url, document.get_kind_display())


class ProofDocumentInline(ReadOnlyInline):
    """The proof documents of a life-event request, for the specialist reviewing it."""

    model = ProofDocument
    fields = ("kind", "original_name", "content_type", "size", "uploaded_by", "uploaded_at", "download")
    readonly_fields = fields

    @admin.display(description="file")
    def download(self, obj):
        return download_link(obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


@admin.register(ProofDocument)
class ProofDocumentAdmin(admin.ModelAdmin):
    list_display = ("kind", "subscriber", "group", "request", "content_type", "size", "uploaded_at", "download")
    list_filter = ("kind", "content_type")
    search_fields = ("=subscriber__subscriber_number", "=group__group_number", "=request__confirmation_number")
    list_select_related = ("subscriber", "group", "request")
    raw_id_fields = ("group", "subscriber", "request", "uploaded_by")
    readonly_fields = ("stored_name", "sha256", "content_type", "size", "download")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # documents come with a group admin's life-event request

    @admin.display(description="file")
    def download(self, obj):
        return download_link(obj)

    def get_urls(self):
        return [
            path("<int:document_id>/download/", self.admin_site.admin_view(self.download_view), name="enrollment_proofdocument_download"),
        ] + super().get_urls()

    def download_view(self, request, document_id):
        """Hand the file to a specialist who may view documents, and audit it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        document = get_object_or_404(ProofDocument.objects.select_related("group"), pk=document_id)
        documents.audit_download(actor=request.user, group=document.group, object_type="proof_document", object_id=str(document.pk),
                                 ip_address=request.META.get("REMOTE_ADDR"))
        return FileResponse(documents.open_private_file(document.stored_name), as_attachment=True, content_type=document.content_type,
                            filename="%s-%d.%s" % (document.kind.replace("_", "-"), document.pk, documents.ALLOWED_TYPES[document.content_type]))


class EventAdmin(ViewOnlyAdmin):
    """django-pghistory's event rows, read-only: every old value of a subscriber, dependent, coverage or covered member."""

    list_display = ("pgh_created_at", "pgh_label", "pgh_obj_id", "confirmation_number")
    list_filter = ("pgh_label",)
    search_fields = ("=pgh_obj_id",)
    list_select_related = ("pgh_context",)
    show_full_result_count = False


    @admin.display(description="confirmation number")
    def confirmation_number(self, obj):
        return (obj.pgh_context.metadata.get("confirmation_number") or "") if obj.pgh_context_id else ""


for _event_model in (SubscriberEvent, DependentEvent, CoverageEvent, CoveredMemberEvent):
    admin.site.register(_event_model, EventAdmin)
