"""The generated corpus' templates (checker/evaluation/corpus.py fills them): texts with
personal data, and clean texts of nothing but hard negatives."""

from __future__ import annotations

from checker.evaluation.samples import CLEAN, Template

_T = Template

PII_TEMPLATES: tuple[Template, ...] = (
    # support e-mails
    _T(
        "support_email",
        "de",
        "Betreff: Reklamation zu Bestellung {_order}\n\nGuten Tag,\n\nich habe am {_date} "
        "den Artikel {_product} bestellt, der defekt angekommen ist. Bitte erstatten Sie "
        "{_amount} auf mein Konto {IBAN_CODE}.\n\nMit freundlichen Grüßen\n{PERSON}\n"
        "{STREET_ADDRESS}\nTel. {PHONE_NUMBER}",
        family="complaint_refund_iban",
    ),
    _T(
        "support_email",
        "de",
        "Von: {EMAIL_ADDRESS#a}\nAn: Kundenservice {_company}\nBetreff: Rückruf erbeten\n\n"
        "Hallo zusammen,\n\nhier schreibt {PERSON#a}, Kundennummer {_customer}. Mein Router "
        "mit der IP {IP_ADDRESS} ist seit dem Update auf {_version} nicht mehr erreichbar. "
        "Bitte rufen Sie mich unter {PHONE_NUMBER} zurück.\n\nDanke und Gruß\n{PERSON#a:first}",
        family="callback_router_ip",
    ),
    _T(
        "support_email",
        "de",
        "Sehr geehrte Frau {PERSON#a:last},\n\nleider wurde meine Kreditkarte {CREDIT_CARD} "
        "für die Rechnung {_invoice} doppelt belastet ({_amount}). Können Sie die zweite "
        "Buchung stornieren?\n\nViele Grüße\n{PERSON#b}",
        family="card_double_charge",
    ),
    _T(
        "support_email",
        "de",
        "Grüß Gott,\n\nmein Name ist {PERSON} und ich wohne in der {STREET_ADDRESS}. Seit "
        "{_date} funktioniert mein Zugang zum Kundenportal nicht mehr, ich melde mich von "
        "{IP_ADDRESS} an. Erreichbar bin ich unter {PHONE_NUMBER} oder {EMAIL_ADDRESS}.\n\n"
        "Liebe Grüße",
        family="portal_access_contact",
    ),
    # HR notes
    _T(
        "hr_note",
        "de",
        "Personalnotiz – vertraulich\n\nMitarbeiter: {PERSON#a}\nGeburtsdatum: "
        "{DATE_OF_BIRTH}\nSteuer-ID: {DE_TAX_ID}\nSozialversicherungsnummer: "
        "{DE_SOCIAL_SECURITY#a}\nEintritt: {_date}, Abteilung {_dept}\n\nGehaltsanpassung ab "
        "{_date2} auf {_amount} brutto vereinbart.",
        family="personnel_record",
    ),
    _T(
        "hr_note",
        "de",
        "Kurze Info an die Personalabteilung: Herr {PERSON#a:last} ist seit {_date} "
        "{HEALTH_DATA#s:sick}, voraussichtlich bis {_date2}. Grund laut eigener Aussage: "
        "{HEALTH_DATA#d}. Die Vertretung übernimmt {PERSON#b}.",
        family="sick_leave_note",
    ),
    _T(
        "hr_note",
        "de",
        "Bewerbung als {_job} – Notizen zum Gespräch am {_date}\n\nBewerberin: {PERSON}\n"
        "Anschrift: {STREET_ADDRESS}\nTelefon: {PHONE_NUMBER}\nE-Mail: {EMAIL_ADDRESS}\n"
        "Geburtsdatum: {DATE_OF_BIRTH}\n\nEindruck: fachlich stark, Gehaltsvorstellung "
        "{_amount}. Zweites Gespräch in KW {_kw}.",
        family="interview_notes",
    ),
    _T(
        "hr_note",
        "de",
        "Für die Zuverlässigkeitsüberprüfung von {PERSON} liegen vor: Personalausweis Nr. "
        "{DE_ID_CARD}, Reisepass {DE_PASSPORT}. Dienstwagen: {DE_KFZ}. Bitte bis {_date} an "
        "die Sicherheitsabteilung weiterleiten.",
        family="security_check_documents",
    ),
    _T(
        "hr_note",
        "de",
        "Parkplatzvergabe Tiefgarage, Stand {_date}:\n- Stellplatz {_n}: {PERSON#a}, "
        "{DE_KFZ#a}\n- Stellplatz {_n2}: {PERSON#b}, {DE_KFZ#b}\n- Stellplatz {_n3}: "
        "{PERSON#c}, {DE_KFZ#c}",
        family="parking_list",
    ),
    # invoices
    _T(
        "invoice",
        "de",
        "Rechnung {_invoice}\nRechnungsdatum: {_date}\n\n{_company}\nUSt-IdNr.: {DE_VAT_ID}\n\n"
        "Rechnungsempfänger:\n{PERSON}\n{STREET_ADDRESS}\n\nPos. 1  {_product}  Art.-Nr. "
        "{_article}  {_amount}\nZahlbar bis {_date2} auf IBAN {IBAN_CODE}.",
        family="invoice_letterhead",
    ),
    _T(
        "invoice",
        "de",
        "Sehr geehrter Herr {PERSON#a:last},\n\nanbei die Rechnung für die Arbeiten in der "
        "{STREET_ADDRESS}. Betrag: {_amount}. Meine USt-IdNr.: {DE_VAT_ID}. Bitte überweisen "
        "Sie auf {IBAN_CODE} (Kontoinhaber: {PERSON#b}).\n\nMit freundlichen Grüßen\n"
        "{PERSON#b}\nMobil {PHONE_NUMBER}",
        family="craftsman_invoice",
    ),
    _T(
        "invoice",
        "de",
        "Zahlungsbestätigung\nBestellung {_order} vom {_date}\nKunde: {PERSON}\nZahlart: "
        "Kreditkarte {CREDIT_CARD}\nBetrag: {_amount}\nLieferadresse: {STREET_ADDRESS}",
        family="payment_confirmation",
    ),
    # CRM exports
    _T(
        "crm_csv",
        "de",
        "Bitte bereinige diese Liste (Dubletten entfernen):\n\n"
        "Kundennr;Vorname;Nachname;E-Mail;Telefon;Ort\n"
        "{_customer};{PERSON#a:first};{PERSON#a:last};{EMAIL_ADDRESS#a};{PHONE_NUMBER#a};{_city}\n"
        "{_customer2};{PERSON#b:first};{PERSON#b:last};{EMAIL_ADDRESS#b};{PHONE_NUMBER#b};{_city2}\n"
        "{_customer3};{PERSON#c:first};{PERSON#c:last};{EMAIL_ADDRESS#c};{PHONE_NUMBER#c};{_city3}",
        family="crm_contacts_csv",
    ),
    _T(
        "crm_csv",
        "de",
        "Kannst du daraus eine Tabelle in Markdown machen?\n\nName,Geburtsdatum,IBAN,Kennzeichen\n"
        '"{PERSON#a}",{DATE_OF_BIRTH#a},{IBAN_CODE#a},{DE_KFZ#a}\n'
        '"{PERSON#b}",{DATE_OF_BIRTH#b},{IBAN_CODE#b},{DE_KFZ#b}',
        family="csv_to_markdown",
    ),
    # code with credentials
    _T(
        "code",
        "de",
        "Warum bekomme ich hier einen 401?\n\n```python\nimport openai\n"
        'client = openai.OpenAI(api_key="{SECRET:key}")\n'
        'resp = client.chat.completions.create(model="gpt-4o-mini", messages=msgs)\n```',
        family="sdk_api_key",
    ),
    _T(
        "code",
        "de",
        "Unsere .env für das Staging (Version {_version}):\n\nDB_HOST={IP_ADDRESS}\nDB_USER=app\n"
        "DB_PASSWORD={SECRET#p:password}\nAWS_ACCESS_KEY_ID={SECRET#k:key}\n"
        "ADMIN_MAIL={EMAIL_ADDRESS}\n\nWas ist an der Konfiguration falsch?",
        family="dotenv_staging",
    ),
    _T(
        "code",
        "de",
        "Im Log steht:\n{_logts} WARN login failed for user {EMAIL_ADDRESS} from {IP_ADDRESS}\n"
        "{_logts2} INFO retry ok, session {_uuid}\nIst das ein Angriff?",
        family="login_log",
    ),
    # doctor's notes, sick notes
    _T(
        "medical",
        "de",
        "Arztbrief\n\nPatient: {PERSON}, geb. {DATE_OF_BIRTH}\nVersichertennummer: "
        "{DE_HEALTH_INSURANCE}\n\nDiagnose: {HEALTH_DATA}\nVorstellung am {_date}. Weiteres "
        "Vorgehen: Kontrolle in {_n} Wochen.",
        family="doctor_letter",
    ),
    _T(
        "medical",
        "de",
        "Betreff: Abwesenheit\n\nHallo {PERSON#b:first},\n\nich bin leider ab heute "
        "{HEALTH_DATA#s:sick}, die Bescheinigung kommt per Post. Mein Arzt vermutet "
        "{HEALTH_DATA#d}. Meine Versichertennummer ist {DE_HEALTH_INSURANCE}.\n\n"
        "LG {PERSON#a:first}",
        family="sick_mail",
    ),
    _T(
        "medical",
        "de",
        "Bitte prüfe den Text für die Abrechnung: Versicherte {PERSON}, KVNR "
        "{DE_HEALTH_INSURANCE}, geboren am {DATE_OF_BIRTH}, Behandlung wegen {HEALTH_DATA} "
        "am {_date}.",
        family="billing_check",
    ),
    # chat prompts
    _T(
        "chat_prompt",
        "de",
        "Schreib eine freundliche Antwort an {PERSON} ({EMAIL_ADDRESS}): Sie kann am Teamevent "
        "am {_date} wegen {HEALTH_DATA} nicht teilnehmen, und das ist völlig in Ordnung.",
        family="reply_absence_health",
    ),
    _T(
        "chat_prompt",
        "de",
        "Schreib eine Antwort an {PERSON}, der sich über die Lieferverzögerung bei Auftrag "
        "{_order} beschwert. Er wohnt in der {STREET_ADDRESS} und ist unter {PHONE_NUMBER} "
        "erreichbar. Biete {_pct} Rabatt an.",
        family="reply_delivery_delay",
    ),
    _T(
        "chat_prompt",
        "de",
        "Fasse dieses Telefonat zusammen: {PERSON#a:first} ({PERSON#a}) hat gestern angerufen "
        "und die neue Bankverbindung {IBAN_CODE} durchgegeben. Außerdem hat er die "
        "Kreditkarte {CREDIT_CARD} sperren lassen.",
        family="call_summary_bank",
    ),
    _T(
        "chat_prompt",
        "de",
        "Formuliere eine Mahnung an die Firma {_company}, Ansprechpartner {PERSON}, USt-IdNr. "
        "{DE_VAT_ID}. Offener Betrag {_amount} aus Rechnung {_invoice} vom {_date}.",
        family="dunning_letter",
    ),
    _T(
        "chat_prompt",
        "de",
        "Hilf mir, das Formular auszufüllen: Name {PERSON#a}, Steuer-Identifikationsnummer "
        "{DE_TAX_ID}, Rentenversicherungsnummer {DE_SOCIAL_SECURITY#a}, Kfz-Kennzeichen "
        "{DE_KFZ}.",
        family="form_fill_ids",
    ),
    _T(
        "chat_prompt",
        "de",
        "Übersetze ins Englische: Sehr geehrter Herr {PERSON#a:last}, Ihr Reisepass "
        "({DE_PASSPORT}) liegt zur Abholung bereit. Bitte bringen Sie Ihren Personalausweis "
        "{DE_ID_CARD} mit.",
        family="translate_document_pickup",
    ),
    # English
    _T(
        "support_email",
        "en",
        "Subject: Refund for order {_order}\n\nHi team,\n\nmy name is {PERSON} and I was "
        "charged twice on my card {CREDIT_CARD}. Please refund {_amount_en} to {IBAN_CODE}. "
        "You can reach me at {PHONE_NUMBER} or {EMAIL_ADDRESS}.\n\nThanks,\n{PERSON:first}",
        family="en_refund_request",
    ),
    _T(
        "hr_note",
        "en",
        "HR note: {PERSON#a} (date of birth {DATE_OF_BIRTH}) joins the Munich office on "
        "{_date_en}. Tax ID {DE_TAX_ID}, social security number {DE_SOCIAL_SECURITY#a}. "
        "Home address: {STREET_ADDRESS}.",
        family="en_hr_onboarding",
    ),
    _T(
        "code",
        "en",
        "Can you refactor this?\n\n```js\n"
        'const client = new Anthropic({ apiKey: "{SECRET:key}" });\n'
        'const db = connect("postgres://app:{SECRET#p:password}@{IP_ADDRESS}:5432/crm");\n```',
        family="en_sdk_and_db_url",
    ),
    _T(
        "medical",
        "en",
        "Draft a message to {PERSON} ({EMAIL_ADDRESS}) confirming that we received her note "
        "about the {HEALTH_DATA}. Her health insurance number is {DE_HEALTH_INSURANCE}.",
        family="en_health_note_reply",
    ),
    _T(
        "chat_prompt",
        "en",
        "Write a polite reply to {PERSON}, who asked whether we can deliver to "
        "{STREET_ADDRESS}. Their VAT ID is {DE_VAT_ID} and the pickup vehicle is {DE_KFZ}.",
        family="en_delivery_question",
    ),
    _T(
        "crm_csv",
        "en",
        "Find the suspicious logins in this export:\n\nid,first_name,last_name,email,last_ip\n"
        "{_n},{PERSON#a:first},{PERSON#a:last},{EMAIL_ADDRESS#a},{IP_ADDRESS#a}\n"
        "{_n2},{PERSON#b:first},{PERSON#b:last},{EMAIL_ADDRESS#b},{IP_ADDRESS#b}",
        family="en_login_export",
    ),
    _T(
        "chat_prompt",
        "en",
        "Summarize: {PERSON} called from {PHONE_NUMBER}; she lost her passport {DE_PASSPORT} "
        "and her ID card {DE_ID_CARD} and needs a letter for the embassy.",
        family="en_lost_documents",
    ),
    _T(
        "code",
        "en",
        "git push fails with 'Bad credentials' although I set GITHUB_TOKEN={SECRET:key} in "
        "the CI settings. The runner's IP is {IP_ADDRESS}.",
        family="en_ci_token",
    ),
)

CLEAN_TEMPLATES: tuple[Template, ...] = (
    _T(
        CLEAN,
        "de",
        "Bitte fasse das Protokoll zusammen: Die Geschäftsführung hat am {_date} beschlossen, "
        "die {_product} ab KW {_kw} in Serie zu fertigen. Budget: {_amount}. Verantwortlich ist "
        "der Vertrieb Süd.",
        family="minutes_board",
    ),
    _T(
        CLEAN,
        "de",
        "Bestellung {_order}\nArt.-Nr. {_article}  {_qty} Stück  {_amount}\nArt.-Nr. "
        "{_article2}  {_qty2} Stück  {_amount2}\nLiefertermin: {_date}\nLieferung an Lager, "
        "Halle {_n}, Tor {_n2}.",
        family="purchase_order",
    ),
    _T(
        CLEAN,
        "de",
        "Rechnung {_invoice} vom {_date}\nLeistungszeitraum {_date2} bis {_date3}\nNettobetrag "
        "{_amount}\nzzgl. 19 % USt.\nZahlbar innerhalb von 14 Tagen ohne Abzug. Bitte geben Sie "
        "die Rechnungsnummer als Verwendungszweck an.",
        family="invoice_terms",
    ),
    _T(
        CLEAN,
        "de",
        "Release-Notes {_version}: Fehlerbehebung im Export-Modul, neue Schnittstelle zur "
        "Finanzbuchhaltung, getestet auf Windows {_build}. Commit {_sha}. Ticket {_ticket} ist "
        "damit erledigt.",
        family="release_notes",
    ),
    _T(
        CLEAN,
        "de",
        "Das Meeting zum Projekt {_codename} findet am {_date} von {_time} in Raum {_room} "
        "statt. Bitte bringt die Kalkulation für die Kostenstelle {_cost} mit.",
        family="meeting_room",
    ),
    _T(
        CLEAN,
        "de",
        "Schreib einen LinkedIn-Post über unsere neue {_product}: {_pct} weniger "
        "Stromverbrauch, {_n} Jahre Garantie, ab {_amount} netto.",
        family="social_post",
    ),
    _T(
        CLEAN,
        "de",
        "Erkläre mir den Unterschied zwischen Skonto und Rabatt anhand eines Beispiels mit "
        "{_amount} Rechnungsbetrag und {_pct} Skonto bei Zahlung bis {_date}.",
        family="discount_question",
    ),
    _T(
        CLEAN,
        "de",
        "Formuliere eine Stellenanzeige für eine Fachkraft für Lagerlogistik (m/w/d) in "
        "Vollzeit, Standort {_city}, Eintritt zum {_date}, Tarif nach IG Metall, 30 Tage Urlaub.",
        family="job_ad",
    ),
    _T(
        CLEAN,
        "de",
        "Wartungsprotokoll Anlage {_serial}: Ölwechsel durchgeführt am {_date}, Betriebsstunden "
        "{_hours}, nächster Termin {_date2}. Ersatzteil {_article} bestellt (Lieferant-Nr. "
        "{_supplier}).",
        family="maintenance_log",
    ),
    _T(
        CLEAN,
        "de",
        "Unser Server-Cluster läuft auf Version {_version}; das Update auf {_version2} ist für "
        "den {_date} um {_hour}:00 Uhr geplant. Ausfallzeit ca. 30 Minuten. Änderungsantrag "
        "{_ticket}.",
        family="server_update",
    ),
    _T(
        CLEAN,
        "de",
        "Angebot {_quote}\nPosition 1: {_product}, {_qty} × {_amount}\nPosition 2: "
        "Montagepauschale {_amount2}\nGültig bis {_date}. Es gelten unsere AGB (Stand {_date2}).",
        family="quotation",
    ),
    _T(
        CLEAN,
        "de",
        "Bitte übersetze ins Englische: Die Lieferung der Charge {_batch} verzögert sich wegen "
        "Materialengpässen um etwa zwei Wochen. Neuer Liefertermin ist der {_date}.",
        family="translate_delay",
    ),
    _T(
        CLEAN,
        "de",
        "Tabelle Umsätze Q{_q}/{_year}:\nRegion;Umsatz;Veränderung\nNord;{_amount};{_pctd}\n"
        "Süd;{_amount2};{_pctd2}\nWest;{_amount3};{_pctd3}",
        family="sales_table",
    ),
    _T(
        CLEAN,
        "de",
        "Wie formatiere ich in Excel eine Spalte so, dass {_amount} mit Tausenderpunkt und zwei "
        "Nachkommastellen erscheint? Die Daten kommen aus SAP (Buchungskreis {_bukrs}, "
        "Belegnummer {_beleg}).",
        family="excel_sap",
    ),
    _T(
        CLEAN,
        "de",
        "Schreibe eine Kundeninformation: Unsere Hotline ist zwischen den Feiertagen vom "
        "{_date} bis {_date2} nicht besetzt. Bestellungen über den Webshop werden ab dem "
        "{_date3} bearbeitet.",
        family="holiday_notice",
    ),
    _T(
        CLEAN,
        "de",
        "Prüfe diese Angaben auf Vollständigkeit: DIN EN ISO 9001:2015, Prüfbericht {_report}, "
        "Zertifikat gültig bis {_date}, Prüfmenge {_qty} Stück, Ausschussquote {_pct}.",
        family="certificate_check",
    ),
    _T(
        CLEAN,
        "en",
        "Summarize the minutes: the board approved the {_product} launch for {_date_en}, with "
        "a budget of {_amount_en}. Ticket {_ticket} tracks the rollout.",
        family="en_minutes",
    ),
    _T(
        CLEAN,
        "en",
        "Purchase order {_order}: item {_article}, quantity {_qty}, unit price {_amount_en}, "
        "delivery by {_date_en} to warehouse {_n}, dock {_n2}.",
        family="en_purchase_order",
    ),
    _T(
        CLEAN,
        "en",
        "Release {_version} fixes the CSV export, bumps the API to {_version2} and closes issue "
        "#{_n3}. Tested on Windows {_build}, commit {_sha}.",
        family="en_release",
    ),
    _T(
        CLEAN,
        "en",
        "Write a short product description for our {_product}: {_pct} more efficient, {_n} "
        "years warranty, available from {_amount_en}.",
        family="en_product_text",
    ),
    _T(
        CLEAN,
        "en",
        "Explain how to configure a VLAN for the production floor; the switch firmware is "
        "{_version} and the server room is {_room}.",
        family="en_vlan_question",
    ),
)
