-- query 1
WITH "t7" AS (
  SELECT
    "t6"."service",
    "t6"."pid",
    CASE
      WHEN (
        "t6"."opened_at" IS NOT NULL
      )
      AND (
        CASE
          WHEN "t6"."acknowledged_at" < "t6"."p_end"
          THEN "t6"."acknowledged_at"
          ELSE CAST(NULL AS TIMESTAMP(6))
        END IS NOT NULL
      )
      AND (
        "t6"."opened_at" <= CASE
          WHEN "t6"."acknowledged_at" < "t6"."p_end"
          THEN "t6"."acknowledged_at"
          ELSE CAST(NULL AS TIMESTAMP(6))
        END
      )
      THEN (
        EPOCH(
          CAST(CASE
            WHEN "t6"."acknowledged_at" < "t6"."p_end"
            THEN "t6"."acknowledged_at"
            ELSE CAST(NULL AS TIMESTAMP(6))
          END AS TIMESTAMP)
        ) - EPOCH(CAST("t6"."opened_at" AS TIMESTAMP))
      ) / 60
      ELSE CAST(NULL AS DOUBLE)
    END AS "shape_duration"
  FROM (
    SELECT
      "t5".*
      EXCLUDE ("_bucket")
    FROM (
      SELECT
        "t4"."id",
        "t4"."opened_at",
        "t4"."severity",
        "t4"."service",
        "t4"."acknowledged_at",
        "t4"."resolved_at",
        "t4"."impact_start",
        "t4"."impact_end",
        "t4"."is_maintenance",
        "t4"."caused_by_change",
        "t4"."problem",
        "t4"."resolver",
        "t4"."title",
        "t4"."source",
        "t4"."source_id",
        "t4"."row_hash",
        "t4"."origin",
        "t4"."imported_at",
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
          "t0"."opened_at",
          "t0"."severity",
          "t0"."service",
          "t0"."acknowledged_at",
          "t0"."resolved_at",
          "t0"."impact_start",
          "t0"."impact_end",
          "t0"."is_maintenance",
          "t0"."caused_by_change",
          "t0"."problem",
          "t0"."resolver",
          "t0"."title",
          "t0"."source",
          "t0"."source_id",
          "t0"."row_hash",
          "t0"."origin",
          "t0"."imported_at",
          DATE_TRUNC('QUARTER', "t0"."acknowledged_at") AS "_bucket"
        FROM "incident" AS "t0"
        WHERE
          NOT (
            COALESCE("t0"."is_maintenance", FALSE)
          )
          AND "t0"."acknowledged_at" >= MAKE_TIMESTAMP(2023, 10, 1, 0, 0, 0.0)
          AND "t0"."acknowledged_at" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
      ) AS "t4"
      INNER JOIN "memtable_1" AS "t2"
        ON "t4"."_bucket" = "t2"."p_start"
    ) AS "t5"
  ) AS "t6"
  WHERE
    "t6"."severity" IN ('P1', 'P2')
)
SELECT
  *
FROM (
  SELECT
    "t9"."pid",
    'all' AS "grain",
    CAST(NULL AS TEXT) AS "service",
    "t9"."k",
    "t9"."q",
    "t9"."total"
  FROM (
    SELECT
      "t8"."pid",
      COUNT("t8"."shape_duration") AS "k",
      QUANTILE_CONT("t8"."shape_duration", 0.5) AS "q",
      SUM("t8"."shape_duration") AS "total"
    FROM "t7" AS "t8"
    GROUP BY
      1
  ) AS "t9"
) AS "t11"
UNION ALL
SELECT
  *
FROM (
  SELECT
    "t10"."pid",
    'service' AS "grain",
    "t10"."service",
    "t10"."k",
    "t10"."q",
    "t10"."total"
  FROM (
    SELECT
      "t8"."pid",
      "t8"."service",
      COUNT("t8"."shape_duration") AS "k",
      QUANTILE_CONT("t8"."shape_duration", 0.5) AS "q",
      SUM("t8"."shape_duration") AS "total"
    FROM "t7" AS "t8"
    GROUP BY
      1,
      2
  ) AS "t10"
) AS "t12";

-- query 2
SELECT
  "t0"."id",
  "t0"."name",
  "t0"."tier",
  "t0"."slo_availability"
FROM "service" AS "t0";
