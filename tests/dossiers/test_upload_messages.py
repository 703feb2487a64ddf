"""A refused upload is named in the message, so the citizen knows which of their files to scan
or save again: in the wizard and when sending a supplement."""
from __future__ import annotations

import io
import re

NOT_A_DOCUMENT = b"Meeting notes, typed in a word processor."


def test_the_wizard_names_the_refused_file(app, citizen):
    step = citizen.get("/procedures/1.004194/apply").headers["Location"]
    documents = re.sub(r"/steps/[^/]+$", "/steps/documents", step)
    response = citizen.post(
        documents,
        data={"doc_legal_residence": (io.BytesIO(NOT_A_DOCUMENT), "hợp đồng thuê nhà.docx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Tệp “hợp đồng thuê nhà.docx” chưa được đính kèm. Tệp phải là PDF, JPEG hoặc PNG." in page


def test_a_supplement_names_the_refused_file(app, make_dossier, officers, citizen):
    code = make_dossier()
    officers["intake1"].act(code, "request_supplement", items=["legal_residence"], note="Bản chụp bị mờ.")
    citizen.post("/language", data={"lang": "en", "next": "/"})
    response = citizen.post(
        f"/my/dossiers/{code}/supplement",
        data={"legal_residence": (io.BytesIO(NOT_A_DOCUMENT), "hop-dong-thue-nha.odt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "The file “hop-dong-thue-nha.odt” was not attached. The file must be a PDF, JPEG or PNG." in response.get_data(as_text=True)
