-- Crafted raw rows for tests/dbt: one or two of each case the staging and identity rules handle
-- (re-exports, ties, bad contacts, unknown zones, shared devices, loyalty cards, future rows).
-- Columns are text as ingestion lands them; the as-of instant of the tests is 2026-11-23 12:00 UTC.
insert into raw.crm_customers (customer_id,email,phone,first_name,last_name,birth_date,language,country,timezone,email_opt_in,sms_opt_in,loyalty_card_id,created_at,updated_at,_source,_row_number,_loaded_at) values
('c1','old@example.com','+33 6 12 34 56 78','Alice','Old','1990-11-23','fr','be','Europe/Brussels','no','no','L1','2024-01-01T10:00:00Z','2025-01-01T10:00:00Z','crm/customers/a.csv',1,'2026-11-01T00:00:00Z'),
('c1',' Alice@Example.COM ','+33 6 12 34 56 78','Alice','Martin','1990-11-23','FR-be','be','Europe/Brussels','Yes','0','L1','2024-01-01T10:00:00Z','2026-01-01T10:00:00Z','crm/customers/b.csv',1,'2026-10-01T00:00:00Z'),
('c2','bob@','0033 (6) 12.34.56.78','Bob','Durand','1985-02-28','de','fr','Mars/Olympus','TRUE','true',null,'2024-01-01','2026-02-01T00:00:00+01:00','crm/customers/b.csv',2,'2026-10-01T00:00:00Z'),
('c3','carol@example.org','0612345678','Carol','X','2000-02-29','en_gb','XX',null,'1','1','L3',null,'2026-03-01T00:00:00','crm/customers/b.csv',3,'2026-10-01T00:00:00Z'),
('c4','first@example.com',null,'Dan','First',null,null,'DE','europe/berlin','yes','no',null,null,'2026-03-01T00:00:00Z','crm/customers/b.csv',4,'2026-10-01T00:00:00Z'),
('c4','second@example.com',null,'Dan','Second',null,null,'DE','europe/berlin','yes','no',null,null,'2026-03-01T00:00:00Z','crm/customers/c.csv',9,'2026-10-02T00:00:00Z'),
('c5','eve@example.com','+1 (415) 555-0100','Eve','Prospect','2010-12-01','en-us','US','America/Los_Angeles','yes','yes',null,null,'2026-03-01T00:00:00Z','crm/customers/b.csv',5,'2026-10-01T00:00:00Z'),
('c6','frank@example.com','+41 79 123 45 67','Frank','Card','1970-06-15','de-CH','CH','Europe/Zurich','yes','yes','L6',null,'2026-03-01T00:00:00Z','crm/customers/b.csv',6,'2026-10-01T00:00:00Z');

insert into raw.crm_vehicles (vehicle_id,customer_id,make,model,model_year,delivered_at,last_service_at,service_interval_months,_source,_row_number,_loaded_at) values
('v1','c1','Peugeot','308','2026','2026-11-20',null,null,'crm/vehicles/a.csv',1,'2026-11-01T00:00:00Z'),
('v2','c6','VW','Golf','2020','2020-05-01','2026-01-15','24','crm/vehicles/a.csv',2,'2026-11-01T00:00:00Z'),
('v2','c6','VW','Golf','2020','2020-05-01','2025-01-15','24','crm/vehicles/old.csv',2,'2026-10-01T00:00:00Z');

insert into raw.catalog_products (product_id,name,category,color,price,currency,matches_product_id,url,image_url,_source,_row_number,_loaded_at) values
('p1','Helmet','gear','red','50.00','eur','p2','https://shop/p1','https://img/p1','catalog/products/a.csv',1,'2026-11-01T00:00:00Z'),
('p2','Gloves','gear','red','20.00','EUR',null,'https://shop/p2','https://img/p2','catalog/products/a.csv',2,'2026-11-01T00:00:00Z'),
('p3','Jacket','gear','black','120','EUR','p999','https://shop/p3','https://img/p3','catalog/products/a.csv',3,'2026-11-01T00:00:00Z');

insert into raw.web_events (event_id,occurred_at,anonymous_id,customer_id,type,product_id,order_id,revenue,currency,url,properties,_source,_row_number,_loaded_at) values
('e1','2026-11-20T10:00:00+01:00','a1',null,'page_view',null,null,null,null,'https://shop/','{}','web/events/1.jsonl',1,'2026-11-21T00:00:00Z'),
('e2','2026-11-20T10:05:00+01:00','a1',null,'product_view','p1',null,null,null,'https://shop/p1','{}','web/events/1.jsonl',2,'2026-11-21T00:00:00Z'),
('e3','2026-11-20T10:10:00+01:00','a1','c1','login',null,null,null,null,'https://shop/login','{}','web/events/1.jsonl',3,'2026-11-21T00:00:00Z'),
('e4','2026-11-20T10:15:00+01:00','a1',null,'add_to_cart','p1',null,null,null,'https://shop/p1','{"quantity": 1}','web/events/1.jsonl',4,'2026-11-21T00:00:00Z'),
('e5','2026-11-20T10:20:00+01:00','a1','c1','order_completed',null,'o1','90.00','EUR','https://shop/thanks','{"items": [{"product_id": "p1", "quantity": 1, "unit_price": 50}, {"product_id": "p2", "quantity": "2", "unit_price": "20"}], "voucher_code": "WELCOME10"}','web/events/1.jsonl',5,'2026-11-21T00:00:00Z'),
('e5','2026-11-20T10:20:00+01:00','a1','c1','order_completed',null,'o1','90.00','EUR','https://shop/thanks','{"items": [{"product_id": "p1", "quantity": 1, "unit_price": 50}, {"product_id": "p2", "quantity": "2", "unit_price": "20"}], "voucher_code": "WELCOME10"}','web/events/1-reexport.jsonl',5,'2026-11-22T00:00:00Z'),
('e6','2026-11-20T10:21:00+01:00','a1','c1','order_completed',null,'o1','90.00','EUR','https://shop/thanks','{}','web/events/1.jsonl',6,'2026-11-21T00:00:00Z'),
('e7','2026-11-21T09:00:00+01:00','a1',null,'order_completed','p3','o2','120','EUR','https://shop/thanks','{}','web/events/1.jsonl',7,'2026-11-21T00:00:00Z'),
('s1','2026-11-01T08:00:00Z','a2',null,'page_view',null,null,null,null,'https://shop/','{}','web/events/2.jsonl',1,'2026-11-21T00:00:00Z'),
('s2','2026-11-01T08:10:00Z','a2','c1','login',null,null,null,null,'https://shop/login','{}','web/events/2.jsonl',2,'2026-11-21T00:00:00Z'),
('s3','2026-11-01T08:20:00Z','a2',null,'product_view','p2',null,null,null,'https://shop/p2','{}','web/events/2.jsonl',3,'2026-11-21T00:00:00Z'),
('s4','2026-11-05T18:00:00Z','a2','c2','login',null,null,null,null,'https://shop/login','{}','web/events/2.jsonl',4,'2026-11-21T00:00:00Z'),
('s5','2026-11-05T18:05:00Z','a2',null,'product_view','p404',null,null,null,'https://shop/p404','{}','web/events/2.jsonl',5,'2026-11-21T00:00:00Z'),
('u1','2026-11-10T08:00:00Z','a3','c999','login',null,null,null,null,'https://shop/login','{}','web/events/2.jsonl',6,'2026-11-21T00:00:00Z'),
('u2','2026-11-10T08:05:00Z','a3',null,'page_view',null,null,null,null,'https://shop/','{}','web/events/2.jsonl',7,'2026-11-21T00:00:00Z'),
('n1','2026-11-10T08:05:00Z',null,null,'page_view',null,null,null,null,'https://shop/','{}','web/events/2.jsonl',8,'2026-11-21T00:00:00Z'),
('f1','2026-12-24T08:05:00Z','a1','c1','order_completed','p2','o9','20',null,'https://shop/','{}','web/events/3.jsonl',1,'2026-11-21T00:00:00Z'),
('w1','2025-06-01T08:05:00+02:00','a4','c2','order_completed',null,'o3',null,'EUR','https://shop/','{"items": [{"product_id": "p2", "quantity": "x"}, {"quantity": 3}, "junk"], "voucher_codes": ["A", " B ", ""]}','web/events/0.jsonl',1,'2025-06-02T00:00:00Z');

insert into raw.pos_transactions (transaction_id,line_number,store_id,customer_id,loyalty_card_id,product_id,quantity,unit_price,currency,purchased_at,voucher_code,_source,_row_number,_loaded_at) values
('T1','1','S1','c2',null,'p1','1','50','EUR','2026-08-01T15:00:00+02:00',null,'pos/transactions/a.csv',1,'2026-08-02T00:00:00Z'),
('T1','1','S1','c2',null,'p1','1','45','EUR','2026-08-01T15:00:00+02:00',null,'pos/transactions/a2.csv',1,'2026-08-03T00:00:00Z'),
('T1','2','S1','c2',null,'p3','2','100','EUR','2026-08-01T15:00:00+02:00','V10','pos/transactions/a.csv',2,'2026-08-02T00:00:00Z'),
('T2','1','S2',null,'L6','p1','1','50','EUR','2026-11-18T11:00:00',null,'pos/transactions/b.csv',1,'2026-11-19T00:00:00Z'),
('T3','1','S2',null,'L404','p2',null,'20','EUR','2026-11-18T12:00:00Z',null,'pos/transactions/b.csv',2,'2026-11-19T00:00:00Z'),
('T4','1','S1',null,'L3','p2','1','20','EUR','2024-01-18T12:00:00Z',null,'pos/transactions/b.csv',3,'2026-11-19T00:00:00Z');
