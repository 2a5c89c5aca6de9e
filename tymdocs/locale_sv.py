"""Every word tymdocs adds to a document whose agreement says ``language: sv``: the Swedish
counterpart of each Finnish label in ``locale.py``, under the same key with the same
``{placeholders}``, in the same groups. Finland-Swedish usage: ``1.5.2025``, ``0,75``, and
staffing in årsverken (``årsv.``, the Finnish ``htv``)."""

from __future__ import annotations

SWEDISH: dict[str, str] = {
    # -- documents, covers and signature pages
    "annex_heading": "BILAGA {number} {title}",
    "page": "Sida {page}/{total}",
    "draft": "UTKAST",
    "version_number": "Version {number}",
    "in_force_from": "i kraft från och med {date}",
    "in_force_on": "I kraft {date}",
    "proposal": "Förslag {commit}, {date}",
    "draft_of": "UTKAST av version {commit}",
    "draft_on": "UTKAST (utgående från version {number})",
    "draft_commit": "{draft}, {commit}",
    "notice_citation": "Meddelande {date} ({party})",
    "amendment_citation": "Avtalsändring {date}",
    "withdrawal_citation": "Återkallad avtalsändring {date}",
    "signatures_citation": "Underskrifter {date}",
    "in_force_when_signed": "träder i kraft {date} när alla parter har undertecknat",
    "adoption_citation": "Avtal {date}",
    "change_citation": "{record}, i kraft från och med {date}",
    "part_changed": "{part} ändrad: {changes}.",
    "record_signed": "Version {number}: alla parters underskrifter",
    "annex_ref": "Bilaga {number}",
    "section_ref": "{number} §",
    "main_text_ref": "huvudtexten",
    "metadata_ref": "avtalets uppgifter",
    "fingerprint": "Identifierare {fingerprint}",
    "deputy": "ersättare",
    "steering_group": "Ledningsgruppen",
    "all_parties": "Avtalsparterna",
    "unrecorded_author": "Oregistrerad ändring",
    "redline_unrecorded": "Ingen registrering: ändringen har sparats utan registrering",
    "decision": "{organisation}, {body} {date} § {section}",
    "member": "Medlem",
    "role": "Uppgift",
    "deputy_column": "Ersättare",
    "organisation": "Organisation",
    "party": "Part",
    "contact_person": "Kontaktperson",
    "staffing_item": "Part, område eller uppgift",
    "htv": "årsv.",
    "total": "Totalt",
    "goals_year": "Mål för år {year}",
    "subject": "{area} – {version}",
    "package_subject": "Underskriftspaket: {party} – {version}",
    "package_file": "{id}-underskrift-{party}.{extension}",
    "package": "UNDERSKRIFTSPAKET",
    "package_title": "{title} – underskriftspaket: {party}",
    "common_copy_file": "{id}-for-underskrift.{extension}",
    "common_copy": "EXEMPLAR FÖR UNDERSKRIFT",
    "round_counterparts": (
        "Det behövs {count} underskrifter: var och en undertecknar en gång, i sitt eget paket "
        "eller i det gemensamma exemplaret (för underskrift); exemplaren utgör tillsammans avtalet."
    ),
    "round_every_copy": (
        "Det behövs {all} underskrifter: var och en av de {count} undertecknarna i vart och ett "
        "av de {parties} paketen, eller alla i det gemensamma exemplaret (för underskrift), som "
        "var och en får."
    ),
    "common_copy_title": "{title} – exemplar för underskrift för alla parter",
    "package_version": "Dokument",
    "effective": "Ikraftträdande",
    "commit": "Källversion",
    "fingerprint_full": "Innehållets identifierare",
    "expected": "Undertecknare",
    "unnamed_signatory": "undertecknaren utses senare",
    "instructions_title": "Så här undertecknar du",
    "contents": "Innehåll",
    "signatures": "Underskrifter",
    "signing_statement": (
        "Parterna godkänner detta avtal ({version}, identifierare {fingerprint}) "
        "genom att underteckna det elektroniskt."
    ),
    "name_line": "Namn och befattning",
    "expected_on_page": "{expected} (sida {page})",
    "on_page": "på sidan {page}",
    "on_pages": "på sidorna {pages}",
    "list_and": " och ",
    "party_continued": "{party} (fortsättning)",
    "amendment": "Avtalsändring",
    "amendment_of": "Version {number}, ändrar version {previous}",
    "amendment_record": "Registrering",
    "changed_parts": "Delar som ändras",
    # -- what a redline says of a change
    "needs_amendment": "en skriftlig avtalsändring undertecknad av alla parter",
    "needs_decision": "beslut ({body})",
    "needs_notice": "meddelande från en part",
    "htv_changed": "{name}: {before} → {after} årsv.",
    "htv_added": "{name}: tillagd, {after} årsv.",
    "htv_removed": "{name}: struken (var {before} årsv.)",
    "htv_total": "totalt {before} → {after} årsv.",
    "member_replaced": "medlem {before} → {after}",
    "member_added": "ny medlem {name}",
    "member_removed": "medlem {name} struken",
    "member_field": "{name}, {field}: {before} → {after}",
    "contact_changed": "kontaktperson ({party}): {before} → {after}",
    "goals_changed": "målen för år {year} ändrade",
    "field_changed": "{field}: {before} → {after}",
    "party_added": "ny avtalspart: {name}",
    "party_removed": "avtalspart struken: {name}",
    "signatory_changed": "{party}, undertecknare: {before} → {after}",
    "none": "ingen",
    "open_ended": "tills vidare",
    "field_title": "namn",
    "field_area": "område",
    "field_municipalities": "kommuner",
    "field_effective_date": "dag för ikraftträdande",
    "field_valid_until": "giltig till",
    "field_extension": "förlängning",
    "extension_terms": "{times} × {months} mån., om ingen motsätter sig det senast {date}",
    "field_court": "domstol",
    "field_steering_group": "ledningsgrupp",
    "field_policy_changed": "ändringsreglerna (change_rules) ändrade",
    "field_termination_notice": "uppsägningstid",
    "field_signing": "sätt att underteckna",
    "signing_counterparts": "varje undertecknare en gång, i vilket exemplar som helst",
    "signing_every-copy": "varje undertecknare i varje exemplar",
    "renumbered_text_unchanged": "{before} → {after}, texten oförändrad",
    "retitled_text_unchanged": "rubriken ändrad, texten oförändrad",
    "redline_text_unchanged": "Texten oförändrad",
    "months": "{months} mån.",
    "field_main_text_rule": "huvudtexten ändras",
    "field_annex_rule": "Bilaga {number} ändras",
    "field_default_rule": "övriga bilagor ändras",
    "field_signed_records": "registreringarna ska undertecknas",
    "rule_yearly_review": "{rule}, granskas årligen",
    "yes": "ja",
    "no": "nej",
    "metadata_other_changed": "andra uppgifter om avtalet (tymdocs.yaml) ändrade",
    "party_field_changed": "{party}, {field}: {before} → {after}",
    "field_party_name": "namn",
    "field_party_short_name": "kortnamn",
    "field_party_role": "roll",
    "field_party_responsible_municipality": "ansvarig kommun",
    "field_party_represented_by": "företrädare",
    "placeholder_date": "DATUM",
    "placeholder_party": "PART",
    "placeholder_section": "N",
    "working_tree_name": "arbetskopia",
    "redline_file": "andringar-{a}-{b}.{extension}",
    "field_role": "uppgift",
    "field_deputy": "ersättare",
    "field_organisation": "organisation",
    "report_title": "Ändringar: {a} → {b}",
    "working_tree": "arbetskopia (inte sparad)",
    # -- what the HTML and Markdown redlines add around the text
    "redline_summary": "Sammanfattning av ändringarna",
    "redline_summary_id": "sammanfattning",
    "redline_changed_parts_id": "andrade-delar",
    "redline_changed_parts": "Ändrade delar",
    "redline_needs": "Ändringen kräver",
    "redline_older": "Äldre version",
    "redline_newer": "Nyare version",
    "redline_none": "Inga ändringar",
    "redline_counts": "Ändrade delar: {changed}, oförändrade delar: {unchanged}.",
    "redline_unchanged": "oförändrade delar: {count}",
    "redline_part": "Del",
    "redline_change": "Ändring",
    "redline_record": "Registrering",
    "redline_recorded": "Registrerad",
    "redline_command": "Registreras med kommandot",
    "redline_legend": "Markeringar:",
    "redline_inserted": "tillagt",
    "redline_deleted": "struket",
    "redline_part_inserted": "tillagd del",
    "redline_part_deleted": "struken del",
    "redline_line_break": "radbrytning",
    "redline_status_added": "tillagd",
    "redline_status_removed": "struken",
    "redline_status_changed": "ändrad",
    "redline_status_renumbered": "numret ändrat",
    "redline_status_retitled": "rubriken ändrad",
    # -- what the PDF redline adds to those
    "redline_title": "Ändringar",
    "redline_bars": (
        "Kantlinje: helt tillagd (heldragen linje) eller struken (streckad linje) rubrik, "
        "stycke, punkt, tabellrad eller del."
    ),
    "redline_folded": "Oförändrade delar ({count}): {parts}",
    "redline_folded_sections": "{numbers} §",
    "redline_folded_annex": "Bilaga {numbers}",
    "redline_folded_annexes": "Bilagorna {numbers}",
    # -- what a redline says of a block moved
    "moved_heading": "rubrik",
    "moved_paragraph": "stycke",
    "moved_item": "punkt",
    "moved_table": "tabell",
    "moved_headings": "{count} rubriker",
    "moved_paragraphs": "{count} stycken",
    "moved_items": "{count} punkter",
    "moved_tables": "{count} tabeller",
    "moved_between": "{what} har flyttats: {before} → {after}",
    "moved_edited_between": "{what} har flyttats och ändrats: {before} → {after}",
    "moved_within": "{what} har flyttats inom {part}",
    "moved_edited_within": "{what} har flyttats och ändrats inom {part}",
    # Swedish needs no cases: "från 8 §", "till 8 §", "i 8 §" are written by these alone.
    "section_elative": "från {number} §",
    "section_illative": "till {number} §",
    "section_genitive": "{number} §",
    "annex_elative": "från bilaga {number}",
    "annex_illative": "till bilaga {number}",
    "annex_genitive": "bilaga {number}",
    "redline_moved": "flyttat",
    "redline_moved_to": "flyttat {part}",
    "redline_moved_here": "flyttat hit {part}",
    "redline_moved_up": "flyttat uppåt",
    "redline_moved_down": "flyttat nedåt",
    "redline_moved_from_above": "flyttat hit uppifrån",
    "redline_moved_from_below": "flyttat hit nedifrån",
    "redline_move_bar": (
        "Dubbel linje: en rubrik, ett stycke, en punkt eller en tabell som har flyttats; "
        "markeringen i början anger vart eller varifrån den flyttades."
    ),
    # -- the steps on a signature package's cover
    "instruction_check": (
        "Kontrollera att varje sida har samma identifierare längst ned som den här sidan."
    ),
    "instruction_sign": (
        "Underteckna elektroniskt (PAdES) i ditt eget underskriftsfält {pages}; "
        "fältets namn står på sidan i rutans hörn."
    ),
    "instruction_keep": (
        "Redigera eller spara inte dokumentet på annat sätt: varje ändring syns vid kontrollen."
    ),
    "instruction_return": "Returnera den undertecknade filen som sådan till avtalets koordinator.",
    "docx_instruction_sign": (
        "Underteckna dokumentet i din organisations system för elektronisk underskrift eller "
        "ärendehantering på din egen underskriftslinje på underskriftssidan, och anteckna ort "
        "och datum."
    ),
    "docx_instruction_keep": (
        "Ändra inte avtalets text: underskriften gäller denna version, vars identifierare står "
        "längst ned på varje sida."
    ),
    "docx_instruction_return": "Returnera det undertecknade dokumentet till avtalets koordinator.",
    # -- where the DOCX signature package differs from the PDF one
    "docx_signing_statement": (
        "Parterna godkänner detta avtal ({version}, identifierare {fingerprint}) "
        "genom att underteckna det."
    ),
    "place_and_date": "Ort och datum",
    "paper_signing": "Alternativt: skriv ut, underteckna för hand, skanna och returnera",
    "paper_instructions": (
        "Skriv ut hela dokumentet, underteckna det för hand på din egen underskriftslinje på "
        "underskriftssidan och anteckna ort och datum. Skanna hela det undertecknade dokumentet "
        "och returnera skanningen till avtalets koordinator."
    ),
}
