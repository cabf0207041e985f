"""Authorisation-matrix rows per domain, collected by tests/test_authorization_matrix.py.

Each module may define MATRIX ({url name: (args_for(world) | None, {role: GET status},
{role: POST status} | AS_GET)}), OUT_OF_SCOPE ([(url name, args_for, [roles])]) and WRITES
({url name: args_for}). The helpers `everyone`, `only`, `writes`, `LOGIN`, `AS_GET`,
`ADMIN_ONLY`, `POST_ONLY_ADMIN`, `ADMIN_A_ACTION` live in tests/matrix/common.py, with what a
POST row promises.
"""
