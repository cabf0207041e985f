"""Authorisation-matrix rows per domain, collected by tests/test_authorization_matrix.py.

Each module may define MATRIX ({url name: (args_for(world) | None, {role: status})}),
OUT_OF_SCOPE ([(url name, args_for, [roles])]) and WRITES ({url name: args_for}). The
helpers `everyone`, `only`, `LOGIN`, `ADMIN_ONLY`, `POST_ONLY_ADMIN` live in
tests/matrix/common.py.
"""
