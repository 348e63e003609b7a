-- query 1
SELECT
  "t7"."pid",
  COUNT(*) AS "n",
  SUM(CAST("t7"."came_true" AS INT)) AS "hits"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t5".*
      EXCLUDE ("_bucket")
    FROM (
      SELECT
        "t4"."id",
        "t4"."forecast_id",
        "t4"."kind",
        "t4"."made_on",
        "t4"."made_at",
        "t4"."team",
        "t4"."project",
        "t4"."item_kinds",
        "t4"."history_from",
        "t4"."history_to",
        "t4"."start_on",
        "t4"."items",
        "t4"."by_date",
        "t4"."level",
        "t4"."predicted_date",
        "t4"."predicted_items",
        "t4"."probability",
        "t4"."trials",
        "t4"."seed",
        "t4"."calendar",
        "t4"."calibrated",
        "t4"."actual_date",
        "t4"."actual_items",
        "t4"."outcome",
        "t4"."resolved_on",
        "t4"."stated_level",
        "t4"."came_true",
        "t4"."_bucket",
        "t2"."pid",
        "t2"."p_start",
        "t2"."p_end",
        "t2"."p_start_date",
        "t2"."p_end_date",
        "t2"."p_days"
      FROM (
        SELECT
          "t0"."id",
          "t0"."forecast_id",
          "t0"."kind",
          "t0"."made_on",
          "t0"."made_at",
          "t0"."team",
          "t0"."project",
          "t0"."item_kinds",
          "t0"."history_from",
          "t0"."history_to",
          "t0"."start_on",
          "t0"."items",
          "t0"."by_date",
          "t0"."level",
          "t0"."predicted_date",
          "t0"."predicted_items",
          "t0"."probability",
          "t0"."trials",
          "t0"."seed",
          "t0"."calendar",
          "t0"."calibrated",
          "t0"."actual_date",
          "t0"."actual_items",
          "t0"."outcome",
          "t0"."resolved_on",
          CASE WHEN "t0"."level" <= 1 THEN "t0"."level" * 100 ELSE "t0"."level" END AS "stated_level",
          COALESCE(
            COALESCE(
              "t0"."outcome",
              (
                "t0"."actual_date" IS NOT NULL
              )
              AND (
                "t0"."actual_date" <= "t0"."predicted_date"
              )
            ),
            FALSE
          ) AS "came_true",
          DATE_TRUNC('QUARTER', "t0"."resolved_on") AS "_bucket"
        FROM "forecast" AS "t0"
        WHERE
          "t0"."resolved_on" >= MAKE_DATE(2023, 10, 1)
          AND "t0"."resolved_on" < MAKE_DATE(2024, 4, 1)
      ) AS "t4"
      INNER JOIN "memtable_1" AS "t2"
        ON "t4"."_bucket" = "t2"."p_start_date"
    ) AS "t5"
  ) AS "t6"
  WHERE
    "t6"."stated_level" = 85.0
) AS "t7"
GROUP BY
  1;
