"""The word lists of the person recognizer (person_cue_recognizer.py): words that are
not names, first names that are also words, and the table headers that say a column
holds people or goods; the cue patterns and the first-name list the prefilter also reads
(checker/triggers.py, without Presidio)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

# Capitalised words that are not names: cue words, function words, group and role
# words, weekdays and months, nouns that often follow a name ("Anna hat Geburtstag"),
# and AI products. Common surnames that are also words (Müller, Koch, Weiß) are
# deliberately absent.
STOP_WORDS = frozenset(
    """
    Herr Herrn Herren Frau Frauen Damen Dame Hr Fr Mr Mrs Ms Miss Sir Madam Madame Doktor
    Professor Professorin Hallo Hello Hi Hey Liebe Lieber Liebes Lieben Dear Sehr Geehrte
    Geehrter Grüße Grüßen Gruß Grüsse Gruss Danke Dank Thanks Regards Best Kind Cheers Der
    Die Das Dem Den Des Ein Eine Einen Einem Einer Eines Und Oder Aber Auch Noch Schon Nur
    Wenn Dann Weil Denn Dass Ob Als Wie Wo Was Wer Wann Warum Bei Mit Von Vom Zum Zur Für
    Auf Aus An Am Im In Ist Sind War Hat Haben Wird Kann Bitte Ja Nein Nicht Kein Keine Ich
    Du Er Sie Es Wir Ihr Ihnen Ihre Ihrer Ihren Ihrem Ihres Mein Meine Meinen Meinem Meiner
    Dein Deine Deinen Deinem Deiner Sein Seine Unser Unsere Euer Eure Uns Man Alle Allen
    Alles Jeder Jede Jedes Diese Dieser Dieses Hier Heute Morgen Gestern Jetzt Gerne The A
    An And Or But If Then So This That These Those My Your Our Their His Her Its Is Are Was
    Were Has Have Had Will Would Can Could Should Shall May Might Must Do Does Did Not No
    Yes Please Thank You We They He She It All Everyone Everybody Team Zusammen Allerseits
    Miteinander Leute Kollegen Kolleginnen Kollege Kollegin Freunde Freundinnen Freund
    Freundin Mitarbeiter Mitarbeiterin Mitarbeiterinnen Mitarbeitende Kunde Kunden Kundin
    Kundinnen Kundschaft Nutzer Nutzerin Nutzende Mitglieder Eltern Kinder Nachbarn Familie
    Gemeinde Welt Support Service Vertrieb Buchhaltung Verwaltung Personalabteilung
    Abteilung Geschäftsführung Leitung Redaktion Schatz Liebling Mama Papa Mutti Vati Oma
    Opa Tante Onkel Chef Chefin Gott Ober Pfarrer Minister Ministerin Präsident Präsidentin
    Bürgermeister Bürgermeisterin Direktor Direktorin Lehrer Lehrerin Kommissar Kommissarin
    Vorsitzende Vorsitzender Folks Guys Colleagues Colleague Friends Friend Customer
    Customers Client Clients User Users Members Member Partners Partner Hiring Manager
    Recruiter Applicant Candidate Students Parents Reader Readers Sales Admin Administrator
    Valued Sirs Madams Ladies Gentlemen Mom Dad Mum Everyone Montag Dienstag Mittwoch
    Donnerstag Freitag Samstag Sonnabend Sonntag Wochenende Monday Tuesday Wednesday
    Thursday Friday Saturday Sunday Weekend Januar Jänner Februar März April Mai Juni Juli
    August September Oktober November Dezember January February March June July October
    December Zeit Geburtstag Urlaub Besuch Hunger Durst Angst Lust Recht Glück Pech Bescheid
    Termin Termine Feierabend Dienst Schicht Fieber Schmerzen Probleme Problem Fragen Frage
    Interesse Zugriff Kontakt Ahnung Spaß Freude Sorgen Erfahrung Geld Post Nachricht
    Nachrichten Feedback Bericht Daten Unterlagen Informationen Infos Hilfe Unterstützung
    Erfolg Abend Mittag Nacht Woche Jahr Jahre Tag Tage Stunden Minuten Euro Prozent
    Rechnung Rechnungen Vertrag Projekt Meeting Anruf Mail Email Antwort Zugang ChatGPT
    Claude Gemini Copilot Bard Llama Mistral Siri Alexa Cortana Assistant Bot Chatbot
    Assistent Assistentin Grok GmbH Inc Ltd Corp Company Holding Group Gruppe Verein
    Stiftung Stadtwerke Himmelfahrt Weihnachten Ostern Pfingsten Christmas Easter Pat
    """.split()  # noqa: SIM905 - a word block is easier to read and extend
)

# First names that are also common words ("Can", "Will", "Mark"): never found by the
# list alone, only where a cue says a name follows and the name ends its line or a
# surname follows ("my name is Can Gruber", "Thanks,\nCan", "Patient: Can Johnson").
AMBIGUOUS_FIRST_NAMES = frozenset(
    "Can Will May Mark Per Wolf Ernst Rose Grace Hope Bill June Heide Ion Ruby".split()  # noqa: SIM905
)


# CSV-like tables (see table_columns): columns whose header says they hold names.
PERSON_COLUMNS = frozenset(
    """
    vorname nachname familienname vor-_und_nachname vollständiger_name ansprechpartner
    ansprechpartnerin ansprechperson kontaktperson mitarbeiter mitarbeiterin mitarbeitende
    patient patientin bewerber bewerberin teilnehmer teilnehmerin kontoinhaber
    kontoinhaberin versicherter versicherte sachbearbeiter sachbearbeiterin verfasser
    first_name last_name firstname lastname full_name fullname given_name surname
    family_name contact_person employee employee_name applicant patient_name customer_name
    contact_name person owner_name kundenname mitarbeitername
    """.split()  # noqa: SIM905
)
# Columns that may hold a person or a product/company: only name-shaped cells count.
MAYBE_PERSON_COLUMNS = frozenset(
    "name namen kunde kundin contact customer empfänger absender inhaber recipient".split()  # noqa: SIM905
)
# A table with one of these headers lists goods, not people ("Name;Artikel;Preis").
PRODUCT_COLUMNS = frozenset(
    """
    artikel artikelnummer art.-nr. artnr artikel-nr produkt produktname preis einzelpreis
    stückpreis menge anzahl stück einheit sku ean gtin kategorie lagerbestand bestand
    product product_name item price unit_price qty quantity stock category version
    """.split()  # noqa: SIM905
)

# Rules whose column or field says it holds a person: "Heinz" or "Oetker" there is a
# name, not the brand (name_lexicon.not_a_person is not asked).
FIELD_RULES = frozenset(
    {
        "person column",
        "name column",
        "person field",
        "SQL person column",
        "vCard name",
        "ID-card field",
    }
)

# Titles before a name (PersonCueRecognizer's cues).
TITLE = (
    r"(?:Prof\.|Dr\.-Ing\.|Dr\.(?:[ \t]?(?:med|rer|nat|phil|jur|iur|dent|vet|oec|pol|theol"
    r"|habil|mult|ing|h\.[ \t]?c)\.)*|Dipl\.-[A-Z][a-zäöü]*\.|Mag\.(?:a\.)?|Ing\.|Priv\.-Doz\."
    r"|Univ\.-Prof\.|Doktor|Professor(?:in)?)"
)
TITLES = rf"(?:{TITLE}[ \t]+)*"

_CLOSINGS = (
    r"(?:[Mm]it[ \t]+)?(?:(?:[Vv]iele[n]?|[Bb]este[n]?|[Ll]iebe[n]?|[Hh]erzliche[n]?"
    r"|[Ff]reundliche[nm]?|[Ss]chöne[n]?|[Ss]onnige[n]?|[Kk]ollegiale[n]?)[ \t]+)?"
    r"(?:Grüße[n]?|Grüsse[n]?|Gruß|Gruss)"
    r"|(?:[Dd]anke|[Dd]ank)[ \t]+(?:und|&|\+)[ \t]+(?:[Vv]iele[ \t]+)?(?:Grüße|Grüsse|Gruß|Gruss)"
    r"|(?:Gruß|Gruss|Grüße|Grüsse)[ \t]+(?:und|&)[ \t]+[Dd]ank"
    r"|MfG|LG|VG|(?:[Bb]est|[Kk]ind|[Ww]arm(?:est)?)[ \t]+(?:[Rr]egards|[Ww]ishes)|[Rr]egards"
    r"|[Cc]heers|(?:[Yy]ours[ \t]+)?(?:[Ss]incerely|[Ff]aithfully|[Tt]ruly)|[Bb]est"
    r"|(?:[Mm]any[ \t]+)?[Tt]hanks|[Tt]hank[ \t]+you|[Dd]anke(?:[ \t]+schön)?"
    r"|[Vv]ielen[ \t]+[Dd]ank"
)
# A closing formula at the start of a line, then the name on the next line (or on
# the same line after it); "i.A."/"i.V." and titles may stand before the name.
CLOSING_RE = re.compile(
    rf"^[ \t]*(?:{_CLOSINGS})[ \t]*[,.!]?(?P<gap>[ \t]*(?:\r?\n[ \t]*){{1,2}}|[ \t]+)"
    rf"(?:(?:i\.[ \t]?A\.|i\.[ \t]?V\.|ppa\.|pp\.)[ \t]+)?(?P<titles>{TITLES})",
    re.MULTILINE,
)


@cache
def load_first_names() -> frozenset[str]:
    """Read ``checker/data/first_names.txt`` once per process."""
    text = resources.files("checker").joinpath("data/first_names.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )
