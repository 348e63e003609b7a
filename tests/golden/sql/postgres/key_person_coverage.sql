-- query 1
SELECT
  "t0"."id",
  "t0"."name",
  "t0"."tier",
  "t0"."slo_availability"
FROM "service" AS "t0";

-- query 2
SELECT
  *
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t30"."pid",
      "t30"."service",
      "t30"."who",
      'skill' AS "part",
      1 AS "k",
      FALSE AS "gone"
    FROM (
      SELECT
        "t27"."pid",
        "t27"."service",
        "t27"."who"
      FROM (
        SELECT
          "t26"."service",
          "t26"."who",
          "t5"."pid",
          "t5"."p_start",
          "t5"."p_end",
          "t5"."p_start_date",
          "t5"."p_end_date",
          "t5"."p_days"
        FROM (
          SELECT DISTINCT
            *
          FROM (
            SELECT
              "t16"."id" AS "service",
              "t14"."person" AS "who"
            FROM (
              SELECT
                *
              FROM "skill" AS "t0"
              WHERE
                "t0"."level" >= 3
            ) AS "t14"
            INNER JOIN (
              SELECT
                "t4"."id",
                "t4"."name",
                "t4"."tier"
              FROM "service" AS "t4"
              WHERE
                "t4"."tier" = 1
            ) AS "t16"
              ON (
                LOWER("t14"."skill_or_service") = LOWER("t16"."id")
              )
              OR (
                LOWER("t14"."skill_or_service") = LOWER("t16"."name")
              )
          ) AS "t22"
        ) AS "t26"
        CROSS JOIN "memtable_1" AS "t5"
      ) AS "t27"
    ) AS "t30"
    WHERE
      NOT EXISTS(
        SELECT
          1
        FROM (
          SELECT DISTINCT
            "t12"."id" AS "gone_id",
            "t12"."pid" AS "gone_pid"
          FROM (
            SELECT
              "t6"."id",
              "t6"."team",
              "t6"."role",
              "t6"."started_on",
              "t6"."left_on",
              "t6"."leave_kind",
              "t6"."regretted",
              "t6"."on_call",
              "t6"."source",
              "t6"."source_id",
              "t6"."row_hash",
              "t6"."origin",
              "t6"."imported_at",
              "t5"."pid",
              "t5"."p_start",
              "t5"."p_end",
              "t5"."p_start_date",
              "t5"."p_end_date",
              "t5"."p_days"
            FROM "person" AS "t6"
            CROSS JOIN "memtable_1" AS "t5"
          ) AS "t12"
          WHERE
            (
              "t12"."left_on" < "t12"."p_end_date"
            )
            OR (
              "t12"."started_on" >= "t12"."p_end_date"
            )
        ) AS "t20"
        WHERE
          "t30"."who" = "t20"."gone_id" AND "t30"."pid" = "t20"."gone_pid"
      )
  ) AS "t31"
  UNION ALL
  SELECT
    *
  FROM (
    SELECT
      "t24"."pid",
      "t24"."service",
      "t24"."who",
      'incident' AS "part",
      "t24"."k",
      "t20"."gone_id" IS NOT NULL AS "gone"
    FROM (
      SELECT
        "t21"."pid",
        "t21"."service",
        "t21"."resolver" AS "who",
        COUNT(*) AS "k"
      FROM (
        SELECT
          "t18"."id",
          "t18"."opened_at",
          "t18"."severity",
          "t18"."service",
          "t18"."acknowledged_at",
          "t18"."resolved_at",
          "t18"."impact_start",
          "t18"."impact_end",
          "t18"."is_maintenance",
          "t18"."caused_by_change",
          "t18"."problem",
          "t18"."resolver",
          "t18"."title",
          "t18"."source",
          "t18"."source_id",
          "t18"."row_hash",
          "t18"."origin",
          "t18"."imported_at",
          "t18"."resolved",
          "t5"."pid",
          "t5"."p_start",
          "t5"."p_end",
          "t5"."p_start_date",
          "t5"."p_end_date",
          "t5"."p_days"
        FROM (
          SELECT
            "t3"."id",
            "t3"."opened_at",
            "t3"."severity",
            "t3"."service",
            "t3"."acknowledged_at",
            "t3"."resolved_at",
            "t3"."impact_start",
            "t3"."impact_end",
            "t3"."is_maintenance",
            "t3"."caused_by_change",
            "t3"."problem",
            "t3"."resolver",
            "t3"."title",
            "t3"."source",
            "t3"."source_id",
            "t3"."row_hash",
            "t3"."origin",
            "t3"."imported_at",
            COALESCE("t3"."resolved_at", "t3"."opened_at") AS "resolved"
          FROM "incident" AS "t3"
          WHERE
            "t3"."resolver" IS NOT NULL
            AND "t3"."service" IN ('ERP')
            AND COALESCE("t3"."resolved_at", "t3"."opened_at") >= CAST('2023-01-01T00:00:00' AS TIMESTAMP)
            AND COALESCE("t3"."resolved_at", "t3"."opened_at") < CAST('2024-04-01T00:00:00' AS TIMESTAMP)
        ) AS "t18"
        INNER JOIN "memtable_1" AS "t5"
          ON "t18"."resolved" >= (
            "t5"."p_end" - INTERVAL '365 DAY'
          )
          AND "t18"."resolved" < "t5"."p_end"
      ) AS "t21"
      GROUP BY
        1,
        2,
        3
    ) AS "t24"
    LEFT OUTER JOIN (
      SELECT DISTINCT
        "t12"."id" AS "gone_id",
        "t12"."pid" AS "gone_pid"
      FROM (
        SELECT
          "t6"."id",
          "t6"."team",
          "t6"."role",
          "t6"."started_on",
          "t6"."left_on",
          "t6"."leave_kind",
          "t6"."regretted",
          "t6"."on_call",
          "t6"."source",
          "t6"."source_id",
          "t6"."row_hash",
          "t6"."origin",
          "t6"."imported_at",
          "t5"."pid",
          "t5"."p_start",
          "t5"."p_end",
          "t5"."p_start_date",
          "t5"."p_end_date",
          "t5"."p_days"
        FROM "person" AS "t6"
        CROSS JOIN "memtable_1" AS "t5"
      ) AS "t12"
      WHERE
        (
          "t12"."left_on" < "t12"."p_end_date"
        )
        OR (
          "t12"."started_on" >= "t12"."p_end_date"
        )
    ) AS "t20"
      ON "t24"."who" = "t20"."gone_id" AND "t24"."pid" = "t20"."gone_pid"
  ) AS "t28"
) AS "t32"
UNION ALL
SELECT
  *
FROM (
  SELECT
    "t11"."pid",
    CAST(NULL AS VARCHAR) AS "service",
    CAST(NULL AS VARCHAR) AS "who",
    'skills' AS "part",
    "t9"."k",
    FALSE AS "gone"
  FROM (
    SELECT
      COUNT(*) AS "k"
    FROM "skill" AS "t0"
  ) AS "t9"
  CROSS JOIN (
    SELECT
      "t1"."pid"
    FROM "memtable_1" AS "t1"
  ) AS "t11"
) AS "t17";
