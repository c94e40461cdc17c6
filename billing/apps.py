from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self):
        # Imported here: selectors reads models, which exist only once the app registry is ready.
        from billing.selectors import expected_termination_credit
        from enrollment import hooks

        # Enrollment's pages show the credit a termination brings without importing billing.
        if expected_termination_credit not in hooks.credit_estimators:
            hooks.credit_estimators.append(expected_termination_credit)
