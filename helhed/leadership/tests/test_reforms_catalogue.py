"""The national catalogue of reforms: loaded by the data migration, idempotent by code."""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps

from helhed.leadership.actions.reforms import install_reforms, load_reforms_file
from helhed.leadership.models import Reform, ReformElement
from helhed.test import BaseTestCase

EXPECTED = {
    "aeldrereformen": "elderly",
    "sundhedsreformen": "health",
    "kvalitetsprogram-folkeskolen": "school",
    "barnets-lov": "children",
    "beskaeftigelsesreformen": "employment",
}


class CatalogueTests(BaseTestCase):
    def test_the_migration_loaded_five_reforms_with_their_elements(self) -> None:
        # No install call here: the rows come from migration 0002_reforms.
        reforms = {r.code: r for r in Reform.objects.all()}
        assert {code: r.area for code, r in reforms.items()} == EXPECTED
        for reform in reforms.values():
            count = reform.elements.count()
            assert 3 <= count <= 6, reform.code
        assert reforms["barnets-lov"].in_force_from == dt.date(2024, 1, 1)
        assert "17 sundhedsråd" in reforms["sundhedsreformen"].summary
        assert "33 initiativer" in reforms["kvalitetsprogram-folkeskolen"].summary
        assert ReformElement.objects.filter(leaves_to_municipality=True).exists()
        assert ReformElement.objects.filter(leaves_to_municipality=False).exists()

    def test_loading_again_changes_nothing(self) -> None:
        before = list(ReformElement.objects.values_list("pk", "reform__code", "title"))
        assert install_reforms() == 5
        assert install_reforms() == 5
        migration = importlib.import_module("helhed.leadership.migrations.0002_reforms")
        migration.load_reforms(apps, None)
        assert Reform.objects.count() == 5
        after = list(ReformElement.objects.values_list("pk", "reform__code", "title"))
        assert sorted(after) == sorted(before)

    def test_the_file_and_the_database_agree(self) -> None:
        for entry in load_reforms_file():
            reform = Reform.objects.get(code=entry["code"])
            titles = list(reform.elements.order_by("sort_order").values_list("title", flat=True))
            assert titles == [e["title"] for e in entry["elements"]]

    def test_a_renamed_reform_is_updated_in_place(self) -> None:
        Reform.objects.filter(code="barnets-lov").update(name="Gammelt navn")
        install_reforms()
        assert Reform.objects.get(code="barnets-lov").name == "Barnets Lov"
