-- query 1
WITH "t7" AS (
  SELECT
    "t6"."kind",
    "t6"."pid",
    COALESCE(
      NULLIF(TRIM("t6"."business_unit", ' 	
'), ''),
      '(no business unit)'
    ) AS "unit",
    COALESCE("t6"."initiated_by" = 'it', FALSE)
    OR COALESCE("t6"."kind" IN ('planning', 'advice'), FALSE) AS "shape_hit"
  FROM (
    SELECT
      "t5".*
      EXCLUDE ("_bucket")
    FROM (
      SELECT
        "t4"."id",
        "t4"."date",
        "t4"."stakeholder",
        "t4"."business_unit",
        "t4"."kind",
        "t4"."initiated_by",
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
          "t0"."date",
          "t0"."stakeholder",
          "t0"."business_unit",
          "t0"."kind",
          "t0"."initiated_by",
          "t0"."source",
          "t0"."source_id",
          "t0"."row_hash",
          "t0"."origin",
          "t0"."imported_at",
          DATE_TRUNC('QUARTER', "t0"."date") AS "_bucket"
        FROM "engagement" AS "t0"
        WHERE
          "t0"."date" >= MAKE_TIMESTAMP(2023, 10, 1, 0, 0, 0.0)
          AND "t0"."date" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
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
    'shape_share' AS "grain",
    CAST(NULL AS TEXT) AS "kind",
    "t9"."unit",
    "t9"."n",
    "t9"."k"
  FROM (
    SELECT
      "t8"."pid",
      "t8"."unit",
      COUNT(*) AS "n",
      COUNT(*) FILTER(WHERE
        "t8"."shape_hit") AS "k"
    FROM "t7" AS "t8"
    GROUP BY
      1,
      2
  ) AS "t9"
) AS "t11"
UNION ALL
SELECT
  *
FROM (
  SELECT
    "t10"."pid",
    'kind' AS "grain",
    "t10"."kind",
    CAST(NULL AS TEXT) AS "unit",
    "t10"."n",
    "t10"."k"
  FROM (
    SELECT
      "t8"."pid",
      "t8"."kind",
      COUNT(*) AS "n",
      COUNT(*) FILTER(WHERE
        "t8"."shape_hit") AS "k"
    FROM "t7" AS "t8"
    GROUP BY
      1,
      2
  ) AS "t10"
) AS "t12";
