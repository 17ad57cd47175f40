-- a migration whose third statement fails
ALTER TABLE orders ADD COLUMN note varchar(20);
UPDATE orders SET note = 'checked' WHERE status = 'paid';

INSERT INTO orders_missing VALUES (1);
DELETE FROM orders;
