"""The ledger cannot commit an unbalanced transaction.

A deferred constraint trigger on every ledger entry checks, at COMMIT, that the entries of
each transaction it touched sum to zero per currency. The function lives in the public
schema (one copy for every group; the template's trigger is cloned with each new group)
and reads the table of the schema the trigger fired in.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION public.ancile_ledger_must_balance() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    txn bigint;
    off record;
BEGIN
    IF TG_OP = 'DELETE' THEN txn := OLD.transaction_id; ELSE txn := NEW.transaction_id; END IF;
    EXECUTE format('SELECT currency, SUM(amount_minor) AS total FROM %I.%I '
                   'WHERE transaction_id = $1 GROUP BY currency HAVING SUM(amount_minor) <> 0 '
                   'LIMIT 1', TG_TABLE_SCHEMA, TG_TABLE_NAME)
        INTO off USING txn;
    IF off IS NOT NULL THEN
        RAISE EXCEPTION 'ledger transaction % does not balance: % % off', txn, off.total,
            off.currency USING ERRCODE = 'check_violation',
            CONSTRAINT = 'ledger_transaction_balances';
    END IF;
    RETURN NULL;
END;
$$;
"""

TRIGGER = """
CREATE CONSTRAINT TRIGGER ledger_transaction_balances
AFTER INSERT OR UPDATE OR DELETE ON payments_ledgerentry
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION public.ancile_ledger_must_balance();
"""


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [
        migrations.RunSQL(FUNCTION + TRIGGER,
                          "DROP TRIGGER IF EXISTS ledger_transaction_balances "
                          "ON payments_ledgerentry;"),
    ]
