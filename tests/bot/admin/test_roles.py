"""The field roles: a crew member works for one agency, grid staff cover places; neither sees an admin page."""

from __future__ import annotations

import pytest

from bot.admin.accounts import ROLE_RANK, Role, covers_place, create_staff, has_role, is_crew_of, is_grid_staff
from bot.admin.models import StaffUser
from bot.city.models import Agency
from bot.runtime import WebRuntime
from tests.admin_client import AdminClient, make_staff

PASSWORD = "long enough password"


async def test_a_crew_member_needs_an_existing_agency(orm: None) -> None:
    with pytest.raises(ValueError, match="one agency"):
        await create_staff("wang", PASSWORD, Role.CREW)
    with pytest.raises(ValueError, match="no agency"):
        await create_staff("wang", PASSWORD, Role.CREW, agency="nowhere")
    await Agency.create(key="fire", name="Fire")
    with pytest.raises(ValueError, match="only a crew member"):
        await create_staff("mia", PASSWORD, Role.MODERATOR, agency="fire")
    crew = await create_staff("wang", PASSWORD, Role.CREW, agency="fire")
    assert is_crew_of(crew, "fire") and not is_crew_of(crew, "roads") and not is_crew_of(crew, None)
    crew.active = False
    assert not is_crew_of(crew, "fire")


async def test_grid_staff_cover_the_places_of_their_areas(orm: None) -> None:
    grid = await create_staff("liu", PASSWORD, Role.GRID, areas=["huangpu-0402", "jingan"])
    assert is_grid_staff(grid)
    assert covers_place(grid, "huangpu", "huangpu-yuyuan", "huangpu-0402")
    assert covers_place(grid, "jingan", None, None)
    assert not covers_place(grid, "huangpu", "huangpu-yuyuan", "huangpu-0403")
    moderator = await create_staff("mia", PASSWORD, Role.MODERATOR, areas=["jingan"])
    assert not covers_place(moderator, "jingan")


def test_field_roles_rank_below_every_admin_page() -> None:
    assert ROLE_RANK[Role.CREW] == ROLE_RANK[Role.GRID] < ROLE_RANK[Role.MODERATOR]


@pytest.mark.parametrize("role", [Role.CREW, Role.GRID])
async def test_field_staff_see_no_admin_page(product: WebRuntime, role: Role) -> None:
    await Agency.create(key="fire", name="Fire")
    staff = await make_staff("field", role, agency="fire" if role is Role.CREW else None)
    assert not has_role(staff, Role.MODERATOR)
    client = AdminClient(product.settings.local_base_url())
    try:
        await client.login("field")
        for path in ("/admin", "/admin/queue", "/admin/field/listed"):
            status, _ = await client.get(path)
            assert status == 403, path
    finally:
        await client.close()


async def test_an_admin_creates_a_crew_member_for_an_agency(product: WebRuntime) -> None:
    await Agency.create(key="fire", name="Fire")
    await make_staff("root", Role.ADMIN, language="en")
    client = AdminClient(product.settings.local_base_url())
    try:
        await client.login("root")
        _, page = await client.get("/admin/staff")
        assert '<option value="fire">Fire</option>' in page and "agency crew" in page
        form = {"username": "wang", "password": PASSWORD, "role": "crew", "agency": "fire", "language": "en"}
        _, created = await client.post("/admin/staff", form)
        assert "Staff account wang created." in created
        _, refused = await client.post("/admin/staff", {**form, "username": "zhao", "agency": ""})
        assert "an agency crew member has no agency" in refused
    finally:
        await client.close()
    crew = await StaffUser.get(username="wang")
    assert (crew.role, crew.agency) == (Role.CREW, "fire") and not await StaffUser.exists(username="zhao")
