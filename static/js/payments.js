// Payments. Make a Payment and Recurring Payment: the card or bank account goes from this page
// to Stripe.js, which confirms a SetupIntent; the form then carries only the SetupIntent's ID to
// the portal, so card and bank numbers never reach it. The payment page waits for Stripe's
// webhook (it polls the payment's status and reloads once it is decided) and prints the receipt.
(function () {
  "use strict";

  var GENERIC_ERROR = "We could not start the payment. Nothing was charged. Please try again.";

  function find(root, selector) {
    return root.querySelector(selector);
  }

  var focusMe = document.querySelector("[data-focus-on-load]");
  if (focusMe) {
    focusMe.focus();
  }
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var form = document.querySelector("[data-payment-form]");
  if (form) {
    paymentForm(form);
  }
  var confirmButton = document.querySelector("[data-confirm-payment]");
  if (confirmButton) {
    confirmWithBank(confirmButton);
  }
  var waiting = document.querySelector("[data-status-url]");
  if (waiting) {
    waitForOutcome(waiting);
  }

  function paymentForm(form) {
    var message = find(form, "[data-payment-message]");
    var progress = find(form, "[data-payment-progress]");
    var button = find(form, "[data-payment-submit]");
    var setupField = form.querySelector("[name=setup_intent]");
    var frequency = form.querySelector("[name=frequency]");
    var recurringOnly = find(form, "[data-recurring-only]");
    var busy = false;
    var card = null;

    function say(text) {
      progress.textContent = text;
    }
    function showError(text) {
      message.textContent = text;
      message.hidden = false;
      message.setAttribute("tabindex", "-1");
      message.focus();
    }
    if (typeof Stripe !== "function") {
      showError("The payment form could not reach Stripe, our payment processor. Please reload the page.");
      button.disabled = true;
      return;
    }
    var stripe = Stripe(form.dataset.stripeKey);
    var elements = stripe.elements();

    function chosenMethod() {
      var checked = form.querySelector("[name=method]:checked");
      return checked ? checked.value : "card";
    }
    function showFields() {
      if (recurringOnly && frequency) {
        recurringOnly.hidden = frequency.value !== "recurring";
      }
      var method = chosenMethod();
      find(form, "[data-method-entry]").hidden = method === "keep";
      find(form, "[data-card-entry]").hidden = method !== "card";
      find(form, "[data-bank-entry]").hidden = method !== "us_bank_account";
      if (method === "card" && !card) {
        card = elements.create("card");
        card.mount(find(form, "[data-card-element]"));
      }
    }
    form.querySelectorAll("[name=method]").forEach(function (input) {
      input.addEventListener("change", showFields);
    });
    if (frequency) {
      frequency.addEventListener("change", showFields);
    }
    showFields();

    function confirmMethod(method, secret) {
      var details = {name: form.dataset.payerName, email: form.dataset.payerEmail};
      if (method === "card") {
        return stripe.confirmCardSetup(secret, {payment_method: {card: card, billing_details: {name: details.name}}});
      }
      if (typeof stripe.collectBankAccountForSetup !== "function") {
        return Promise.resolve({error: {message: "Bank account payments are not available here. Choose Card."}});
      }
      return stripe.collectBankAccountForSetup({
        clientSecret: secret,
        params: {payment_method_type: "us_bank_account", payment_method_data: {billing_details: details}}
      }).then(function (result) {
        if (result.error) {
          return result;
        }
        if (result.setupIntent.status === "requires_payment_method") {
          return {error: {message: "No bank account was connected. Nothing was charged."}};
        }
        return stripe.confirmUsBankAccountSetup(secret);
      });
    }

    function submitForReview() {
      // The server checks the form and shows each problem next to its field.
      form.dataset.ready = "yes";
      form.submit();
    }

    form.addEventListener("submit", function (event) {
      var method = chosenMethod();
      if (form.dataset.ready === "yes" || method === "keep") {
        return;
      }
      event.preventDefault();
      if (busy) {
        return;
      }
      busy = true;
      button.disabled = true;
      message.hidden = true;
      say("Sending your details to Stripe...");
      fetch(form.dataset.setupUrl, {
        method: "POST", body: new FormData(form), credentials: "same-origin", headers: {"X-Requested-With": "fetch"}
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return {status: response.status, body: body};
        });
      }).then(function (answer) {
        if (answer.status === 400 && answer.body.invalid) {
          submitForReview();
          return null;
        }
        if (!answer.body.client_secret) {
          throw new Error(answer.body.error || GENERIC_ERROR);
        }
        return confirmMethod(method, answer.body.client_secret);
      }).then(function (result) {
        if (result === null) {
          return;
        }
        if (!result || result.error) {
          throw new Error((result && result.error && result.error.message) || GENERIC_ERROR);
        }
        setupField.value = result.setupIntent.id;
        say("Submitting your payment...");
        form.dataset.ready = "yes";
        form.submit();
      }).catch(function (error) {
        busy = false;
        button.disabled = false;
        say("");
        showError(error && error.message ? error.message : GENERIC_ERROR);
      });
    });
  }

  function confirmWithBank(button) {
    button.addEventListener("click", function () {
      button.disabled = true;
      Stripe(button.dataset.stripeKey).confirmCardPayment(button.dataset.clientSecret).then(function () {
        window.location.reload();
      });
    });
  }

  function waitForOutcome(box) {
    var tries = 0;
    var note = find(box, "[data-payment-waiting]");
    function poll() {
      tries += 1;
      fetch(box.dataset.statusUrl, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}}).then(function (response) {
        return response.ok ? response.json() : {status: "pending"};
      }).then(function (body) {
        if (body.status !== "pending") {
          window.location.reload();
        } else if (tries < 80) {
          window.setTimeout(poll, 1500);
        } else if (note) {
          note.textContent = "This is taking longer than usual. The invoice history shows the payment once it is confirmed, and we email you then.";
        }
      }).catch(function () {
        if (tries < 80) {
          window.setTimeout(poll, 3000);
        }
      });
    }
    window.setTimeout(poll, 1000);
  }
})();
