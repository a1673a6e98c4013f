"""``helhed bench``: the analytics engine against a pandas and a Django ORM baseline.

``generate`` writes a synthetic store of a given size, ``pandas_baseline``
and ``orm_baseline`` compute the same indicators the way an analyst and a web
developer would, and ``run`` times all three, checks they agree to the last
digit and prints the ratios.
"""
