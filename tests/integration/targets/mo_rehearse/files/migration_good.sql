-- close the open orders and keep an audit trail
CREATE TABLE audit (id int primary key, what varchar(20));
UPDATE orders SET status = 'closed' WHERE status = 'open';
INSERT INTO audit VALUES (1, 'closed open orders');
