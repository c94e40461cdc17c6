"""A request's print view: the portal's name, a title, the printed date, the screen's date format,
and the whole page width when printed."""

import os
import re

import pytest

from enrollment import change_requests

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_request_prints_with_the_portals_name_a_title_the_date_and_the_full_width(page, live_server, alice, group, browser_login, axe_check):
    request = change_requests.submit(group=group, kind="id_card_order", acting_user=alice, snapshot={"quantity": 1}, process=False)
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    page.goto(live_server.url + "/groups/104522/requests/%s/" % request.confirmation_number)
    page.get_by_role("link", name="Print").click()
    page.wait_for_url("**/print/")
    axe_check(page, "print view")
    assert page.get_by_test_id("print-masthead").inner_text() == "Group Benefits Portal · Online Billing and Enrollment"
    assert page.get_by_role("heading", level=1).inner_text() == "Request %s: ID card order" % request.display_number
    assert re.fullmatch(r"Printed [A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2} [AP]M", page.get_by_test_id("printed-at").inner_text())

    page.emulate_media(media="print")
    width = page.viewport_size["width"]
    main = page.locator("main").bounding_box()
    assert main["width"] >= width * 0.97, "printed at %d px of %d" % (main["width"], width)
    for landmark in ("header", "nav", "aside", ".no-print"):
        assert not page.locator(landmark).first.is_visible(), landmark
    assert page.get_by_test_id("print-masthead").is_visible()
