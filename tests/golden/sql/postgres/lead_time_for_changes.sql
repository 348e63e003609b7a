-- query 1
WITH "t7" AS (
  SELECT
    "t6"."pid",
    CASE WHEN "t6"."first_commit_at" IS NOT NULL THEN 'first_commit' ELSE 'created' END AS "started_from",
    COALESCE(NULLIF(TRIM(' 	
' FROM "t6"."service"), ''), '(no service)') AS "service_name",
    CASE
      WHEN (
        COALESCE("t6"."first_commit_at", "t6"."created_at") IS NOT NULL
      )
      AND (
        "t6"."deployed_at" IS NOT NULL
      )
      AND (
        COALESCE("t6"."first_commit_at", "t6"."created_at") <= "t6"."deployed_at"
      )
      THEN CAST((
        DATE_PART('epoch', "t6"."deployed_at") - DATE_PART('epoch', COALESCE("t6"."first_commit_at", "t6"."created_at"))
      ) AS DOUBLE PRECISION) / 3600.0
      ELSE CAST(NULL AS DOUBLE PRECISION)
    END AS "shape_duration",
    COALESCE("t6"."first_commit_at", "t6"."created_at") IS NULL AS "shape_c_no_start"
  FROM (
    SELECT
      "t5"."id",
      "t5"."deployed_at",
      "t5"."service",
      "t5"."kind",
      "t5"."environment",
      "t5"."outcome",
      "t5"."created_at",
      "t5"."first_commit_at",
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
        "t4"."deployed_at",
        "t4"."service",
        "t4"."kind",
        "t4"."environment",
        "t4"."outcome",
        "t4"."created_at",
        "t4"."first_commit_at",
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
          "t0"."deployed_at",
          "t0"."service",
          "t0"."kind",
          "t0"."environment",
          "t0"."outcome",
          "t0"."created_at",
          "t0"."first_commit_at",
          "t0"."title",
          "t0"."source",
          "t0"."source_id",
          "t0"."row_hash",
          "t0"."origin",
          "t0"."imported_at",
          DATE_TRUNC('QUARTER', "t0"."deployed_at") AS "_bucket"
        FROM "change" AS "t0"
        WHERE
          (
            (
              NULLIF(LOWER(TRIM(' 	
' FROM "t0"."environment")), '') IS NULL
            )
            OR NULLIF(LOWER(TRIM(' 	
' FROM "t0"."environment")), '') IN ('production', 'prod', 'prd', 'live', 'prod-eu', 'prod-us')
          )
          AND "t0"."deployed_at" >= CAST('2023-10-01T00:00:00' AS TIMESTAMP)
          AND "t0"."deployed_at" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
      ) AS "t4"
      INNER JOIN "memtable_1" AS "t2"
        ON "t4"."_bucket" = "t2"."p_start"
    ) AS "t5"
  ) AS "t6"
  WHERE
    (
      LOWER(TRIM(' 	
' FROM "t6"."outcome")) IS NULL
    )
    OR (
      LOWER(TRIM(' 	
' FROM "t6"."outcome")) = 'success'
    )
)
SELECT
  *
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t10"."pid",
      'all' AS "grain",
      CAST(NULL AS VARCHAR) AS "service_name",
      CAST(NULL AS VARCHAR) AS "started_from",
      "t10"."k",
      "t10"."q",
      "t10"."total",
      "t10"."c_no_start"
    FROM (
      SELECT
        "t8"."pid",
        COUNT("t8"."shape_duration") AS "k",
        PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY
          "t8"."shape_duration") AS "q",
        SUM("t8"."shape_duration") AS "total",
        COUNT(*) FILTER(WHERE
          "t8"."shape_c_no_start") AS "c_no_start"
      FROM "t7" AS "t8"
      GROUP BY
        1
    ) AS "t10"
  ) AS "t13"
  UNION ALL
  SELECT
    *
  FROM (
    SELECT
      "t11"."pid",
      'service' AS "grain",
      "t11"."service_name",
      CAST(NULL AS VARCHAR) AS "started_from",
      "t11"."k",
      "t11"."q",
      "t11"."total",
      "t11"."c_no_start"
    FROM (
      SELECT
        "t8"."pid",
        "t8"."service_name",
        COUNT("t8"."shape_duration") AS "k",
        PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY
          "t8"."shape_duration") AS "q",
        SUM("t8"."shape_duration") AS "total",
        COUNT(*) FILTER(WHERE
          "t8"."shape_c_no_start") AS "c_no_start"
      FROM "t7" AS "t8"
      GROUP BY
        1,
        2
    ) AS "t11"
  ) AS "t14"
) AS "t15"
UNION ALL
SELECT
  *
FROM (
  SELECT
    "t9"."pid",
    'basis' AS "grain",
    CAST(NULL AS VARCHAR) AS "service_name",
    "t9"."started_from",
    "t9"."k",
    "t9"."q",
    "t9"."total",
    "t9"."c_no_start"
  FROM (
    SELECT
      "t8"."pid",
      "t8"."started_from",
      COUNT("t8"."shape_duration") AS "k",
      PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY
        "t8"."shape_duration") AS "q",
      SUM("t8"."shape_duration") AS "total",
      COUNT(*) FILTER(WHERE
        "t8"."shape_c_no_start") AS "c_no_start"
    FROM "t7" AS "t8"
    GROUP BY
      1,
      2
  ) AS "t9"
) AS "t12";
