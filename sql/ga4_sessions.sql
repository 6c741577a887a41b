-- aisle: the session assembly of `aisle import ga4`, as SQL for BigQuery, where a GA4 export
-- already sits. Run it over the export's daily tables; the result is one row per shopper
-- action on one item, grouped by visitor and session and in time order: the same actions the
-- streaming importer writes, far smaller than the export (no event_params, device, geo...).
--
-- Export the result as CSV or JSON (newline-delimited), gzipped or not, and give the files to
-- `aisle build --ga4-sessions` (or `aisle evaluate --ga4-sessions`).
--
-- Before running: replace the table below with yours, and narrow the date range. In BigQuery,
-- also filter the shards to scan (and pay for) only those days:
--   AND _TABLE_SUFFIX BETWEEN '20240101' AND '20241231'
-- The statement is kept to SQL that BigQuery and DuckDB both run (the test runs it in DuckDB
-- against a fixture loaded with the export schema's column types).
--
-- Mapping (as `aisle import ga4`): visitor = user_pseudo_id, session = the ga_session_id
-- event parameter, ts = event_timestamp in milliseconds; view_item -> product_view,
-- select_item -> grid_click, add_to_cart, remove_from_cart, begin_checkout and purchase (one
-- row per line item; `aisle build --ga4-sessions` joins them back into one event);
-- rows without user_pseudo_id or ga_session_id, and items without item_id or "(not set)", are
-- left out. Item ids stay as written: the catalog's aliases resolve them.
WITH actions AS (
  SELECT
    user_pseudo_id AS visitor,
    (SELECT COALESCE(CAST(p.value.int_value AS STRING), p.value.string_value)
       FROM UNNEST(event_params) AS p WHERE p.key = 'ga_session_id') AS session,
    CAST(FLOOR(event_timestamp / 1000) AS INT64) AS ts,
    event_timestamp,
    event_name,
    (SELECT p.value.string_value
       FROM UNNEST(event_params) AS p WHERE p.key = 'currency') AS currency,
    (SELECT COALESCE(p.value.double_value, p.value.float_value, p.value.int_value)
       FROM UNNEST(event_params) AS p WHERE p.key = 'value') AS value,
    ecommerce.transaction_id AS order_id,
    ecommerce.purchase_revenue AS revenue,
    items
  FROM `your-project.analytics_123456789.events_*`
  WHERE event_date BETWEEN '20000101' AND '20991231'
    AND event_name IN ('view_item', 'select_item', 'add_to_cart', 'remove_from_cart',
                       'begin_checkout', 'purchase')
    AND user_pseudo_id IS NOT NULL
)
SELECT
  visitor,
  session,
  ts,
  CASE event_name
    WHEN 'view_item' THEN 'product_view'
    WHEN 'select_item' THEN 'grid_click'
    ELSE event_name
  END AS type,
  TRIM(item.item_id) AS product,
  CASE WHEN item.quantity > 0 THEN item.quantity ELSE 1 END AS quantity,
  item.price AS price,
  item.item_list_index AS list_index,
  CASE WHEN event_name = 'purchase' THEN NULLIF(order_id, '(not set)') END AS order_id,
  CASE WHEN event_name = 'purchase' THEN revenue END AS revenue,
  CASE WHEN event_name = 'begin_checkout' THEN value END AS value,
  CASE WHEN event_name IN ('purchase', 'begin_checkout') THEN currency END AS currency
FROM actions, UNNEST(items) AS item
WHERE session IS NOT NULL
  AND item.item_id IS NOT NULL
  AND TRIM(item.item_id) NOT IN ('', '(not set)')
ORDER BY visitor, session, ts, event_timestamp, type, product
