from .common import everyone

# The dashboard adapts to the role (county, zone, own schools, region); a school has none.
DASHBOARD = everyone(200) | {"school": 403}

MATRIX = {
    "dashboards:overview": (None, DASHBOARD),
    "dashboards:overview_data": (None, DASHBOARD),
}
