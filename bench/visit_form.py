"""The visit form's POST fields for a plain visit (every item fine), as a phone sends them:
shared by bench/supervision.py and bench/load.py."""

import uuid


def visit_form_data(visited_at: str) -> dict:
    """`visited_at`: the form's local "YYYY-MM-DDTHH:MM"."""
    data = {
        "client_uuid": str(uuid.uuid4()),
        "visited_at": visited_at,
        "unannounced": "on",
        "methods": ["campus_walk", "class_visit"],
        "minimums": ["class_attended"],
        "feedback": "总体情况良好。",
        "submit": "1",
    }
    for n in range(1, 9):
        data[f"area_{n}_status"] = "fine"
        data[f"area_{n}_note"] = ""
    return data
