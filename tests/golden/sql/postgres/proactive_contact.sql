-- query 1
WITH "t7" AS (
  SELECT
    "t6"."kind",
    "t6"."pid",
    COALESCE(
      NULLIF(TRIM(' 	
' FROM "t6"."business_unit"), ''),
      '(no business unit)'
    ) AS "unit",
    COALESCE("t6"."initiated_by" = 'it', FALSE)
    OR COALESCE("t6"."kind" IN ('planning', 'advice'), FALSE) AS "shape_hit"
  FROM (
    SELECT
      "t5"."id",
      "t5"."date",
      "t5"."stakeholder",
      "t5"."business_unit",
      "t5"."kind",
      "t5"."initiated_by",
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
          "t0"."date" >= CAST('2023-10-01T00:00:00' AS TIMESTAMP)
          AND "t0"."date" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
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
    CAST(NULL AS VARCHAR) AS "kind",
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
    CAST(NULL AS VARCHAR) AS "unit",
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
