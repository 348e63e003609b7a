-- query 1
SELECT
  "t6"."pid",
  "t6"."unit",
  COUNT(*) AS "n",
  COUNT(*) FILTER(WHERE
    "t6"."shape_hit") AS "k"
FROM (
  SELECT
    "t5"."pid",
    COALESCE(
      NULLIF(TRIM("t5"."requester_unit", ' 	
'), ''),
      '(no business unit)'
    ) AS "unit",
    "t5"."created_at" < (
      "t5"."p_end" - INTERVAL '90' DAY
    ) AS "shape_hit"
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
) AS "t6"
GROUP BY
  1,
  2;
