-- query 1
WITH "t7" AS (
  SELECT
    "t6"."category",
    "t6"."planned",
    "t6"."actual",
    "t6"."pid",
    ABS("t6"."actual" - "t6"."planned") AS "off"
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
)
SELECT
  *
FROM (
  SELECT
    "t15"."pid",
    "t15"."grain",
    "t15"."category",
    "t15"."off",
    "t15"."planned",
    "t15"."actual",
    "t15"."k",
    CAST(NULL AS VARCHAR) AS "line_name",
    CAST(NULL AS BIGINT) AS "nth"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t10"."pid",
        'all' AS "grain",
        CAST(NULL AS VARCHAR) AS "category",
        "t10"."off",
        "t10"."planned",
        "t10"."actual",
        "t10"."k"
      FROM (
        SELECT
          "t8"."pid",
          SUM("t8"."off") AS "off",
          SUM("t8"."planned") AS "planned",
          SUM("t8"."actual") AS "actual",
          COUNT(*) AS "k"
        FROM "t7" AS "t8"
        GROUP BY
          1
      ) AS "t10"
    ) AS "t12"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t11"."pid",
        'category' AS "grain",
        "t11"."category",
        "t11"."off",
        "t11"."planned",
        "t11"."actual",
        "t11"."k"
      FROM (
        SELECT
          "t8"."pid",
          "t8"."category",
          SUM("t8"."off") AS "off",
          SUM("t8"."planned") AS "planned",
          SUM("t8"."actual") AS "actual",
          COUNT(*) AS "k"
        FROM "t7" AS "t8"
        GROUP BY
          1,
          2
      ) AS "t11"
    ) AS "t13"
  ) AS "t15"
) AS "t16"
UNION ALL
SELECT
  *
FROM (
  SELECT
    "t14"."pid",
    'worst' AS "grain",
    "t14"."category",
    "t14"."off",
    "t14"."planned",
    "t14"."actual",
    CAST(NULL AS BIGINT) AS "k",
    "t14"."line_name",
    "t14"."nth"
  FROM (
    SELECT
      "t9"."period",
      "t9"."category",
      "t9"."planned",
      "t9"."actual",
      "t9"."line",
      "t9"."source",
      "t9"."source_id",
      "t9"."row_hash",
      "t9"."origin",
      "t9"."imported_at",
      "t9"."pid",
      "t9"."p_start",
      "t9"."p_end",
      "t9"."p_start_date",
      "t9"."p_end_date",
      "t9"."p_days",
      "t9"."line_name",
      "t9"."off",
      ROW_NUMBER() OVER (
        PARTITION BY "t9"."pid"
        ORDER BY "t9"."off" DESC NULLS LAST, "t9"."category" ASC, "t9"."line_name" ASC
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
      ) - 1 AS "nth"
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
' FROM "t6"."line"), ''), '(unnamed line)') AS "line_name",
        ABS("t6"."actual" - "t6"."planned") AS "off"
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
    ) AS "t9"
  ) AS "t14"
  WHERE
    "t14"."nth" < 3
) AS "t17";
