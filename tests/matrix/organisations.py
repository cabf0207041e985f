from .common import ADMIN_ONLY

# The office admin's own office (no object in the URL); an empty POST re-renders the form.
MATRIX = {
    "organisations:office": (None, ADMIN_ONLY, ADMIN_ONLY),
}
