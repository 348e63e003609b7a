-- query 1
WITH "t6" AS (
  SELECT
    "t5"."pid",
    NULLIF(TRIM("t5"."team", ' 	
'), '') IS NOT NULL AS "has_team",
    TRIM("t5"."team", ' 	
') AS "team_name"
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
  ) AS "t5"
  WHERE
    (
      (
        "t5"."actual_end" IS NULL
      ) OR (
        "t5"."actual_end" >= "t5"."p_end_date"
      )
    )
    AND NOT (
      COALESCE("t5"."status" IN ('done', 'cancelled') AND (
        "t5"."actual_end" IS NULL
      ), FALSE)
    )
)
SELECT
  *
FROM (
  SELECT
    "t8"."pid",
    'all' AS "grain",
    CAST(NULL AS TEXT) AS "team_name",
    "t8"."k",
    "t8"."no_team"
  FROM (
    SELECT
      "t7"."pid",
      COUNT(*) FILTER(WHERE
        "t7"."has_team") AS "k",
      COUNT(*) FILTER(WHERE
        NOT (
          "t7"."has_team"
        )) AS "no_team"
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
    'team' AS "grain",
    "t9"."team_name",
    "t9"."k",
    "t9"."no_team"
  FROM (
    SELECT
      "t7"."pid",
      "t7"."team_name",
      COUNT(*) FILTER(WHERE
        "t7"."has_team") AS "k",
      COUNT(*) FILTER(WHERE
        NOT (
          "t7"."has_team"
        )) AS "no_team"
    FROM "t6" AS "t7"
    GROUP BY
      1,
      2
  ) AS "t9"
) AS "t11";
