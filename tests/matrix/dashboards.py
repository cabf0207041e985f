from .common import AS_GET, everyone

# The dashboard adapts to the role (county, zone, own schools, region); a school has none.
DASHBOARD = everyone(200) | {"school": 403}

MATRIX = {
    "dashboards:overview": (None, DASHBOARD, AS_GET),
    "dashboards:overview_data": (None, DASHBOARD, AS_GET),
}
