-- query 1
SELECT
  "t14"."pid",
  "t14"."basis",
  "t14"."category",
  "t14"."who",
  SUM("t14"."amount") AS "total",
  COUNT(*) AS "k"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t9"."pid",
      "t9"."category",
      'spend' AS "basis",
      COALESCE(NULLIF(TRIM(' 	
' FROM "t9"."line"), ''), '(unnamed line)') AS "who",
      "t9"."actual" AS "amount"
    FROM (
      SELECT
        "t8"."period",
        "t8"."category",
        "t8"."planned",
        "t8"."actual",
        "t8"."line",
        "t8"."source",
        "t8"."source_id",
        "t8"."row_hash",
        "t8"."origin",
        "t8"."imported_at",
        "t8"."pid",
        "t8"."p_start",
        "t8"."p_end",
        "t8"."p_start_date",
        "t8"."p_end_date",
        "t8"."p_days"
      FROM (
        SELECT
          "t5"."period",
          "t5"."category",
          "t5"."planned",
          "t5"."actual",
          "t5"."line",
          "t5"."source",
          "t5"."source_id",
          "t5"."row_hash",
          "t5"."origin",
          "t5"."imported_at",
          "t5"."_bucket",
          "t3"."pid",
          "t3"."p_start",
          "t3"."p_end",
          "t3"."p_start_date",
          "t3"."p_end_date",
          "t3"."p_days"
        FROM (
          SELECT
            "t0"."period",
            "t0"."category",
            "t0"."planned",
            "t0"."actual",
            "t0"."line",
            "t0"."source",
            "t0"."source_id",
            "t0"."row_hash",
            "t0"."origin",
            "t0"."imported_at",
            DATE_TRUNC('QUARTER', "t0"."period") AS "_bucket"
          FROM "budget_line" AS "t0"
          WHERE
            "t0"."actual" IS NOT NULL
            AND "t0"."period" >= MAKE_DATE(2023, 10, 1)
            AND "t0"."period" < MAKE_DATE(2024, 4, 1)
        ) AS "t5"
        INNER JOIN "memtable_1" AS "t3"
          ON "t5"."_bucket" = "t3"."p_start_date"
      ) AS "t8"
    ) AS "t9"
  ) AS "t12"
  UNION ALL
  SELECT
    *
  FROM (
    SELECT
      "t11"."pid",
      "t11"."category",
      'effort' AS "basis",
      COALESCE(NULLIF(TRIM(' 	
' FROM "t11"."team"), ''), '(no team)') AS "who",
      "t11"."effort_hours" AS "amount"
    FROM (
      SELECT
        "t10"."id",
        "t10"."created_at",
        "t10"."kind",
        "t10"."planned",
        "t10"."category",
        "t10"."started_at",
        "t10"."done_at",
        "t10"."due_on",
        "t10"."team",
        "t10"."requester_unit",
        "t10"."project",
        "t10"."objective",
        "t10"."effort_hours",
        "t10"."title",
        "t10"."source",
        "t10"."source_id",
        "t10"."row_hash",
        "t10"."origin",
        "t10"."imported_at",
        "t10"."pid",
        "t10"."p_start",
        "t10"."p_end",
        "t10"."p_start_date",
        "t10"."p_end_date",
        "t10"."p_days"
      FROM (
        SELECT
          "t7"."id",
          "t7"."created_at",
          "t7"."kind",
          "t7"."planned",
          "t7"."category",
          "t7"."started_at",
          "t7"."done_at",
          "t7"."due_on",
          "t7"."team",
          "t7"."requester_unit",
          "t7"."project",
          "t7"."objective",
          "t7"."effort_hours",
          "t7"."title",
          "t7"."source",
          "t7"."source_id",
          "t7"."row_hash",
          "t7"."origin",
          "t7"."imported_at",
          "t7"."_bucket",
          "t3"."pid",
          "t3"."p_start",
          "t3"."p_end",
          "t3"."p_start_date",
          "t3"."p_end_date",
          "t3"."p_days"
        FROM (
          SELECT
            "t2"."id",
            "t2"."created_at",
            "t2"."kind",
            "t2"."planned",
            "t2"."category",
            "t2"."started_at",
            "t2"."done_at",
            "t2"."due_on",
            "t2"."team",
            "t2"."requester_unit",
            "t2"."project",
            "t2"."objective",
            "t2"."effort_hours",
            "t2"."title",
            "t2"."source",
            "t2"."source_id",
            "t2"."row_hash",
            "t2"."origin",
            "t2"."imported_at",
            DATE_TRUNC('QUARTER', "t2"."done_at") AS "_bucket"
          FROM "work_item" AS "t2"
          WHERE
            "t2"."effort_hours" IS NOT NULL
            AND "t2"."category" IS NOT NULL
            AND (
              (
                "t2"."kind" IS NULL
              ) OR NOT (
                "t2"."kind" IN ('epic', 'incident')
              )
            )
            AND "t2"."done_at" >= CAST('2023-10-01T00:00:00' AS TIMESTAMP)
            AND "t2"."done_at" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
        ) AS "t7"
        INNER JOIN "memtable_1" AS "t3"
          ON "t7"."_bucket" = "t3"."p_start"
      ) AS "t10"
    ) AS "t11"
  ) AS "t13"
) AS "t14"
GROUP BY
  1,
  2,
  3,
  4;
