-- query 1
WITH "t7" AS (
  SELECT
    "t6"."pid",
    COALESCE(NULLIF(TRIM("t6"."service", ' 	
'), ''), '(no service)') AS "service_name",
    (
      (
        "t6"."kind" IS NULL
      ) OR (
        "t6"."kind" = 'deployment'
      )
    )
    AND (
      (
        LOWER(TRIM("t6"."outcome", ' 	
')) IS NULL
      )
      OR (
        LOWER(TRIM("t6"."outcome", ' 	
')) = 'success'
      )
    ) AS "shape_counted",
    NOT (
      (
        "t6"."kind" IS NULL
      ) OR (
        "t6"."kind" = 'deployment'
      )
    ) AS "shape_c_other",
    CAST("t6"."deployed_at" AS DATE) AS "shape_distinct"
  FROM (
    SELECT
      "t5".*
      EXCLUDE ("_bucket")
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
              NULLIF(LOWER(TRIM("t0"."environment", ' 	
')), '') IS NULL
            )
            OR NULLIF(LOWER(TRIM("t0"."environment", ' 	
')), '') IN ('production', 'prod', 'prd', 'live', 'prod-eu', 'prod-us')
          )
          AND "t0"."deployed_at" >= MAKE_TIMESTAMP(2023, 10, 1, 0, 0, 0.0)
          AND "t0"."deployed_at" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
      ) AS "t4"
      INNER JOIN "memtable_1" AS "t2"
        ON "t4"."_bucket" = "t2"."p_start"
    ) AS "t5"
  ) AS "t6"
)
SELECT
  *
FROM (
  SELECT
    "t9"."pid",
    'all' AS "grain",
    CAST(NULL AS TEXT) AS "service_name",
    "t9"."k",
    "t9"."d",
    "t9"."c_other"
  FROM (
    SELECT
      "t8"."pid",
      COUNT(*) FILTER(WHERE
        "t8"."shape_counted") AS "k",
      COUNT(DISTINCT "t8"."shape_distinct") FILTER(WHERE
        "t8"."shape_counted") AS "d",
      COUNT(*) FILTER(WHERE
        "t8"."shape_c_other") AS "c_other"
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
    'by' AS "grain",
    "t10"."service_name",
    "t10"."k",
    "t10"."d",
    "t10"."c_other"
  FROM (
    SELECT
      "t8"."pid",
      "t8"."service_name",
      COUNT(*) FILTER(WHERE
        "t8"."shape_counted") AS "k",
      COUNT(DISTINCT "t8"."shape_distinct") FILTER(WHERE
        "t8"."shape_counted") AS "d",
      COUNT(*) FILTER(WHERE
        "t8"."shape_c_other") AS "c_other"
    FROM "t7" AS "t8"
    GROUP BY
      1,
      2
  ) AS "t10"
) AS "t12";
