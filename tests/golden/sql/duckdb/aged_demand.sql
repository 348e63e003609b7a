-- query 1
WITH "t6" AS (
  SELECT
    "t5"."pid",
    "t5"."created_at" < (
      "t5"."p_end" - INTERVAL '90' DAY
    ) AS "aged",
    COALESCE(
      NULLIF(TRIM("t5"."requester_unit", ' 	
'), ''),
      '(no business unit)'
    ) AS "unit"
  FROM (
    SELECT
      "t4"."id",
      "t4"."created_at",
      "t4"."kind",
      "t4"."planned",
      "t4"."category",
      "t4"."started_at",
      "t4"."done_at",
      "t4"."due_on",
      "t4"."team",
      "t4"."requester_unit",
      "t4"."project",
      "t4"."objective",
      "t4"."effort_hours",
      "t4"."title",
      "t4"."source",
      "t4"."source_id",
      "t4"."row_hash",
      "t4"."origin",
      "t4"."imported_at",
      "t2"."pid",
      "t2"."p_start",
      "t2"."p_end",
      "t2"."p_start_date",
      "t2"."p_end_date",
      "t2"."p_days"
    FROM (
      SELECT
        *
      FROM "work_item" AS "t0"
      WHERE
        "t0"."kind" = 'request'
        AND "t0"."created_at" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
        AND (
          (
            "t0"."done_at" IS NULL
          )
          OR (
            "t0"."done_at" >= MAKE_TIMESTAMP(2024, 1, 1, 0, 0, 0.0)
          )
        )
    ) AS "t4"
    INNER JOIN "memtable_1" AS "t2"
      ON "t4"."created_at" < "t2"."p_end"
  ) AS "t5"
  WHERE
    "t5"."kind" = 'request'
    AND "t5"."created_at" < "t5"."p_end"
    AND (
      (
        "t5"."done_at" IS NULL
      ) OR (
        "t5"."done_at" >= "t5"."p_end"
      )
    )
)
SELECT
  *
FROM (
  SELECT
    "t8"."pid",
    'all' AS "grain",
    CAST(NULL AS TEXT) AS "unit",
    "t8"."open",
    "t8"."aged"
  FROM (
    SELECT
      "t7"."pid",
      COUNT(*) AS "open",
      SUM(CAST("t7"."aged" AS INT)) AS "aged"
    FROM "t6" AS "t7"
    GROUP BY
      1
  ) AS "t8"
) AS "t10"
UNION ALL
SELECT
  *
FROM (
  SELECT
    "t9"."pid",
    'unit' AS "grain",
    "t9"."unit",
    "t9"."open",
    "t9"."aged"
  FROM (
    SELECT
      "t7"."pid",
      "t7"."unit",
      COUNT(*) AS "open",
      SUM(CAST("t7"."aged" AS INT)) AS "aged"
    FROM "t6" AS "t7"
    GROUP BY
      1,
      2
  ) AS "t9"
) AS "t11";
