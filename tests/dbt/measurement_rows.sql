-- Crafted rows for tests/dbt/test_measurement.py: what touchpoint sent and heard back, and the
-- orders that followed, one customer (or group) a case, named after it. The as-of instant is
-- 2026-11-23 12:00 UTC. Each campaign below holds one case, so its figures can be checked by hand.
--
--   abandoned_basket (3-day window, holdout): t1..t4 sent on 11-10 10:00, t1 and t2 order within
--       3 days (50 web, 80 store), t3 after 5 days; h1..h4 held out, judged 11-10 10:00, h1
--       orders within 3 days, h2 after 4 days → treated 2/4, holdout 1/4, lift +0.25
--   instore_cross_sell: shopper's voucher redeemed at the till 9 days later (120)
--   birthday, winback: `both` got winback on 11-01 and birthday on 11-08, ordered on 11-09 (40):
--       a conversion of each, the revenue credited to the latest (birthday); `dup`'s events
--       arrive twice
--   vehicle_renewal: unsub unsubscribes by email; product_interest: stopper texts STOP
--   service_reminder: texter opens email but clicks only SMS, reader clicks email, silent nothing
--   satisfaction_survey: answers 9 (Peugeot, by inbound SMS), 10 then 4 (Renault), 7 (Peugeot)
--   flash_sale: a campaign the catalog never registered (default 30-day window): flash orders
--       19 days after (15); sms_keyword_reply: an answer to silent, not a campaign
insert into raw.crm_customers (customer_id,email,phone,first_name,last_name,birth_date,language,country,timezone,email_opt_in,sms_opt_in,loyalty_card_id,created_at,updated_at,_source,_row_number,_loaded_at)
select id, id || '@example.com', '+336120000' || lpad(n::text, 2, '0'), 'M', id, null, 'fr', 'FR',
    'Europe/Paris', 'true', 'true', null, null, '2026-01-01T00:00:00Z', 'crm/customers/m.csv', n,
    '2026-01-02T00:00:00Z'
from unnest(array[
    'dup', 'both', 'unsub', 'stopper', 'restarted', 'texter', 'reader', 'silent', 'driver1',
    'driver2', 'driver3', 'shopper', 't1', 't2', 't3', 't4', 'h1', 'h2', 'h3', 'h4', 'flash'
]) with ordinality as customers (id, n);

insert into raw.crm_vehicles (vehicle_id,customer_id,make,model,model_year,delivered_at,last_service_at,service_interval_months,_source,_row_number,_loaded_at) values
('V1','driver1','Peugeot','208','2026','2026-11-09',null,null,'crm/vehicles/m.csv',1,'2026-11-10T00:00:00Z'),
('V2','driver2','Renault','Clio','2026','2026-11-09',null,null,'crm/vehicles/m.csv',2,'2026-11-10T00:00:00Z'),
('V3','driver3','Peugeot','3008','2026','2026-11-09',null,null,'crm/vehicles/m.csv',3,'2026-11-10T00:00:00Z');

insert into raw.catalog_products (product_id,name,category,color,price,currency,matches_product_id,url,image_url,_source,_row_number,_loaded_at) values
('p1','Jacket','clothing','black','120.00','EUR',null,'https://shop.example/p1','https://img.example/p1.jpg','catalog/products/m.csv',1,'2026-01-02T00:00:00Z');

insert into raw.web_events (event_id,occurred_at,anonymous_id,customer_id,type,product_id,order_id,revenue,currency,url,properties,_source,_row_number,_loaded_at) values
('w-t1','2026-11-11T10:00:00+00:00','a-t1','t1','order_completed','p1','o-t1','50.00','EUR',null,'{}','web/events/m.jsonl',1,'2026-11-23T00:00:00Z'),
('w-t3','2026-11-15T10:00:00+00:00','a-t3','t3','order_completed','p1','o-t3','60.00','EUR',null,'{}','web/events/m.jsonl',2,'2026-11-23T00:00:00Z'),
('w-both','2026-11-09T10:00:00+00:00','a-both','both','order_completed','p1','o-both','40.00','EUR',null,'{}','web/events/m.jsonl',3,'2026-11-23T00:00:00Z'),
('w-shop-old','2026-10-20T10:00:00+00:00','a-shop','shopper','order_completed','p1','o-shop-old','99.00','EUR',null,'{}','web/events/m.jsonl',4,'2026-11-23T00:00:00Z'),
('w-flash','2026-11-20T10:00:00+00:00','a-flash','flash','order_completed','p1','o-flash','15.00','EUR',null,'{}','web/events/m.jsonl',5,'2026-11-23T00:00:00Z');

insert into raw.pos_transactions (transaction_id,line_number,store_id,customer_id,loyalty_card_id,product_id,quantity,unit_price,currency,purchased_at,voucher_code,_source,_row_number,_loaded_at) values
('TX-t2','1','S1','t2',null,'p1','1','80','EUR','2026-11-12T10:00:00+00:00',null,'pos/transactions/m.csv',1,'2026-11-23T00:00:00Z'),
('TX-h1','1','S1','h1',null,'p1','1','30','EUR','2026-11-12T10:00:00+00:00',null,'pos/transactions/m.csv',2,'2026-11-23T00:00:00Z'),
('TX-h2','1','S1','h2',null,'p1','1','25','EUR','2026-11-14T10:01:00+00:00',null,'pos/transactions/m.csv',3,'2026-11-23T00:00:00Z'),
('TX-shop','1','S1','shopper',null,'p1','1','120','EUR','2026-11-10T12:00:00+00:00',' abcd-efgh-jkmn','pos/transactions/m.csv',4,'2026-11-23T00:00:00Z');

insert into messaging.campaigns (campaign, description, source_model, channel, priority, holdout, conversion_window_days, voucher) values
('abandoned_basket', 'Basket reminder', 'trg_abandoned_basket', 'email', 80, 0.1, 3, null),
('instore_cross_sell', 'Cross-sell', 'trg_instore_cross_sell', 'email', 60, 0.1, 30, '{"kind": "amount", "value": "10", "currency": "EUR", "valid_days": 30}'),
('birthday', 'Birthday', 'trg_birthday', 'best', 50, 0.05, 14, null),
('winback', 'Winback', 'seg_lapsed_customers', 'best', 40, 0.1, 30, null),
('vehicle_renewal', 'Renewal', 'trg_vehicle_renewal', 'email', 55, 0.1, 90, null),
('product_interest', 'Interest', 'trg_product_interest', 'sms', 70, 0.1, 7, null),
('service_reminder', 'Service', 'trg_service_reminder', 'best', 100, 0, 30, null),
('satisfaction_survey', 'Survey', 'trg_satisfaction_survey', 'sms', 90, 0, 30, null),
('vehicle_welcome', 'Welcome', 'trg_vehicle_welcome', 'email', 95, 0, 30, null);

-- Every message: (message id, campaign, occurrence key, customer, channel, sent at).
create temp table sent_messages (message_id uuid, campaign text, occurrence_key text, customer_id text, channel text, sent_at timestamptz);
insert into sent_messages values
('00000000-0000-0000-0000-0000000000a1', 'abandoned_basket', 't1:b', 't1', 'email', '2026-11-10T10:00:00Z'),
('00000000-0000-0000-0000-0000000000a2', 'abandoned_basket', 't2:b', 't2', 'email', '2026-11-10T10:00:00Z'),
('00000000-0000-0000-0000-0000000000a3', 'abandoned_basket', 't3:b', 't3', 'email', '2026-11-10T10:00:00Z'),
('00000000-0000-0000-0000-0000000000a4', 'abandoned_basket', 't4:b', 't4', 'email', '2026-11-10T10:00:00Z'),
('00000000-0000-0000-0000-0000000000c1', 'instore_cross_sell', 'TX1:p1', 'shopper', 'email', '2026-11-01T10:00:00Z'),
('00000000-0000-0000-0000-0000000000b1', 'birthday', 'dup:2026', 'dup', 'email', '2026-11-10T10:00:00Z'),
('00000000-0000-0000-0000-0000000000b2', 'birthday', 'both:2026', 'both', 'email', '2026-11-08T10:00:00Z'),
('00000000-0000-0000-0000-0000000000b3', 'winback', 'both:2026-11-01', 'both', 'email', '2026-11-01T10:00:00Z'),
('00000000-0000-0000-0000-0000000000d1', 'vehicle_renewal', 'V-unsub', 'unsub', 'email', '2026-11-12T10:00:00Z'),
('00000000-0000-0000-0000-0000000000d2', 'product_interest', 'stopper:p1', 'stopper', 'sms', '2026-11-04T10:00:00Z'),
('00000000-0000-0000-0000-0000000000e1', 'service_reminder', 'texter:e1', 'texter', 'email', '2026-11-02T10:00:00Z'),
('00000000-0000-0000-0000-0000000000e2', 'service_reminder', 'texter:e2', 'texter', 'email', '2026-11-03T10:00:00Z'),
('00000000-0000-0000-0000-0000000000e3', 'service_reminder', 'texter:s1', 'texter', 'sms', '2026-11-04T10:00:00Z'),
('00000000-0000-0000-0000-0000000000e4', 'service_reminder', 'reader:e1', 'reader', 'email', '2026-11-05T10:00:00Z'),
('00000000-0000-0000-0000-0000000000e5', 'service_reminder', 'silent:e1', 'silent', 'email', '2026-11-05T10:00:00Z'),
('00000000-0000-0000-0000-0000000000f1', 'satisfaction_survey', 'V1', 'driver1', 'sms', '2026-11-16T10:00:00Z'),
('00000000-0000-0000-0000-0000000000f2', 'satisfaction_survey', 'V2', 'driver2', 'sms', '2026-11-16T10:00:00Z'),
('00000000-0000-0000-0000-0000000000f3', 'satisfaction_survey', 'V3', 'driver3', 'sms', '2026-11-16T10:00:00Z'),
('00000000-0000-0000-0000-0000000000a9', 'flash_sale', 'flash:1', 'flash', 'email', '2026-11-01T10:00:00Z'),
('00000000-0000-0000-0000-0000000000a8', 'sms_keyword_reply', 'in-1', 'silent', 'sms', '2026-11-06T10:00:00Z');

insert into messaging.occurrences (campaign, occurrence_key, customer_id, occurred_at, expires_at, context, as_of, outcome, channel, send_after)
select campaign, occurrence_key, customer_id, sent_at - interval '1 hour', sent_at + interval '7 days',
    case when campaign = 'satisfaction_survey' then jsonb_build_object(
        'vehicle_id', occurrence_key,
        'make', case occurrence_key when 'V2' then 'Renault' else 'Peugeot' end,
        'model', case occurrence_key when 'V1' then '208' when 'V2' then 'Clio' else '3008' end
    ) else '{}'::jsonb end,
    sent_at, 'sent', channel, sent_at
from sent_messages;

insert into messaging.occurrences (campaign, occurrence_key, customer_id, occurred_at, expires_at, context, as_of, outcome, reason, channel)
select 'abandoned_basket', id || ':b', id, '2026-11-10T09:00:00Z', '2026-11-12T09:00:00Z', '{}',
    '2026-11-10T10:00:00Z', 'held_out', 'in the holdout group', 'email'
from unnest(array['h1', 'h2', 'h3', 'h4']) as held (id);

insert into messaging.outbox (message_id, campaign, occurrence_key, customer_id, channel, recipient, locale, send_after, expires_at, status, sent_at)
select message_id, campaign, occurrence_key, customer_id, channel, customer_id || '@example.com', 'fr',
    sent_at, sent_at + interval '7 days', 'sent', sent_at
from sent_messages;

insert into messaging.message_events (message_id, type, occurred_at, detail)
select message_id, 'sent', sent_at, '{}' from sent_messages;

insert into messaging.vouchers (code, campaign, occurrence_key, customer_id, kind, value, currency, valid_from, expires_at) values
('ABCD-EFGH-JKMN', 'instore_cross_sell', 'TX1:p1', 'shopper', 'amount', 10, 'EUR', '2026-11-01T10:00:00Z', '2026-12-01T10:00:00Z');

insert into messaging.message_events (message_id, customer_id, channel, type, occurred_at, detail, source_event_id) values
-- dup: the same delivery twice without a source id, two opens, one SES open delivered twice
('00000000-0000-0000-0000-0000000000b1', null, null, 'delivered', '2026-11-10T10:01:00Z', '{"smtp": "250"}', null),
('00000000-0000-0000-0000-0000000000b1', null, null, 'delivered', '2026-11-10T10:01:00Z', '{"smtp": "250"}', null),
('00000000-0000-0000-0000-0000000000b1', null, null, 'opened', '2026-11-10T11:00:00Z', '{}', 'open-1'),
('00000000-0000-0000-0000-0000000000b1', null, null, 'opened', '2026-11-10T12:00:00Z', '{}', 'open-2'),
-- unsub: unsubscribes from the renewal email
('00000000-0000-0000-0000-0000000000d1', null, null, 'unsubscribed', '2026-11-12T11:00:00Z', '{"method": "one-click"}', 'unsub-1'),
-- stopper: STOP by inbound SMS, a day after the product-interest SMS; restarted: STOP then START
(null, 'stopper', 'sms', 'opted_out', '2026-11-05T10:00:00Z', '{"text": "STOP"}', 'sms-in-1'),
(null, 'restarted', 'sms', 'opted_out', '2026-11-05T10:00:00Z', '{"text": "STOP"}', 'sms-in-2'),
(null, 'restarted', 'sms', 'opted_in', '2026-11-06T10:00:00Z', '{"text": "START"}', 'sms-in-3'),
-- engagement
('00000000-0000-0000-0000-0000000000e1', null, null, 'opened', '2026-11-02T11:00:00Z', '{}', 'eng-1'),
('00000000-0000-0000-0000-0000000000e2', null, null, 'opened', '2026-11-03T11:00:00Z', '{}', 'eng-2'),
('00000000-0000-0000-0000-0000000000e3', null, null, 'clicked', '2026-11-04T10:05:00Z', '{"url": "https://shop.example/service"}', 'eng-3'),
('00000000-0000-0000-0000-0000000000e4', null, null, 'clicked', '2026-11-05T10:30:00Z', '{"url": "https://shop.example/service"}', 'eng-4'),
-- survey answers: driver1 by inbound SMS (no message id), driver2 changes their mind
(null, 'driver1', 'sms', 'survey_answered', '2026-11-16T12:00:00Z', '{"score": 9, "text": "9"}', 'survey-1'),
('00000000-0000-0000-0000-0000000000f2', null, null, 'survey_answered', '2026-11-16T11:00:00Z', '{"score": 10}', 'survey-2'),
('00000000-0000-0000-0000-0000000000f2', null, null, 'survey_answered', '2026-11-17T09:00:00Z', '{"score": 4}', 'survey-3'),
('00000000-0000-0000-0000-0000000000f3', null, null, 'survey_answered', '2026-11-16T13:00:00Z', '{"score": "7"}', 'survey-4'),
-- after the as-of instant: not yet happened
('00000000-0000-0000-0000-0000000000e5', null, null, 'clicked', '2026-11-24T10:00:00Z', '{}', 'future-1');
