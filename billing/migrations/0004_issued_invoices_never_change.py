"""An issued invoice never changes: the database refuses it, whatever code asks.

- billing_invoice: only amount_paid and status may change (payments and past due); every
  issued figure, date and number is fixed. No invoice is deleted.
- billing_invoiceline, billing_invoicelinemember and billing_invoicebreakdownrow: never updated, never deleted.
- billing_adjustment: once it landed on an invoice (invoice_line set), never updated or deleted.

The one exception is the demo's monthly rebuild, which deletes its own groups' billing history
inside a transaction that first runs `SET LOCAL billing.allow_purge = 'on'`
(billing.services.purge_billing_history); nothing else sets it.
The refusal is SQLSTATE 23000, which Django raises as IntegrityError.
"""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION billing_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('billing.allow_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'An issued invoice never changes: % of a row of % refused.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = '23000';
END $$;

CREATE FUNCTION billing_invoice_keeps_its_figures() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.group_id, NEW.number, NEW.period, NEW.sequence, NEW.issued_on, NEW.due_on, NEW.previous_balance,
        NEW.payments_received, NEW.current_premium, NEW.adjustments_total, NEW.amount_due, NEW.created_at)
       IS DISTINCT FROM
       (OLD.group_id, OLD.number, OLD.period, OLD.sequence, OLD.issued_on, OLD.due_on, OLD.previous_balance,
        OLD.payments_received, OLD.current_premium, OLD.adjustments_total, OLD.amount_due, OLD.created_at) THEN
        RAISE EXCEPTION 'An issued invoice never changes: only its amount paid and status may (invoice %).', OLD.number
            USING ERRCODE = '23000';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER billing_invoice_figures_fixed BEFORE UPDATE ON billing_invoice
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_keeps_its_figures();
CREATE TRIGGER billing_invoice_never_deleted BEFORE DELETE ON billing_invoice
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_change();
CREATE TRIGGER billing_invoiceline_fixed BEFORE UPDATE OR DELETE ON billing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_change();
CREATE TRIGGER billing_invoicelinemember_fixed BEFORE UPDATE OR DELETE ON billing_invoicelinemember
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_change();
CREATE TRIGGER billing_invoicebreakdownrow_fixed BEFORE UPDATE OR DELETE ON billing_invoicebreakdownrow
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_change();
CREATE TRIGGER billing_adjustment_fixed_once_invoiced BEFORE UPDATE OR DELETE ON billing_adjustment
    FOR EACH ROW WHEN (OLD.invoice_line_id IS NOT NULL) EXECUTE FUNCTION billing_refuse_change();
"""

BACKWARD = r"""
DROP TRIGGER billing_adjustment_fixed_once_invoiced ON billing_adjustment;
DROP TRIGGER billing_invoicebreakdownrow_fixed ON billing_invoicebreakdownrow;
DROP TRIGGER billing_invoicelinemember_fixed ON billing_invoicelinemember;
DROP TRIGGER billing_invoiceline_fixed ON billing_invoiceline;
DROP TRIGGER billing_invoice_never_deleted ON billing_invoice;
DROP TRIGGER billing_invoice_figures_fixed ON billing_invoice;
DROP FUNCTION billing_invoice_keeps_its_figures();
DROP FUNCTION billing_refuse_change();
"""


class Migration(migrations.Migration):

    dependencies = [("billing", "0003_invoice_generation")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
