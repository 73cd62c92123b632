"""The access matrix: every URL pattern of the site, requested as every role of the world and
anonymously, GET and POST, against objects each role should reach and objects it should not,
held to the `@reach` declaration beside the view (`lachealth/reach.py`).

- `patterns.py` walks Django's resolver into cases and checks their declarations;
- `world.py` builds the world once per test module: users in every role, each area's children
  with one of every object a URL names, and a foreign area nobody serves;
- `probes.py` plans the requests, sends each in a transaction rolled back afterwards, and
  judges them: status, no child shown to whom they are not, nothing written by a refused POST.

Each app's `tests/<app>/test_access_matrix.py` runs the cases of its URLs (so pytest-xdist
spreads them); `bench/access_matrix.py` prints the matrix's size and time.
"""
