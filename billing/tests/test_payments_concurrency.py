"""Never a double charge: 50 POSTs at once to pay one invoice, through a live server, make one PaymentIntent and one payment.

Each POST is a thread of its own with its own HTTP connection; the live server answers each in a
thread with its own database connection, so the lock on the invoice row is what keeps them apart.
localstripe ignores Idempotency-Key, so its count of PaymentIntents is the proof.
"""

import re
import threading
import time
from collections import Counter

import pytest
import requests
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test import Client
from django.test.testcases import LiveServerThread, _StaticFilesHandler
from django.urls import reverse

from billing.models import Payment
from billing.tests.stripe_helpers import collect_card

pytestmark = pytest.mark.django_db(transaction=True)

POSTS = 50


class WideServer(ThreadedWSGIServer):
    request_queue_size = 4 * POSTS  # Django's live server queues 10 connections: 50 at once would be reset


class WideServerThread(LiveServerThread):
    server_class = WideServer


@pytest.fixture
def wide_live_server():
    """Return a live server (a thread per request, each with its own database connection) that accepts 50 connections at once."""
    thread = WideServerThread("127.0.0.1", _StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    thread.url = "http://127.0.0.1:%d" % thread.port
    yield thread
    thread.terminate()


def signed_in_session(user, server, path):
    """Return a requests session signed in as `user` and the CSRF token of the page at `path`."""
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    page = session.get(server.url + path)
    assert page.status_code == 200, page.text[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session, token


def post_all_at_once(server, path, forms, cookies, token):
    """POST each form from its own thread, all released together; return (status, Location) of each and the seconds taken."""
    barrier = threading.Barrier(len(forms))
    answers = [None] * len(forms)

    def post(index):
        session = requests.Session()
        session.cookies.update(cookies)
        barrier.wait()
        response = session.post(
            server.url + path, data={**forms[index], "csrfmiddlewaretoken": token},
            headers={"Referer": server.url + path}, allow_redirects=False, timeout=60,
        )
        answers[index] = (response.status_code, response.headers.get("Location", ""))

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(forms))]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, time.monotonic() - started


@pytest.fixture
def slow_attempts(monkeypatch):
    """Widen the race: recording an attempt takes 50 ms more, so without the lock on the invoice every POST
    would count the invoice's payments before the first one is recorded (and all but one fail on the unique key)."""
    create = Payment.objects.create

    def slow_create(**fields):
        time.sleep(0.05)
        return create(**fields)

    monkeypatch.setattr(Payment.objects, "create", slow_create)


def form(setup_intent):
    return {"amount": "1250.00", "frequency": "one_time", "maximum_amount": "", "method": "card", "setup_intent": setup_intent, "attempts_seen": "0"}


def test_fifty_posts_of_the_same_page_at_once_make_one_payment_intent_and_one_payment(wide_live_server, localstripe, alice, group, invoice, slow_attempts):
    path = reverse("billing:make_payment", kwargs={"group_number": group.group_number, "invoice_number": invoice.number})
    session, token = signed_in_session(alice, wide_live_server, path)
    setup_intent = collect_card(localstripe, group, alice)

    answers, seconds = post_all_at_once(wide_live_server, path, [form(setup_intent)] * POSTS, session.cookies, token)

    payment = Payment.objects.get()
    receipt = reverse("billing:payment_detail", kwargs={"group_number": group.group_number, "payment_reference": payment.reference})
    assert Counter(answers) == Counter({(302, receipt): POSTS}), "every POST lands on the one payment's page"
    assert len(localstripe.payment_intents()) == 1
    assert payment.stripe_payment_intent_id == localstripe.payment_intents()[0]["id"]
    print("\n%d concurrent POSTs of one page: %d PaymentIntent, %d payment, %.2f s" % (POSTS, len(localstripe.payment_intents()), Payment.objects.count(), seconds))


def test_fifty_windows_each_with_its_own_card_posting_at_once_make_one_payment_intent(wide_live_server, localstripe, alice, group, invoice, slow_attempts):
    path = reverse("billing:make_payment", kwargs={"group_number": group.group_number, "invoice_number": invoice.number})
    session, token = signed_in_session(alice, wide_live_server, path)
    forms = [form(collect_card(localstripe, group, alice)) for _ in range(POSTS)]

    answers, seconds = post_all_at_once(wide_live_server, path, forms, session.cookies, token)

    payment = Payment.objects.get()
    receipt = reverse("billing:payment_detail", kwargs={"group_number": group.group_number, "payment_reference": payment.reference})
    assert Counter(answers) == Counter({(302, receipt): POSTS})
    assert len(localstripe.payment_intents()) == 1
    assert payment.stripe_setup_intent_id in {f["setup_intent"] for f in forms}
    print("\n%d windows, each its own card, at once: %d PaymentIntent, %d payment, %.2f s" % (POSTS, len(localstripe.payment_intents()), Payment.objects.count(), seconds))
