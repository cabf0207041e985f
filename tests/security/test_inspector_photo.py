"""An inspector's photo is printed on boards and shown on the public page, both of which decode
it: a photo declaring too many pixels (a decompression bomb) is refused on the form, from its
header, before anything decodes it."""

import time

from django.core.files.uploadedfile import SimpleUploadedFile

from dudao.inspectors.forms import InspectorForm
from tests.core.test_files_images import declared_png


def form_with_photo(world, content: bytes) -> InspectorForm:
    inspector = world.inspector
    data = {
        field: getattr(inspector, field)
        for field in ("name", "mobile", "kind", "status")
        if hasattr(inspector, field)
    }
    photo = SimpleUploadedFile("me.png", content, content_type="image/png")
    return InspectorForm(data, {"photo": photo}, instance=inspector, office=world.office)


def test_a_photo_of_81_megapixels_is_refused_naming_its_size(world):
    # Under Pillow's own bomb threshold (which the image field applies), over the kernel's.
    started = time.perf_counter()
    form = form_with_photo(world, declared_png(9_000, 9_000))
    form.is_valid()
    assert time.perf_counter() - started < 2
    assert "9000 × 9000" in str(form.errors["photo"])


def test_a_photo_declaring_2500_megapixels_is_refused(world):
    form = form_with_photo(world, declared_png(50_000, 50_000))
    assert not form.is_valid()
    assert "photo" in form.errors
