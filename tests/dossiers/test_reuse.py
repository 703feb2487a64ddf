"""Relevant reuse (issue 17): a stored document is offered only for a field asking for the same
kind of document, about the same home or person, still valid; each offer says which earlier
dossier it came with and when; one not offered cannot be attached by its number either."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.deadlines import to_local
from portal.dossiers.models import Dossier, StoredDocument
from portal.extensions import db
from portal.submission.reuse import relevant_documents
from portal.timeutil import from_db
from tests.dossiers.helpers import current_draft
from tests.dossiers.test_once_only import walk
from tests.results.helpers import approve

OTHER_HOME = {"temporary_address-province": "1", "temporary_address-ward": "70",
              "temporary_address-street": "Số 5 phố Tràng Tiền"}


def _documents_page(client, app, citizen_id, code):
    client.get(f"/procedures/{code}/apply")
    draft = current_draft(app, citizen_id)
    return draft, client.get(f"/apply/{draft.public_id}/steps/documents").get_data(as_text=True)


def test_the_proof_of_one_home_is_offered_for_that_home_only(app, citizen, citizen_id, person):
    earlier = walk(app, citizen, "1.004194", citizen_id, person.spouse_id)
    same_home = walk(app, citizen, "1.004194", citizen_id, person.spouse_id)
    assert same_home.reused_documents == ["doc_legal_residence"] and same_home.uploads == []
    other_home = walk(app, citizen, "1.004194", citizen_id, person.spouse_id, {"temporary_address": OTHER_HOME})
    assert other_home.uploads == ["doc_legal_residence"] and other_home.reused_documents == []
    assert earlier.code


def test_an_offer_names_its_dossier_and_is_not_offered_for_another_kind(app, citizen, citizen_id, person):
    earlier = walk(app, citizen, "1.004194", citizen_id, person.spouse_id)
    draft, page = _documents_page(citizen, app, citizen_id, "1.004194")  # the profile gives the same home
    assert page.count('name="doc_legal_residence-reuse"') == 1
    with app.app_context():
        submitted_on = db.session.execute(select(Dossier.submitted_at).where(Dossier.code == earlier.code)).scalar_one()
    assert earlier.code in page and to_local(from_db(submitted_on)).strftime("%d/%m/%Y") in page  # which dossier, when
    # The household business asks for the proof of its premises, another kind: nothing offered.
    _, business = _documents_page(citizen, app, citizen_id, "2.000720")
    assert "-reuse\"" not in business


def test_an_expired_document_is_not_offered(app, citizen, citizen_id, person):
    walk(app, citizen, "1.004194", citizen_id, person.spouse_id)
    with app.app_context():
        for document in db.session.execute(select(StoredDocument).where(StoredDocument.document_key == "legal_residence")).scalars():
            document.valid_until = date.today() - timedelta(days=1)
        db.session.commit()
    again = walk(app, citizen, "1.004194", citizen_id, person.spouse_id)
    assert again.uploads == ["doc_legal_residence"] and again.reused_documents == []


def test_a_document_not_offered_cannot_be_attached_by_its_number(app, citizen, citizen_id, person):
    walk(app, citizen, "1.004194", citizen_id, person.spouse_id)
    with app.app_context():
        document_id = db.session.execute(select(StoredDocument.id).where(StoredDocument.document_key == "legal_residence")).scalar_one()
    walk(app, citizen, "1.004194", citizen_id, person.spouse_id, {"temporary_address": OTHER_HOME})
    draft, page = _documents_page(citizen, app, citizen_id, "1.004194")  # the profile now gives the other home
    assert f'value="{document_id}"' not in page
    response = citizen.post(f"/apply/{draft.public_id}/steps/documents", data={"doc_legal_residence-reuse": str(document_id)},
                            content_type="multipart/form-data")
    assert response.status_code == 422
    with app.app_context():
        attached = db.session.execute(select(Dossier).where(Dossier.public_id == draft.public_id)).scalar_one().attachments
        assert document_id not in {a.stored_document_id for a in attached}


def test_a_signed_residence_notice_is_offered_as_proof_of_that_home(app, citizen, citizen_id, person):
    """A result joins the citizen's store: the notice of a residence registration serves later
    where a proof of residence at that home is asked (issues 17 and 18), not for another home."""
    earlier = walk(app, citizen, "1.004194", citizen_id, person.spouse_id)
    approve(app, earlier.code, "1.004194")
    with app.app_context():
        done = db.session.execute(select(Dossier).where(Dossier.code == earlier.code)).scalar_one()
        result_id, home = done.result_document_id, done.answers["temporary_address"]
    assert result_id is not None
    draft, _page = _documents_page(citizen, app, citizen_id, "2.000505")  # asks for a proof of residence
    with app.app_context():
        draft = db.session.get(Dossier, draft.id)
        draft.answers = {**draft.answers, "permanent_address": home}
        assert result_id in [d.id for d in relevant_documents(draft, "residence_proof")]
        draft.answers = {**draft.answers, "permanent_address": {**home, "street": "Số 5 phố Tràng Tiền"}}
        assert result_id not in [d.id for d in relevant_documents(draft, "residence_proof")]
        db.session.rollback()
