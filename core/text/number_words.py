"""Spanish number words, the one table: amounts ("mil doscientos"), ages ("cuarenta y cinco
años"), dates ("el veintiuno") and counts read them, with the misspellings people write."""

from __future__ import annotations

UNITS = {
    "cero": 0, "un": 1, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5,
    "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12,
    "trece": 13, "catorce": 14, "quince": 15, "dieciseis": 16, "diecisiete": 17,
    "dieciocho": 18, "diecinueve": 19, "veinte": 20, "veintiun": 21, "veintiuno": 21,
    "veintiuna": 21, "veintidos": 22, "veintitres": 23, "veinticuatro": 24,
    "veinticinco": 25, "veintiseis": 26, "veintisiete": 27, "veintiocho": 28,
    "veintinueve": 29,
    # as people also write them
    "dies": 10, "beinte": 20, "bente": 20, "sinco": 5, "nuebe": 9, "cuatorce": 14, "quinse": 15,
}  # fmt: skip
TENS = {
    "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70,
    "ochenta": 80, "noventa": 90, "sincuenta": 50, "nobenta": 90, "trenta": 30,
    "cuarente": 40,
}  # fmt: skip
HUNDREDS = {
    "cien": 100, "ciento": 100, "doscientos": 200, "doscientas": 200, "trescientos": 300,
    "trescientas": 300, "cuatrocientos": 400, "cuatrocientas": 400, "quinientos": 500,
    "quinientas": 500, "seiscientos": 600, "seiscientas": 600, "setecientos": 700,
    "setecientas": 700, "ochocientos": 800, "ochocientas": 800, "novecientos": 900,
    "novecientas": 900,
    # as people also write them
    "dosientos": 200, "tresientos": 300, "cuatrosientos": 400, "seisientos": 600,
    "sietecientos": 700, "setesientos": 700, "ochosientos": 800, "nuevecientos": 900,
    "novesientos": 900, "trecientos": 300, "trecientas": 300, "tresientas": 300,
    "dosientas": 200, "seicientos": 600, "seisientas": 600, "setesientas": 700,
    "ochosientas": 800, "novesientas": 900, "nobecientos": 900, "quiñentos": 500,
}  # fmt: skip
NUMBER_WORDS = set(UNITS) | set(TENS) | set(HUNDREDS) | {"mil", "y", "medio"}
