"""A newborn's condition is answered by the row about the first weeks of life that names it,
before a general reading (epilepsy) or CAUSES' routine newborn care."""

from __future__ import annotations


def test_a_newborns_seizures_are_the_perinatal_row_not_epilepsy(full_engine):
    ans = full_engine.ask("mi bebe de 5 dias tuvo convulsiones")
    assert (ans.cartera, ans.covered, ans.matches[0]["numero"]) == ("SMSXXI", True, 109)
    assert ans.clarify == []
    older = full_engine.ask("mi hijo de 8 años tuvo convulsiones")
    assert older.cartera == "CAUSES"


def test_a_named_malformation_is_not_routine_newborn_care(full_engine):
    ans = full_engine.ask("gastrosquisis en mi bebe recien nacido")
    assert (ans.cartera, ans.matches[0]["numero"]) == ("FPGC", 8)


def test_newborn_jaundice_keeps_its_own_row(full_engine):
    ans = full_engine.ask("mi bebé recién nacido está amarillo")
    assert ans.covered is True and "ictericia" in ans.matches[0]["nombre"].lower()


def test_a_disease_is_not_the_vaccine_that_names_it(full_engine):
    ill = full_engine.ask("mi hija de 8 años tiene tos ferina, la cubren?")
    assert ill.covered is True and "ferina" in ill.matches[0]["nombre"].lower()
    assert not ill.matches[0]["nombre"].lower().startswith("vacun")
    shot = full_engine.ask("la vacuna de la tosferina para mi bebe de 2 meses")
    assert shot.covered is True and shot.matches[0]["nombre"].lower().startswith("vacun")
