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
      THEN CAST((
        DATE_PART(
          'epoch',
          CASE
            WHEN "t6"."acknowledged_at" < "t6"."p_end"
            THEN "t6"."acknowledged_at"
            ELSE CAST(NULL AS TIMESTAMP(6))
          END
        ) - DATE_PART('epoch', "t6"."opened_at")
      ) AS DOUBLE PRECISION) / 60
      ELSE CAST(NULL AS DOUBLE PRECISION)
    END AS "shape_duration"
  FROM (
    SELECT
      "t5"."id",
      "t5"."opened_at",
      "t5"."severity",
      "t5"."service",
      "t5"."acknowledged_at",
      "t5"."resolved_at",
      "t5"."impact_start",
      "t5"."impact_end",
      "t5"."is_maintenance",
      "t5"."caused_by_change",
      "t5"."problem",
      "t5"."resolver",
      "t5"."title",
      "t5"."source",
      "t5"."source_id",
      "t5"."row_hash",
      "t5"."origin",
      "t5"."imported_at",
      "t5"."pid",
      "t5"."p_start",
      "t5"."p_end",
      "t5"."p_start_date",
      "t5"."p_end_date",
      "t5"."p_days"
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
          AND "t0"."acknowledged_at" >= CAST('2023-10-01T00:00:00' AS TIMESTAMP)
          AND "t0"."acknowledged_at" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
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
    CAST(NULL AS VARCHAR) AS "service",
    "t9"."k",
    "t9"."q",
    "t9"."total"
  FROM (
    SELECT
      "t8"."pid",
      COUNT("t8"."shape_duration") AS "k",
      PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY
        "t8"."shape_duration") AS "q",
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
      PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY
        "t8"."shape_duration") AS "q",
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
