-- query 1
WITH "t7" AS (
  SELECT
    "t6"."pid",
    COALESCE(NULLIF(TRIM(' 	
' FROM "t6"."team"), ''), '(no team)') AS "team_name",
    COALESCE("t6"."kind", '(no kind)') AS "kind_name",
    CASE
      WHEN (
        "t6"."created_at" IS NOT NULL
      )
      AND (
        "t6"."done_at" IS NOT NULL
      )
      AND (
        "t6"."created_at" <= "t6"."done_at"
      )
      THEN CAST((
        CAST((
          DATE_PART('epoch', "t6"."done_at") - DATE_PART('epoch', "t6"."created_at")
        ) AS DOUBLE PRECISION) / 3600.0
      ) AS DOUBLE PRECISION) / 24.0
      ELSE CAST(NULL AS DOUBLE PRECISION)
    END AS "shape_duration"
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
  WHERE
    "t6"."done_at" >= "t6"."created_at"
    AND (
      (
        "t6"."kind" IS NULL
      ) OR NOT (
        "t6"."kind" IN ('epic', 'incident')
      )
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
      CAST(NULL AS VARCHAR) AS "kind_name",
      CAST(NULL AS VARCHAR) AS "team_name",
      "t10"."k",
      "t10"."q",
      "t10"."total"
    FROM (
      SELECT
        "t8"."pid",
        COUNT("t8"."shape_duration") AS "k",
        PERCENTILE_CONT(0.85) WITHIN GROUP (ORDER BY
          "t8"."shape_duration") AS "q",
        SUM("t8"."shape_duration") AS "total"
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
      'team' AS "grain",
      CAST(NULL AS VARCHAR) AS "kind_name",
      "t11"."team_name",
      "t11"."k",
      "t11"."q",
      "t11"."total"
    FROM (
      SELECT
        "t8"."pid",
        "t8"."team_name",
        COUNT("t8"."shape_duration") AS "k",
        PERCENTILE_CONT(0.85) WITHIN GROUP (ORDER BY
          "t8"."shape_duration") AS "q",
        SUM("t8"."shape_duration") AS "total"
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
    'kind' AS "grain",
    "t9"."kind_name",
    CAST(NULL AS VARCHAR) AS "team_name",
    "t9"."k",
    "t9"."q",
    "t9"."total"
  FROM (
    SELECT
      "t8"."pid",
      "t8"."kind_name",
      COUNT("t8"."shape_duration") AS "k",
      PERCENTILE_CONT(0.85) WITHIN GROUP (ORDER BY
        "t8"."shape_duration") AS "q",
      SUM("t8"."shape_duration") AS "total"
    FROM "t7" AS "t8"
    GROUP BY
      1,
      2
  ) AS "t9"
) AS "t12";
