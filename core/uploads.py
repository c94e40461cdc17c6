"""Refuse an uploaded file past the size limit while it is read, before it fills memory or disk.

Django has no per-file size limit of its own (DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out), so
this handler, first in FILE_UPLOAD_HANDLERS, counts each file's bytes and skips the file once it
passes PROOF_DOCUMENT_MAX_BYTES. The view finds the skipped fields' names in
`request.oversized_uploads` and the form says so next to the field.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


def oversized_uploads(request) -> set:
    """Return the names of the file fields of this request that were skipped for their size."""
    return getattr(request, "oversized_uploads", set())


class SizeLimitUploadHandler(FileUploadHandler):
    """Skip any uploaded file larger than settings.PROOF_DOCUMENT_MAX_BYTES."""

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.PROOF_DOCUMENT_MAX_BYTES:
            if self.request is not None:
                if not hasattr(self.request, "oversized_uploads"):
                    self.request.oversized_uploads = set()
                self.request.oversized_uploads.add(self.field_name)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) keeps the file
