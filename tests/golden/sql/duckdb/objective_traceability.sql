-- query 1
WITH "t5" AS (
  SELECT
    "t4"."id",
    "t4"."name",
    "t4"."sponsor",
    "t4"."business_unit",
    "t4"."objective",
    "t4"."category",
    "t4"."team",
    "t4"."proposed_on",
    "t4"."it_engaged_on",
    "t4"."approved_on",
    "t4"."started_on",
    "t4"."planned_end",
    "t4"."actual_end",
    "t4"."budget_planned",
    "t4"."budget_actual",
    "t4"."status",
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
    FROM "project" AS "t0"
    WHERE
      "t0"."started_on" IS NOT NULL
  ) AS "t4"
  INNER JOIN "memtable_1" AS "t2"
    ON "t4"."started_on" < "t2"."p_end_date"
), "t7" AS (
  SELECT
    "t6"."pid",
    NULLIF(TRIM("t6"."objective", ' 	
'), '') IS NOT NULL AS "has_objective",
    NULLIF(TRIM("t6"."sponsor", ' 	
'), '') IS NOT NULL AS "has_sponsor",
    COALESCE(
      NULLIF(TRIM("t6"."business_unit", ' 	
'), ''),
      '(no business unit)'
    ) AS "unit",
    (
      NULLIF(TRIM("t6"."objective", ' 	
'), '') IS NOT NULL
    )
    AND (
      NULLIF(TRIM("t6"."sponsor", ' 	
'), '') IS NOT NULL
    ) AS "traced"
  FROM "t5" AS "t6"
  WHERE
    (
      (
        "t6"."actual_end" IS NULL
      ) OR (
        "t6"."actual_end" >= "t6"."p_end_date"
      )
    )
    AND NOT (
      COALESCE("t6"."status" IN ('done', 'cancelled') AND (
        "t6"."actual_end" IS NULL
      ), FALSE)
    )
)
SELECT
  *
FROM (
  SELECT
    "t15"."pid",
    "t15"."grain",
    "t15"."unit",
    "t15"."k",
    "t15"."traced",
    "t15"."no_objective",
    "t15"."no_sponsor",
    CAST(NULL AS TEXT) AS "id",
    CAST(NULL AS TEXT) AS "name",
    CAST(NULL AS BOOLEAN) AS "has_objective",
    CAST(NULL AS BOOLEAN) AS "has_sponsor",
    CAST(NULL AS BIGINT) AS "nth"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t10"."pid",
        'all' AS "grain",
        CAST(NULL AS TEXT) AS "unit",
        "t10"."k",
        "t10"."traced",
        "t10"."no_objective",
        "t10"."no_sponsor"
      FROM (
        SELECT
          "t9"."pid",
          COUNT(*) AS "k",
          SUM(CAST("t9"."traced" AS INT)) AS "traced",
          SUM(CAST(NOT (
            "t9"."has_objective"
          ) AS INT)) AS "no_objective",
          SUM(CAST(NOT (
            "t9"."has_sponsor"
          ) AS INT)) AS "no_sponsor"
        FROM "t7" AS "t9"
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
        'unit' AS "grain",
        "t11"."unit",
        "t11"."k",
        "t11"."traced",
        "t11"."no_objective",
        "t11"."no_sponsor"
      FROM (
        SELECT
          "t9"."pid",
          "t9"."unit",
          COUNT(*) AS "k",
          SUM(CAST("t9"."traced" AS INT)) AS "traced",
          SUM(CAST(NOT (
            "t9"."has_objective"
          ) AS INT)) AS "no_objective",
          SUM(CAST(NOT (
            "t9"."has_sponsor"
          ) AS INT)) AS "no_sponsor"
        FROM "t7" AS "t9"
        GROUP BY
          1,
          2
      ) AS "t11"
    ) AS "t14"
  ) AS "t15"
) AS "t17"
UNION ALL
SELECT
  *
FROM (
  SELECT
    "t12"."pid",
    'missing' AS "grain",
    CAST(NULL AS TEXT) AS "unit",
    CAST(NULL AS BIGINT) AS "k",
    CAST(NULL AS BIGINT) AS "traced",
    CAST(NULL AS BIGINT) AS "no_objective",
    CAST(NULL AS BIGINT) AS "no_sponsor",
    "t12"."id",
    "t12"."name",
    "t12"."has_objective",
    "t12"."has_sponsor",
    "t12"."nth"
  FROM (
    SELECT
      "t8"."id",
      "t8"."name",
      "t8"."sponsor",
      "t8"."business_unit",
      "t8"."objective",
      "t8"."category",
      "t8"."team",
      "t8"."proposed_on",
      "t8"."it_engaged_on",
      "t8"."approved_on",
      "t8"."started_on",
      "t8"."planned_end",
      "t8"."actual_end",
      "t8"."budget_planned",
      "t8"."budget_actual",
      "t8"."status",
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
      "t8"."p_days",
      "t8"."has_objective",
      "t8"."has_sponsor",
      "t8"."unit",
      "t8"."traced",
      ROW_NUMBER() OVER (
        PARTITION BY "t8"."pid"
        ORDER BY "t8"."budget_planned" DESC, "t8"."name" ASC, "t8"."id" ASC
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
      ) - 1 AS "nth"
    FROM (
      SELECT
        "t6"."id",
        "t6"."name",
        "t6"."sponsor",
        "t6"."business_unit",
        "t6"."objective",
        "t6"."category",
        "t6"."team",
        "t6"."proposed_on",
        "t6"."it_engaged_on",
        "t6"."approved_on",
        "t6"."started_on",
        "t6"."planned_end",
        "t6"."actual_end",
        "t6"."budget_planned",
        "t6"."budget_actual",
        "t6"."status",
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
        NULLIF(TRIM("t6"."objective", ' 	
'), '') IS NOT NULL AS "has_objective",
        NULLIF(TRIM("t6"."sponsor", ' 	
'), '') IS NOT NULL AS "has_sponsor",
        COALESCE(
          NULLIF(TRIM("t6"."business_unit", ' 	
'), ''),
          '(no business unit)'
        ) AS "unit",
        (
          NULLIF(TRIM("t6"."objective", ' 	
'), '') IS NOT NULL
        )
        AND (
          NULLIF(TRIM("t6"."sponsor", ' 	
'), '') IS NOT NULL
        ) AS "traced"
      FROM "t5" AS "t6"
      WHERE
        (
          (
            "t6"."actual_end" IS NULL
          ) OR (
            "t6"."actual_end" >= "t6"."p_end_date"
          )
        )
        AND NOT (
          COALESCE("t6"."status" IN ('done', 'cancelled') AND (
            "t6"."actual_end" IS NULL
          ), FALSE)
        )
        AND NOT (
          (
            NULLIF(TRIM("t6"."objective", ' 	
'), '') IS NOT NULL
          )
          AND (
            NULLIF(TRIM("t6"."sponsor", ' 	
'), '') IS NOT NULL
          )
        )
    ) AS "t8"
  ) AS "t12"
  WHERE
    "t12"."nth" < 5
) AS "t16";
