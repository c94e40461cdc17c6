"""Fixtures every test file shares: alice (primary), bob (read-only), charlie (another group), specialist.

Browser tests (marked e2e) get Playwright on Debian's /usr/bin/chromium and `axe_check(page)`.
"""

import os
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth.models import Group
from django.core.cache import cache

from portal.celery import app
from tests import factories, sweep
from tests.localstripe import LocalStripe
from tests.guards import superuser_sign_ins

BASE_DIR = Path(__file__).resolve().parent
AXE_JS = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def group(db):
    return factories.GroupFactory(group_number="104522", legal_name="Acme Manufacturing Co.")


@pytest.fixture
def other_group(db):
    return factories.GroupFactory(group_number="207731", legal_name="Other Employer LLC")


@pytest.fixture
def alice(group):
    """Return a primary admin of `group`."""
    user = factories.UserFactory(username="alice", first_name="Alice", last_name="Adams")
    factories.MembershipFactory(user=user, group=group, role="primary")
    return user


@pytest.fixture
def bob(group):
    """Return a read-only admin of `group`."""
    user = factories.UserFactory(username="bob", first_name="Bob", last_name="Brown")
    factories.MembershipFactory(user=user, group=group, role="read_only")
    return user


@pytest.fixture
def charlie(other_group):
    """Return a primary admin of another group: they must see nothing of `group`."""
    user = factories.UserFactory(username="charlie", first_name="Charlie", last_name="Chen")
    factories.MembershipFactory(user=user, group=other_group, role="primary")
    return user


@pytest.fixture
def specialist(db):
    """Return a billing specialist: staff in the "Billing specialists" group, never a superuser."""
    user = factories.UserFactory(username="specialist", first_name="Sam", last_name="Specialist", is_staff=True)
    user.groups.add(Group.objects.get(name="Billing specialists"))
    return user


@pytest.fixture
def specialist_client(client, specialist):
    client.force_login(specialist)
    return client


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


# --- Browser tests --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe-core is injected as an inline script, which the portal's CSP rightly refuses.
    return {**browser_context_args, "bypass_csp": True}


PHONE_WIDTH = 375  # a common phone
NARROWEST_WIDTH = 320  # 1280 px at 400% zoom: WCAG 1.4.10 (reflow)


def _axe(page, where):
    if not page.evaluate("() => typeof axe !== 'undefined'"):  # once per document: it is half a megabyte
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("() => axe.run({runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    detail = "\n".join(
        "%s (%s): %s -- %s" % (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:5]) for v in bad
    )
    assert not bad, "axe found serious/critical violations on %s %s:\n%s" % (page.url, where, detail)


@pytest.fixture
def axe_check():
    """Return a function that checks the page as it is: axe-core at the desktop width and at a phone's,
    then no sideways scrolling at 320 px (a portal page, not Django admin's). It fails on serious or
    critical violations, or a page wider than 320 px, and puts the viewport back as it was."""

    def check(page, context=""):
        size = page.viewport_size
        try:
            _axe(page, "%s (%d px)" % (context, size["width"]))
            page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
            _axe(page, "%s (%d px)" % (context, PHONE_WIDTH))
            if "/admin/" not in page.url:
                page.set_viewport_size({"width": NARROWEST_WIDTH, "height": 640})
                width = page.evaluate("() => document.documentElement.scrollWidth")
                assert width <= NARROWEST_WIDTH, "%s %s is %d px wide at a %d px viewport" % (page.url, context, width, NARROWEST_WIDTH)
        finally:
            page.set_viewport_size(size)

    return check


@pytest.fixture
def browser_login(live_server):
    """Return a function that logs a user in through the login page."""

    def login(page, username, password=PASSWORD):
        page.goto(live_server.url + "/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.get_by_role("button", name="Log in").click()

    return login


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Save a screenshot of every open page when a browser test fails."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and "page" in getattr(item, "funcargs", {}):
        out = BASE_DIR / "test-results"
        out.mkdir(exist_ok=True)
        try:
            item.funcargs["page"].screenshot(path=str(out / ("%s.png" % item.name)), full_page=True)
        except Exception:  # the page may already be closed
            pass


def pytest_collection_modifyitems(items):
    for item in items:
        if "live_server" in getattr(item, "fixturenames", ()) and "page" in item.fixturenames:
            item.add_marker(pytest.mark.e2e)


# --- A real Celery worker -------------------------------------------------------------------


@pytest.fixture
def celery_worker_redis(transactional_db):
    """Run a real Celery worker (in a thread, solo pool) on Redis for the duration of a test.

    Each developer can point TEST_REDIS_DB elsewhere so parallel suites do not share queues, and
    each pytest-xdist worker takes the database after it (gw0: +0, gw1: +1...). Tests using it
    must be transactional: the worker reads what the test committed.
    """
    xdist_offset = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)
    database = int(os.environ.get("TEST_REDIS_DB", "1")) + xdist_offset
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/%d" % database)
    saved = {key: app.conf.get(key) for key in ("broker_url", "task_always_eager", "broker_transport_options")}
    app.conf.update(broker_url=url, task_always_eager=False, broker_transport_options={})
    _reset_broker_pools(app)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=15):
            yield app
    finally:
        app.conf.update(saved)
        _reset_broker_pools(app)


def _reset_broker_pools(app):
    """Drop cached broker connections so a changed broker_url takes effect."""
    app._pool = None
    app.amqp._producer_pool = None


def wait_for(predicate, timeout=20.0, interval=0.1):
    """Poll `predicate` until it is true or `timeout` seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


@pytest.fixture
def wait():
    return wait_for


@pytest.fixture(autouse=True)
def no_superuser_signs_in(request):
    """Fail a test that signs in as a superuser: admin tests run as the specialist, with a specialist's permissions."""
    with superuser_sign_ins() as superusers:
        yield
    if request.node.get_closest_marker("signs_in_a_superuser") is None:
        assert not superusers, "%s signed in as a superuser: sign in as the `specialist` fixture instead." % superusers


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate limits and throttles live in the cache: every test starts with none."""
    cache.clear()
    yield


# --- localstripe (never the real Stripe) -------------------------------------------------------------


@pytest.fixture(scope="session")
def localstripe_server(tmp_path_factory):
    """Start localstripe once per test session on a free port of 127.0.0.1 (portal/localstripe_server.py)."""
    try:
        server = LocalStripe.start(tmp_path_factory.mktemp("localstripe"))
    except (RuntimeError, OSError) as error:
        pytest.skip("localstripe could not start, so the tests that pay through it cannot run: %s" % error)
    yield server
    server.stop()


@pytest.fixture
def localstripe(localstripe_server, settings):
    """Point the portal's Stripe settings at the session's localstripe, its data wiped first; webhooks silenced after."""
    settings.STRIPE_API_BASE = localstripe_server.url
    settings.STRIPE_JS_URL = localstripe_server.js_url
    settings.STRIPE_SECRET_KEY = "sk_test_localstripe"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_localstripe"
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    localstripe_server.wipe()
    yield localstripe_server
    localstripe_server.silence_webhooks()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print what the object-level tenant sweep tried, even when it passed.

    The sweep's test leaves its summary in its report's user properties, which pytest-xdist
    carries back from the worker that ran it.
    """
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", ()):
                if name == sweep.SUMMARY_PROPERTY and getattr(report, "when", "") == "call":
                    terminalreporter.write_line(value)
