-- query 1
SELECT
  "t7"."pid",
  "t7"."category",
  "t7"."line_name" AS "who",
  SUM("t7"."actual") AS "total",
  COUNT(*) AS "k"
FROM (
  SELECT
    "t6"."period",
    "t6"."category",
    "t6"."planned",
    "t6"."actual",
    "t6"."line",
    "t6"."source",
    "t6"."source_id",
    "t6"."row_hash",
    "t6"."origin",
    "t6"."imported_at",
    "t6"."pid",
    "t6"."p_start",
    "t6"."p_end",
    "t6"."p_start_date",
    "t6"."p_end_date",
    "t6"."p_days",
    COALESCE(NULLIF(TRIM(' 	
' FROM "t6"."line"), ''), '(unnamed line)') AS "line_name"
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
      "t5"."pid",
      "t5"."p_start",
      "t5"."p_end",
      "t5"."p_start_date",
      "t5"."p_end_date",
      "t5"."p_days"
    FROM (
      SELECT
        "t4"."period",
        "t4"."category",
        "t4"."planned",
        "t4"."actual",
        "t4"."line",
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
      ) AS "t4"
      INNER JOIN "memtable_1" AS "t2"
        ON "t4"."_bucket" = "t2"."p_start_date"
    ) AS "t5"
  ) AS "t6"
) AS "t7"
GROUP BY
  1,
  2,
  3;

-- query 2
SELECT
  "t7"."pid",
  "t7"."team",
  "t7"."team_name",
  "t7"."category",
  "t7"."demand",
  "t7"."unplanned",
  COUNT(*) AS "items",
  COUNT("t7"."effort_hours") AS "with_effort",
  SUM("t7"."effort_hours") AS "effort"
FROM (
  SELECT
    "t6"."id",
    "t6"."created_at",
    "t6"."kind",
    "t6"."planned",
    "t6"."category",
    "t6"."started_at",
    "t6"."done_at",
    "t6"."due_on",
    "t6"."team",
    "t6"."requester_unit",
    "t6"."project",
    "t6"."objective",
    "t6"."effort_hours",
    "t6"."title",
    "t6"."source",
    "t6"."source_id",
    "t6"."row_hash",
    "t6"."origin",
    "t6"."imported_at",
    "t6"."pid",
    "t6"."p_start",
    "t6"."p_end",
    "t6"."p_start_date",
    "t6"."p_end_date",
    "t6"."p_days",
    COALESCE(NULLIF(TRIM(' 	
' FROM "t6"."team"), ''), '(no team)') AS "team_name",
    (
      "t6"."kind" IS NULL
    ) OR NOT (
      "t6"."kind" IN ('epic', 'incident')
    ) AS "demand",
    CASE
      WHEN "t6"."planned" IS NULL
      THEN COALESCE("t6"."kind", '') = 'incident'
      ELSE NOT (
        "t6"."planned"
      )
    END AS "unplanned"
  FROM (
    SELECT
      "t5"."id",
      "t5"."created_at",
      "t5"."kind",
      "t5"."planned",
      "t5"."category",
      "t5"."started_at",
      "t5"."done_at",
      "t5"."due_on",
      "t5"."team",
      "t5"."requester_unit",
      "t5"."project",
      "t5"."objective",
      "t5"."effort_hours",
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
          "t0"."created_at",
          "t0"."kind",
          "t0"."planned",
          "t0"."category",
          "t0"."started_at",
          "t0"."done_at",
          "t0"."due_on",
          "t0"."team",
          "t0"."requester_unit",
          "t0"."project",
          "t0"."objective",
          "t0"."effort_hours",
          "t0"."title",
          "t0"."source",
          "t0"."source_id",
          "t0"."row_hash",
          "t0"."origin",
          "t0"."imported_at",
          DATE_TRUNC('QUARTER', "t0"."done_at") AS "_bucket"
        FROM "work_item" AS "t0"
        WHERE
          "t0"."done_at" >= CAST('2023-10-01T00:00:00' AS TIMESTAMP)
          AND "t0"."done_at" < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
      ) AS "t4"
      INNER JOIN "memtable_1" AS "t2"
        ON "t4"."_bucket" = "t2"."p_start"
    ) AS "t5"
  ) AS "t6"
) AS "t7"
GROUP BY
  1,
  2,
  3,
  4,
  5,
  6;
