-- Crafted raw rows for tests/dbt/test_triggers.py: each trigger's boundaries, one customer or
-- vehicle a case, named after it. Columns are text as ingestion lands them. The main as-of
-- instant is 2026-11-23 12:00 UTC (13:00 in Paris, where most customers live, local date
-- 2026-11-23); "T−2h" below means two hours before it.
insert into raw.crm_customers (customer_id,email,phone,first_name,last_name,birth_date,language,country,timezone,email_opt_in,sms_opt_in,loyalty_card_id,created_at,updated_at,_source,_row_number,_loaded_at) values
-- birthdays
('bday_today','bday_today@example.com','+33612000001','Anne','Today','1990-11-23','fr','FR','Europe/Paris','true','true',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',1,'2026-01-02T00:00:00Z'),
('bday_auckland','bday_auckland@example.com',null,'Aroha','Tomorrow','1990-11-24','en-NZ','NZ','Pacific/Auckland','true','false',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',2,'2026-01-02T00:00:00Z'),
('leap_paris','leap_paris@example.com',null,'Léa','Bissextile','2000-02-29','fr','FR','Europe/Paris','true','false',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',3,'2026-01-02T00:00:00Z'),
('leap_la','leap_la@example.com',null,'Leap','Angeleno','2000-02-29','en-US','US','America/Los_Angeles','true','false',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',4,'2026-01-02T00:00:00Z'),
('feb28_paris','feb28_paris@example.com',null,'Février','Paris','1990-02-28','fr','FR','Europe/Paris','true','false',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',5,'2026-01-02T00:00:00Z'),
('feb28_la','feb28_la@example.com',null,'February','Angeleno','1990-02-28','en-US','US','America/Los_Angeles','true','false',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',6,'2026-01-02T00:00:00Z'),
-- product interest
('views3','views3@example.com','+33612000007','V','Three',null,'fr','FR','Europe/Paris','true','true',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',7,'2026-01-02T00:00:00Z'),
('views4','views4@example.com','+33612000008','V','Four',null,'fr','FR','Europe/Paris','true','true',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',8,'2026-01-02T00:00:00Z'),
('views_spread','views_spread@example.com','+33612000009','V','Spread',null,'fr','FR','Europe/Paris','true','true',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',9,'2026-01-02T00:00:00Z'),
('views_bought','views_bought@example.com','+33612000010','V','Bought',null,'fr','FR','Europe/Paris','true','true',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',10,'2026-01-02T00:00:00Z'),
('views_bought_before','views_bought_before@example.com','+33612000011','V','Before',null,'fr','FR','Europe/Paris','true','true',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',11,'2026-01-02T00:00:00Z'),
('burst','burst@example.com','+33612000012','V','Burst',null,'fr','FR','Europe/Paris','true','true',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',12,'2026-01-02T00:00:00Z'),
-- abandoned baskets
('basket','basket@example.com',null,'B','Basket',null,'fr','FR','Europe/Paris','true','false',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',13,'2026-01-02T00:00:00Z'),
('basket_fresh','basket_fresh@example.com',null,'B','Fresh',null,'fr','FR','Europe/Paris','true','false',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',14,'2026-01-02T00:00:00Z'),
('basket_1h','basket_1h@example.com',null,'B','OneHour',null,'fr','FR','Europe/Paris','true','false',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',15,'2026-01-02T00:00:00Z'),
('basket_48h','basket_48h@example.com',null,'B','FortyEight',null,'fr','FR','Europe/Paris','true','false',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',16,'2026-01-02T00:00:00Z'),
('basket_49h','basket_49h@example.com',null,'B','FortyNine',null,'fr','FR','Europe/Paris','true','false',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',17,'2026-01-02T00:00:00Z'),
('basket_ordered','basket_ordered@example.com',null,'B','Ordered',null,'fr','FR','Europe/Paris','true','false',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',18,'2026-01-02T00:00:00Z'),
('basket_emptied','basket_emptied@example.com',null,'B','Emptied',null,'fr','FR','Europe/Paris','true','false',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',19,'2026-01-02T00:00:00Z'),
-- in-store cross-sell
('card_only','card_only@example.com',null,'C','Card',null,'fr','FR','Europe/Paris','true','false','CARD-1',null,'2026-01-01T00:00:00Z','crm/customers/t.csv',20,'2026-01-02T00:00:00Z'),
('owns_jacket','owns_jacket@example.com',null,'C','Jacket',null,'fr','FR','Europe/Paris','true','false','CARD-2',null,'2026-01-01T00:00:00Z','crm/customers/t.csv',21,'2026-01-02T00:00:00Z'),
('week_old','week_old@example.com',null,'C','WeekOld',null,'fr','FR','Europe/Paris','true','false',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',22,'2026-01-02T00:00:00Z'),
-- vehicles
('driver','driver@example.com','+33612000023','D','Driver',null,'fr','FR','Europe/Paris','true','true',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',23,'2026-01-02T00:00:00Z'),
-- lapsed segment
('lapsed','lapsed@example.com',null,'L','Lapsed',null,'fr','FR','Europe/Paris','true','false',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',24,'2026-01-02T00:00:00Z'),
('lapsed_90','lapsed_90@example.com',null,'L','Ninety',null,'fr','FR','Europe/Paris','true','false',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',25,'2026-01-02T00:00:00Z'),
('one_order','one_order@example.com',null,'L','Once',null,'fr','FR','Europe/Paris','true','false',null,null,'2026-01-01T00:00:00Z','crm/customers/t.csv',26,'2026-01-02T00:00:00Z'),
-- new customers (welcome series)
('new_3d','new_3d@example.com',null,'N','Three',null,'fr','FR','Europe/Paris','true','false',null,'2026-11-20T10:00:00Z','2026-11-20T10:00:00Z','crm/customers/t.csv',27,'2026-11-21T00:00:00Z'),
('new_8d','new_8d@example.com',null,'N','Eight',null,'fr','FR','Europe/Paris','true','false',null,'2026-11-15T10:00:00Z','2026-11-15T10:00:00Z','crm/customers/t.csv',28,'2026-11-21T00:00:00Z');

insert into raw.catalog_products (product_id,name,category,color,price,currency,matches_product_id,url,image_url,_source,_row_number,_loaded_at) values
('p_helmet','Helmet','gear','red','50.00','EUR','p_gloves','https://shop.example/p_helmet','https://img.example/p_helmet.jpg','catalog/products/t.csv',1,'2026-01-02T00:00:00Z'),
('p_gloves','Gloves','gear','red','20.00','EUR',null,'https://shop.example/p_gloves','https://img.example/p_gloves.jpg','catalog/products/t.csv',2,'2026-01-02T00:00:00Z'),
('p_boots','Boots','shoes','brown','89.90','EUR',null,'https://shop.example/p_boots','https://img.example/p_boots.jpg','catalog/products/t.csv',3,'2026-01-02T00:00:00Z'),
('p_trousers','Trousers','clothing','black','80.00','EUR','p_jacket','https://shop.example/p_trousers','https://img.example/p_trousers.jpg','catalog/products/t.csv',4,'2026-01-02T00:00:00Z'),
('p_jacket','Jacket','clothing','black','120.00','EUR',null,'https://shop.example/p_jacket','https://img.example/p_jacket.jpg','catalog/products/t.csv',5,'2026-01-02T00:00:00Z'),
('p_socks','Socks','clothing','white','10.00','EUR',null,'https://shop.example/p_socks','https://img.example/p_socks.jpg','catalog/products/t.csv',6,'2026-01-02T00:00:00Z');

insert into raw.web_events (event_id,occurred_at,anonymous_id,customer_id,type,product_id,order_id,revenue,currency,url,properties,_source,_row_number,_loaded_at) values
-- views3: 3 views of the boots within 72 h
('pi3_1','2026-11-21T00:00:00+00:00','a-views3','views3','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',1,'2026-11-23T11:00:00Z'),
('pi3_2','2026-11-22T06:00:00+00:00','a-views3','views3','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',2,'2026-11-23T11:00:00Z'),
('pi3_3','2026-11-23T10:00:00+00:00','a-views3','views3','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',3,'2026-11-23T11:00:00Z'),
-- views4: 4 views within 72 h (Paris offsets), the 4th at T−2h
('pi4_1','2026-11-20T15:00:00+01:00','a-views4','views4','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',4,'2026-11-23T11:00:00Z'),
('pi4_2','2026-11-21T11:00:00+01:00','a-views4','views4','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',5,'2026-11-23T11:00:00Z'),
('pi4_3','2026-11-22T17:00:00+01:00','a-views4','views4','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',6,'2026-11-23T11:00:00Z'),
('pi4_4','2026-11-23T11:00:00+01:00','a-views4','views4','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',7,'2026-11-23T11:00:00Z'),
-- views_spread: 4 views over 78 h, never 4 within 72 h
('sp_1','2026-11-20T04:00:00+00:00','a-spread','views_spread','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',8,'2026-11-23T11:00:00Z'),
('sp_2','2026-11-21T10:00:00+00:00','a-spread','views_spread','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',9,'2026-11-23T11:00:00Z'),
('sp_3','2026-11-22T16:00:00+00:00','a-spread','views_spread','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',10,'2026-11-23T11:00:00Z'),
('sp_4','2026-11-23T10:00:00+00:00','a-spread','views_spread','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',11,'2026-11-23T11:00:00Z'),
-- views_bought: 4 views, then the boots bought in store at T−1h (pos TX-boots)
('vb_1','2026-11-23T02:00:00+00:00','a-bought','views_bought','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',12,'2026-11-23T11:00:00Z'),
('vb_2','2026-11-23T04:00:00+00:00','a-bought','views_bought','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',13,'2026-11-23T11:00:00Z'),
('vb_3','2026-11-23T06:00:00+00:00','a-bought','views_bought','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',14,'2026-11-23T11:00:00Z'),
('vb_4','2026-11-23T08:00:00+00:00','a-bought','views_bought','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',15,'2026-11-23T11:00:00Z'),
-- views_bought_before: bought the boots 10 days ago, then 4 views
('vbb_0','2026-11-13T12:00:00+00:00','a-before','views_bought_before','order_completed','p_boots','o-before','89.90','EUR','https://shop.example/thanks','{}','web/events/t.jsonl',16,'2026-11-23T11:00:00Z'),
('vbb_1','2026-11-23T02:00:00+00:00','a-before','views_bought_before','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',17,'2026-11-23T11:00:00Z'),
('vbb_2','2026-11-23T04:00:00+00:00','a-before','views_bought_before','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',18,'2026-11-23T11:00:00Z'),
('vbb_3','2026-11-23T06:00:00+00:00','a-before','views_bought_before','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',19,'2026-11-23T11:00:00Z'),
('vbb_4','2026-11-23T08:00:00+00:00','a-before','views_bought_before','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',20,'2026-11-23T11:00:00Z'),
-- burst: a first burst completing at 2026-11-03 12:00 UTC, a second 20 days later
('b1_1','2026-11-03T09:00:00+00:00','a-burst','burst','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',21,'2026-11-23T11:00:00Z'),
('b1_2','2026-11-03T10:00:00+00:00','a-burst','burst','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',22,'2026-11-23T11:00:00Z'),
('b1_3','2026-11-03T11:00:00+00:00','a-burst','burst','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',23,'2026-11-23T11:00:00Z'),
('b1_4','2026-11-03T12:00:00+00:00','a-burst','burst','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',24,'2026-11-23T11:00:00Z'),
('b2_1','2026-11-23T08:00:00+00:00','a-burst','burst','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',25,'2026-11-23T11:00:00Z'),
('b2_2','2026-11-23T09:00:00+00:00','a-burst','burst','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',26,'2026-11-23T11:00:00Z'),
('b2_3','2026-11-23T10:00:00+00:00','a-burst','burst','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',27,'2026-11-23T11:00:00Z'),
('b2_4','2026-11-23T11:00:00+00:00','a-burst','burst','product_view','p_boots',null,null,null,'https://shop.example/p_boots','{}','web/events/t.jsonl',28,'2026-11-23T11:00:00Z'),
-- basket: an add before the last order, then helmet ×2, gloves added and removed, socks; last at T−2h
('bk0','2026-11-20T11:00:00+00:00','a-basket','basket','add_to_cart','p_gloves',null,null,null,'https://shop.example/p_gloves','{}','web/events/t.jsonl',29,'2026-11-23T11:00:00Z'),
('bk_order','2026-11-20T12:00:00+00:00','a-basket','basket','order_completed','p_socks','o-basket','10.00','EUR','https://shop.example/thanks','{}','web/events/t.jsonl',30,'2026-11-23T11:00:00Z'),
('bk1','2026-11-23T07:00:00+00:00','a-basket',null,'add_to_cart','p_helmet',null,null,null,'https://shop.example/p_helmet','{"quantity": 2}','web/events/t.jsonl',31,'2026-11-23T11:00:00Z'),
('bk2','2026-11-23T08:00:00+00:00','a-basket','basket','add_to_cart','p_gloves',null,null,null,'https://shop.example/p_gloves','{"quantity": "1"}','web/events/t.jsonl',32,'2026-11-23T11:00:00Z'),
('bk3','2026-11-23T09:00:00+00:00','a-basket','basket','remove_from_cart','p_gloves',null,null,null,'https://shop.example/cart','{}','web/events/t.jsonl',33,'2026-11-23T11:00:00Z'),
('bk4','2026-11-23T10:00:00+00:00','a-basket','basket','add_to_cart','p_socks',null,null,null,'https://shop.example/p_socks','{}','web/events/t.jsonl',34,'2026-11-23T11:00:00Z'),
-- basket_fresh: 30 minutes old; basket_1h: exactly 1 h; basket_48h: exactly 48 h; basket_49h: 49 h
('bf1','2026-11-23T11:30:00+00:00','a-fresh','basket_fresh','add_to_cart','p_helmet',null,null,null,'https://shop.example/p_helmet','{}','web/events/t.jsonl',35,'2026-11-23T11:40:00Z'),
('b1h','2026-11-23T11:00:00+00:00','a-1h','basket_1h','add_to_cart','p_helmet',null,null,null,'https://shop.example/p_helmet','{}','web/events/t.jsonl',36,'2026-11-23T11:40:00Z'),
('b48','2026-11-21T12:00:00+00:00','a-48h','basket_48h','add_to_cart','p_helmet',null,null,null,'https://shop.example/p_helmet','{}','web/events/t.jsonl',37,'2026-11-23T11:40:00Z'),
('b49','2026-11-21T11:00:00+00:00','a-49h','basket_49h','add_to_cart','p_helmet',null,null,null,'https://shop.example/p_helmet','{}','web/events/t.jsonl',38,'2026-11-23T11:40:00Z'),
-- basket_ordered: add, then an order an hour later; basket_emptied: add, then remove
('bo1','2026-11-23T06:00:00+00:00','a-ordered','basket_ordered','add_to_cart','p_helmet',null,null,null,'https://shop.example/p_helmet','{}','web/events/t.jsonl',39,'2026-11-23T11:40:00Z'),
('bo2','2026-11-23T07:00:00+00:00','a-ordered','basket_ordered','order_completed','p_helmet','o-ordered','50.00','EUR','https://shop.example/thanks','{}','web/events/t.jsonl',40,'2026-11-23T11:40:00Z'),
('be1','2026-11-23T06:00:00+00:00','a-emptied','basket_emptied','add_to_cart','p_helmet',null,null,null,'https://shop.example/p_helmet','{}','web/events/t.jsonl',41,'2026-11-23T11:40:00Z'),
('be2','2026-11-23T07:00:00+00:00','a-emptied','basket_emptied','remove_from_cart','p_helmet',null,null,null,'https://shop.example/cart','{}','web/events/t.jsonl',42,'2026-11-23T11:40:00Z'),
-- owns_jacket bought the jacket on the web in August
('oj1','2026-08-01T10:00:00+00:00','a-jacket','owns_jacket','order_completed','p_jacket','o-jacket','120.00','EUR','https://shop.example/thanks','{}','web/events/t.jsonl',43,'2026-08-02T00:00:00Z');

insert into raw.pos_transactions (transaction_id,line_number,store_id,customer_id,loyalty_card_id,product_id,quantity,unit_price,currency,purchased_at,voucher_code,_source,_row_number,_loaded_at) values
-- card_only shows only a loyalty card when buying trousers (their match: the jacket)
('TX-card','1','S-PARIS',null,'CARD-1','p_trousers','1','80.00','EUR','2026-11-21T15:00:00+01:00',null,'pos/transactions/t.csv',1,'2026-11-22T00:00:00Z'),
-- owns_jacket buys trousers in store, having bought the jacket on the web
('TX-owner','1','S-PARIS','owns_jacket',null,'p_trousers','1','80.00','EUR','2026-11-22T10:00:00Z',null,'pos/transactions/t.csv',2,'2026-11-23T00:00:00Z'),
-- week_old bought trousers exactly 7 days before T
('TX-week','1','S-LYON','week_old',null,'p_trousers','1','80.00','EUR','2026-11-16T12:00:00Z',null,'pos/transactions/t.csv',3,'2026-11-17T00:00:00Z'),
-- views_bought buys the boots in store at T−1h
('TX-boots','1','S-PARIS','views_bought',null,'p_boots','1','89.90','EUR','2026-11-23T11:00:00Z',null,'pos/transactions/t.csv',4,'2026-11-23T11:30:00Z'),
-- lapsed: two orders, the last on local date 2026-08-24 (91 days before T), a third after T
('TX-l1','1','S-PARIS','lapsed',null,'p_socks','1','10.00','EUR','2026-03-01T12:00:00Z',null,'pos/transactions/t.csv',5,'2026-03-02T00:00:00Z'),
('TX-l2','1','S-PARIS','lapsed',null,'p_socks','1','10.00','EUR','2026-08-24T10:00:00Z',null,'pos/transactions/t.csv',6,'2026-08-25T00:00:00Z'),
('TX-l3','1','S-PARIS','lapsed',null,'p_socks','1','10.00','EUR','2026-11-28T12:00:00Z',null,'pos/transactions/t.csv',7,'2026-11-29T00:00:00Z'),
-- lapsed_90: two orders, the last on local date 2026-08-25 (90 days before T)
('TX-n1','1','S-PARIS','lapsed_90',null,'p_socks','1','10.00','EUR','2026-03-01T12:00:00Z',null,'pos/transactions/t.csv',8,'2026-03-02T00:00:00Z'),
('TX-n2','1','S-PARIS','lapsed_90',null,'p_socks','1','10.00','EUR','2026-08-25T10:00:00Z',null,'pos/transactions/t.csv',9,'2026-08-26T00:00:00Z'),
-- one_order: a single order long ago
('TX-o1','1','S-PARIS','one_order',null,'p_socks','1','10.00','EUR','2026-01-01T12:00:00Z',null,'pos/transactions/t.csv',10,'2026-01-02T00:00:00Z');

insert into raw.crm_vehicles (vehicle_id,customer_id,make,model,model_year,delivered_at,last_service_at,service_interval_months,_source,_row_number,_loaded_at) values
('v_delivered_today','driver','Peugeot','3008','2026','2026-11-23',null,null,'crm/vehicles/t.csv',1,'2026-11-23T06:00:00Z'),
('v_delivered_6d','driver','Peugeot','208','2026','2026-11-17',null,null,'crm/vehicles/t.csv',2,'2026-11-23T06:00:00Z'),
('v_delivered_7d','driver','Peugeot','408','2026','2026-11-16',null,null,'crm/vehicles/t.csv',3,'2026-11-23T06:00:00Z'),
('v_delivered_13d','driver','Peugeot','508','2026','2026-11-10',null,null,'crm/vehicles/t.csv',4,'2026-11-23T06:00:00Z'),
('v_delivered_14d','driver','Peugeot','2008','2026','2026-11-09',null,null,'crm/vehicles/t.csv',5,'2026-11-23T06:00:00Z'),
('v_delivered_tomorrow','driver','Peugeot','5008','2027','2026-11-24',null,null,'crm/vehicles/t.csv',6,'2026-11-23T06:00:00Z'),
('v_due_14d','driver','Renault','Clio','2019','2019-06-01','2025-12-07','12','crm/vehicles/t.csv',7,'2026-11-23T06:00:00Z'),
('v_due_15d','driver','Renault','Megane','2019','2019-06-01','2025-12-08','12','crm/vehicles/t.csv',8,'2026-11-23T06:00:00Z'),
('v_overdue_30d','driver','Renault','Captur','2019','2019-06-01','2025-10-24','12','crm/vehicles/t.csv',9,'2026-11-23T06:00:00Z'),
('v_overdue_31d','driver','Renault','Kadjar','2019','2019-06-01','2025-10-23','12','crm/vehicles/t.csv',10,'2026-11-23T06:00:00Z'),
('v_renewal_today','driver','VW','Golf','2023','2023-11-23','2026-06-01','12','crm/vehicles/t.csv',11,'2026-11-23T06:00:00Z'),
('v_renewal_30d','driver','VW','Polo','2023','2023-10-24','2026-06-01','12','crm/vehicles/t.csv',12,'2026-11-23T06:00:00Z'),
('v_renewal_31d','driver','VW','Tiguan','2023','2023-10-23','2026-06-01','12','crm/vehicles/t.csv',13,'2026-11-23T06:00:00Z'),
('v_renewal_tomorrow','driver','VW','Passat','2023','2023-11-24','2026-06-01','12','crm/vehicles/t.csv',14,'2026-11-23T06:00:00Z');
