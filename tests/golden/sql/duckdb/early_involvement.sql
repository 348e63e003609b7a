-- query 1
SELECT
  "t7"."pid",
  "t7"."unit",
  COUNT(*) AS "n",
  COUNT(*) FILTER(WHERE
    "t7"."shape_hit") AS "k"
FROM (
  SELECT
    "t6"."pid",
    COALESCE(
      NULLIF(TRIM("t6"."business_unit", ' 	
'), ''),
      '(no business unit)'
    ) AS "unit",
    COALESCE(
      (
        "t6"."it_engaged_on" IS NOT NULL
      )
      AND (
        "t6"."it_engaged_on" <= "t6"."approved_on"
      ),
      FALSE
    ) AS "shape_hit"
  FROM (
    SELECT
      "t5".*
      EXCLUDE ("_bucket")
    FROM (
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
          "t0"."name",
          "t0"."sponsor",
          "t0"."business_unit",
          "t0"."objective",
          "t0"."category",
          "t0"."team",
          "t0"."proposed_on",
          "t0"."it_engaged_on",
          "t0"."approved_on",
          "t0"."started_on",
          "t0"."planned_end",
          "t0"."actual_end",
          "t0"."budget_planned",
          "t0"."budget_actual",
          "t0"."status",
          "t0"."source",
          "t0"."source_id",
          "t0"."row_hash",
          "t0"."origin",
          "t0"."imported_at",
          DATE_TRUNC('QUARTER', "t0"."approved_on") AS "_bucket"
        FROM "project" AS "t0"
        WHERE
          "t0"."approved_on" >= MAKE_DATE(2023, 10, 1)
          AND "t0"."approved_on" < MAKE_DATE(2024, 4, 1)
      ) AS "t4"
      INNER JOIN "memtable_1" AS "t2"
        ON "t4"."_bucket" = "t2"."p_start_date"
    ) AS "t5"
  ) AS "t6"
) AS "t7"
GROUP BY
  1,
  2;
