-- query 1
WITH "t19" AS (
  SELECT
    *
  FROM (
    SELECT
      "t17"."id",
      COALESCE(NULLIF(TRIM(' 	
' FROM "t17"."team"), ''), '(no team)') AS "team",
      "t17"."started_on",
      "t17"."left_on",
      "t17"."leave_kind",
      "t17"."regretted",
      "t17"."on_call",
      "t17"."pid",
      "t17"."p_start",
      "t17"."p_end",
      "t17"."p_start_date",
      "t17"."p_end_date",
      "t17"."p_days",
      "t17"."p_end_date" - INTERVAL '1 DAY' AS "p_last_date",
      GREATEST(
        CAST(EXTRACT(epoch FROM CAST(LEAST(
          COALESCE("t17"."left_on", "t17"."p_end_date" - INTERVAL '1 DAY'),
          "t17"."p_end_date" - INTERVAL '1 DAY'
        ) AS TIMESTAMP) - CAST(GREATEST(COALESCE("t17"."started_on", "t17"."p_start_date"), "t17"."p_start_date") AS TIMESTAMP)) / 86400 AS BIGINT) + 1,
        0
      ) AS "days"
    FROM (
      SELECT
        "t16"."id",
        "t16"."team",
        "t16"."started_on",
        "t16"."left_on",
        "t16"."leave_kind",
        "t16"."regretted",
        "t16"."on_call",
        "t3"."pid",
        "t3"."p_start",
        "t3"."p_end",
        "t3"."p_start_date",
        "t3"."p_end_date",
        "t3"."p_days"
      FROM (
        SELECT
          "t13"."id",
          "t13"."team",
          "t13"."started_on",
          "t13"."left_on",
          "t13"."leave_kind",
          "t13"."regretted",
          "t13"."on_call"
        FROM (
          SELECT
            "t11"."id",
            "t11"."team",
            "t11"."role",
            "t11"."started_on",
            "t11"."left_on",
            "t11"."leave_kind",
            "t11"."regretted",
            "t11"."on_call",
            "t11"."source",
            "t11"."source_id",
            "t11"."row_hash",
            "t11"."origin",
            "t11"."imported_at"
          FROM (
            SELECT
              *
            FROM (
              SELECT
                "t5"."id",
                "t5"."team",
                "t5"."role",
                "t5"."started_on",
                "t5"."left_on",
                "t5"."leave_kind",
                "t5"."regretted",
                "t5"."on_call",
                "t5"."source",
                "t5"."source_id",
                "t5"."row_hash",
                "t5"."origin",
                "t5"."imported_at",
                ROW_NUMBER() OVER (
                  PARTITION BY "t5"."id"
                  ORDER BY "t5"."imported_at" DESC NULLS LAST, "t5"."source" DESC NULLS LAST, "t5"."source_id" DESC NULLS LAST
                  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                ) - 1 AS "_rank"
              FROM (
                SELECT
                  *
                FROM "person" AS "t2"
                WHERE
                  "t2"."source" <> 'auto'
              ) AS "t5"
            ) AS "t8"
            WHERE
              "t8"."_rank" = 0
          ) AS "t11"
        ) AS "t13"
      ) AS "t16"
      CROSS JOIN "memtable_1" AS "t3"
    ) AS "t17"
  ) AS "t18"
  WHERE
    "t18"."days" > 0
)
SELECT
  *
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t23"."pid",
      "t23"."team",
      "t23"."days",
      "t23"."k",
      "t26"."h",
      'team' AS "part"
    FROM (
      SELECT
        "t20"."pid",
        "t20"."team",
        SUM("t20"."days") AS "days",
        COUNT(*) AS "k"
      FROM "t19" AS "t20"
      GROUP BY
        1,
        2
    ) AS "t23"
    LEFT OUTER JOIN (
      SELECT
        "t24"."pid" AS "h_pid",
        "t24"."team" AS "h_team",
        SUM("t24"."hours") AS "h"
      FROM (
        SELECT
          "t10"."pid",
          "t21"."team",
          "t10"."hours"
        FROM (
          SELECT
            "t7"."person",
            "t7"."date",
            "t7"."hours",
            "t7"."activity",
            "t7"."source",
            "t7"."source_id",
            "t7"."row_hash",
            "t7"."origin",
            "t7"."imported_at",
            "t7"."pid",
            "t7"."p_start",
            "t7"."p_end",
            "t7"."p_start_date",
            "t7"."p_end_date",
            "t7"."p_days"
          FROM (
            SELECT
              "t6"."person",
              "t6"."date",
              "t6"."hours",
              "t6"."activity",
              "t6"."source",
              "t6"."source_id",
              "t6"."row_hash",
              "t6"."origin",
              "t6"."imported_at",
              "t6"."_bucket",
              "t3"."pid",
              "t3"."p_start",
              "t3"."p_end",
              "t3"."p_start_date",
              "t3"."p_end_date",
              "t3"."p_days"
            FROM (
              SELECT
                "t0"."person",
                "t0"."date",
                "t0"."hours",
                "t0"."activity",
                "t0"."source",
                "t0"."source_id",
                "t0"."row_hash",
                "t0"."origin",
                "t0"."imported_at",
                DATE_TRUNC('QUARTER', "t0"."date") AS "_bucket"
              FROM "learning" AS "t0"
              WHERE
                "t0"."date" >= MAKE_DATE(2023, 10, 1) AND "t0"."date" < MAKE_DATE(2024, 4, 1)
            ) AS "t6"
            INNER JOIN "memtable_1" AS "t3"
              ON "t6"."_bucket" = "t3"."p_start_date"
          ) AS "t7"
        ) AS "t10"
        INNER JOIN "t19" AS "t21"
          ON "t10"."person" = "t21"."id" AND "t10"."pid" = "t21"."pid"
      ) AS "t24"
      GROUP BY
        1,
        2
    ) AS "t26"
      ON "t23"."pid" = "t26"."h_pid" AND "t23"."team" = "t26"."h_team"
  ) AS "t27"
) AS "t28"
UNION ALL
SELECT
  *
FROM (
  SELECT
    "t12"."pid",
    CAST(NULL AS VARCHAR) AS "team",
    CAST(NULL AS BIGINT) AS "days",
    CAST(NULL AS BIGINT) AS "k",
    "t12"."h",
    'all' AS "part"
  FROM (
    SELECT
      "t9"."pid",
      SUM("t9"."hours") AS "h"
    FROM (
      SELECT
        "t7"."person",
        "t7"."date",
        "t7"."hours",
        "t7"."activity",
        "t7"."source",
        "t7"."source_id",
        "t7"."row_hash",
        "t7"."origin",
        "t7"."imported_at",
        "t7"."pid",
        "t7"."p_start",
        "t7"."p_end",
        "t7"."p_start_date",
        "t7"."p_end_date",
        "t7"."p_days"
      FROM (
        SELECT
          "t6"."person",
          "t6"."date",
          "t6"."hours",
          "t6"."activity",
          "t6"."source",
          "t6"."source_id",
          "t6"."row_hash",
          "t6"."origin",
          "t6"."imported_at",
          "t6"."_bucket",
          "t3"."pid",
          "t3"."p_start",
          "t3"."p_end",
          "t3"."p_start_date",
          "t3"."p_end_date",
          "t3"."p_days"
        FROM (
          SELECT
            "t0"."person",
            "t0"."date",
            "t0"."hours",
            "t0"."activity",
            "t0"."source",
            "t0"."source_id",
            "t0"."row_hash",
            "t0"."origin",
            "t0"."imported_at",
            DATE_TRUNC('QUARTER', "t0"."date") AS "_bucket"
          FROM "learning" AS "t0"
          WHERE
            "t0"."date" >= MAKE_DATE(2023, 10, 1) AND "t0"."date" < MAKE_DATE(2024, 4, 1)
        ) AS "t6"
        INNER JOIN "memtable_1" AS "t3"
          ON "t6"."_bucket" = "t3"."p_start_date"
      ) AS "t7"
    ) AS "t9"
    GROUP BY
      1
  ) AS "t12"
) AS "t14";
