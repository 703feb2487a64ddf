"""The child's ethnicity (issue 17): when both parents are in the register with different
ethnicities the citizen chooses between the two, never types; a shared one is filled in."""
from __future__ import annotations

import html
import re

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from portal.registry.models import Person
from portal.registry.store import get_engine
from tests.conftest import login_citizen
from tests.dossiers.helpers import current_draft, fill_all_steps


def _couple(register: str, differ: bool) -> tuple[str, str]:
    spouse = aliased(Person)
    same = Person.ethnicity != spouse.ethnicity if differ else Person.ethnicity == spouse.ethnicity
    with Session(get_engine(register)) as session:
        row = session.execute(
            select(Person.personal_id, spouse.personal_id)
            .join(spouse, spouse.personal_id == Person.spouse_id)
            .where(same, Person.ethnicity.is_not(None), spouse.ethnicity.is_not(None))
            .order_by(Person.personal_id).limit(1)
        ).one()
    return row[0], row[1]


def test_parents_of_different_ethnicities_choose_between_them(app, client, register):
    citizen, spouse = _couple(register, differ=True)
    with Session(get_engine(register)) as session:
        ethnicities = {p.ethnicity for p in session.scalars(select(Person).where(Person.personal_id.in_([citizen, spouse])))}
    login_citizen(client, citizen)
    client.get("/procedures/1.001193/apply")
    draft = current_draft(app, citizen)
    fill_all_steps(app, client, draft, spouse)  # the helper picks one of the parents' ethnicities
    page = client.get(f"/apply/{draft.public_id}/steps/child").get_data(as_text=True)
    offered = set(map(html.unescape, re.findall(r'type="radio" id="child_ethnicity-\d+" name="child_ethnicity" value="([^"]+)"', page)))
    assert offered == ethnicities and len(offered) == 2
    assert 'id="child_ethnicity" name="child_ethnicity"' not in page  # no text box to type into

    other = next(iter(ethnicities - {html.unescape(re.search(r'name="child_ethnicity" value="([^"]+)" checked', page).group(1))}))
    form = {k: html.unescape(v) for k, v in re.findall(r'name="(child_[a-z_]+|birth_place)" value="([^"]*)"', page)}
    form.update({"child_ethnicity": other, "child_sex": "M"})
    response = client.post(f"/apply/{draft.public_id}/steps/child", data=form)
    assert response.status_code == 302
    page = client.get(f"/apply/{draft.public_id}/steps/child").get_data(as_text=True)
    assert html.unescape(re.search(r'name="child_ethnicity" value="([^"]+)" checked', page).group(1)) == other


def test_parents_of_one_ethnicity_give_it_to_the_child(app, client, register):
    citizen, spouse = _couple(register, differ=False)
    login_citizen(client, citizen)
    client.get("/procedures/1.001193/apply")
    draft = current_draft(app, citizen)
    fill_all_steps(app, client, draft, spouse)
    page = client.get(f"/apply/{draft.public_id}/steps/child").get_data(as_text=True)
    assert 'type="radio" id="child_ethnicity-1"' not in page
    assert re.search(r'<input type="text" id="child_ethnicity" name="child_ethnicity" value="[^"]+"', page)
