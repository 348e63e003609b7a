-- query 1
SELECT
  "t19"."pid",
  "t19"."service",
  COUNT(*) AS "n",
  COUNT(*) FILTER(WHERE
    "t19"."shape_hit") AS "k"
FROM (
  SELECT
    "t18"."pid",
    "t18"."service",
    "t18"."rep_id" IS NOT NULL AS "shape_hit"
  FROM (
    SELECT
      "t17".*
      EXCLUDE ("_bucket")
    FROM (
      SELECT
        "t16"."id",
        "t16"."opened_at",
        "t16"."severity",
        "t16"."service",
        "t16"."acknowledged_at",
        "t16"."resolved_at",
        "t16"."impact_start",
        "t16"."impact_end",
        "t16"."is_maintenance",
        "t16"."caused_by_change",
        "t16"."problem",
        "t16"."resolver",
        "t16"."title",
        "t16"."source",
        "t16"."source_id",
        "t16"."row_hash",
        "t16"."origin",
        "t16"."imported_at",
        "t16"."problem_key",
        "t16"."rep_id",
        "t16"."_bucket",
        "t2"."pid",
        "t2"."p_start",
        "t2"."p_end",
        "t2"."p_start_date",
        "t2"."p_end_date",
        "t2"."p_days"
      FROM (
        SELECT
          "t14"."id",
          "t14"."opened_at",
          "t14"."severity",
          "t14"."service",
          "t14"."acknowledged_at",
          "t14"."resolved_at",
          "t14"."impact_start",
          "t14"."impact_end",
          "t14"."is_maintenance",
          "t14"."caused_by_change",
          "t14"."problem",
          "t14"."resolver",
          "t14"."title",
          "t14"."source",
          "t14"."source_id",
          "t14"."row_hash",
          "t14"."origin",
          "t14"."imported_at",
          "t14"."problem_key",
          "t14"."rep_id",
          DATE_TRUNC('QUARTER', "t14"."opened_at") AS "_bucket"
        FROM (
          SELECT
            "t4"."id",
            "t4"."opened_at",
            "t4"."severity",
            "t4"."service",
            "t4"."acknowledged_at",
            "t4"."resolved_at",
            "t4"."impact_start",
            "t4"."impact_end",
            "t4"."is_maintenance",
            "t4"."caused_by_change",
            "t4"."problem",
            "t4"."resolver",
            "t4"."title",
            "t4"."source",
            "t4"."source_id",
            "t4"."row_hash",
            "t4"."origin",
            "t4"."imported_at",
            "t4"."problem_key",
            "t13"."rep_id"
          FROM (
            SELECT
              "t1"."id",
              "t1"."opened_at",
              "t1"."severity",
              "t1"."service",
              "t1"."acknowledged_at",
              "t1"."resolved_at",
              "t1"."impact_start",
              "t1"."impact_end",
              "t1"."is_maintenance",
              "t1"."caused_by_change",
              "t1"."problem",
              "t1"."resolver",
              "t1"."title",
              "t1"."source",
              "t1"."source_id",
              "t1"."row_hash",
              "t1"."origin",
              "t1"."imported_at",
              CASE
                WHEN LOWER(TRIM("t1"."problem", ' 	
')) = ''
                THEN CAST(NULL AS TEXT)
                ELSE LOWER(TRIM("t1"."problem", ' 	
'))
              END AS "problem_key"
            FROM "incident" AS "t1"
            WHERE
              NOT (
                COALESCE("t1"."is_maintenance", FALSE)
              )
              AND "t1"."severity" IN ('P1', 'P2', 'P3')
          ) AS "t4"
          LEFT OUTER JOIN (
            SELECT DISTINCT
              *
            FROM (
              SELECT
                "t7"."r_id" AS "rep_id"
              FROM (
                SELECT
                  "t1"."id" AS "r_id",
                  "t1"."service" AS "r_service",
                  CASE
                    WHEN LOWER(TRIM("t1"."problem", ' 	
')) = ''
                    THEN CAST(NULL AS TEXT)
                    ELSE LOWER(TRIM("t1"."problem", ' 	
'))
                  END AS "r_key",
                  "t1"."opened_at" AS "r_at"
                FROM "incident" AS "t1"
                WHERE
                  NOT (
                    COALESCE("t1"."is_maintenance", FALSE)
                  )
                  AND "t1"."service" IS NOT NULL
                  AND CASE
                    WHEN LOWER(TRIM("t1"."problem", ' 	
')) = ''
                    THEN CAST(NULL AS TEXT)
                    ELSE LOWER(TRIM("t1"."problem", ' 	
'))
                  END IS NOT NULL
                  AND "t1"."severity" IN ('P1', 'P2', 'P3')
                  AND "t1"."opened_at" >= MAKE_TIMESTAMP(2023, 10, 1, 0, 0, 0.0)
                  AND "t1"."opened_at" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
              ) AS "t7"
              INNER JOIN (
                SELECT
                  *
                FROM (
                  SELECT
                    "t6"."t_service",
                    "t6"."t_key",
                    "t6"."t_at",
                    LAG("t6"."t_at") OVER (
                      PARTITION BY "t6"."t_service", "t6"."t_key"
                      ORDER BY "t6"."t_at" ASC
                      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
                    ) AS "t_prev"
                  FROM (
                    SELECT DISTINCT
                      "t1"."service" AS "t_service",
                      CASE
                        WHEN LOWER(TRIM("t1"."problem", ' 	
')) = ''
                        THEN CAST(NULL AS TEXT)
                        ELSE LOWER(TRIM("t1"."problem", ' 	
'))
                      END AS "t_key",
                      "t1"."opened_at" AS "t_at"
                    FROM "incident" AS "t1"
                    WHERE
                      NOT (
                        COALESCE("t1"."is_maintenance", FALSE)
                      )
                      AND "t1"."service" IS NOT NULL
                      AND CASE
                        WHEN LOWER(TRIM("t1"."problem", ' 	
')) = ''
                        THEN CAST(NULL AS TEXT)
                        ELSE LOWER(TRIM("t1"."problem", ' 	
'))
                      END IS NOT NULL
                      AND "t1"."opened_at" >= (
                        MAKE_TIMESTAMP(2023, 10, 1, 0, 0, 0.0) - INTERVAL '2592000' SECOND
                      )
                      AND "t1"."opened_at" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
                  ) AS "t6"
                ) AS "t8"
                WHERE
                  "t8"."t_prev" IS NOT NULL
                  AND "t8"."t_prev" >= (
                    "t8"."t_at" - INTERVAL '2592000' SECOND
                  )
              ) AS "t10"
                ON "t7"."r_service" = "t10"."t_service"
                AND "t7"."r_key" = "t10"."t_key"
                AND "t7"."r_at" = "t10"."t_at"
            ) AS "t11"
          ) AS "t13"
            ON "t4"."id" = "t13"."rep_id"
        ) AS "t14"
        WHERE
          "t14"."opened_at" >= MAKE_TIMESTAMP(2023, 10, 1, 0, 0, 0.0)
          AND "t14"."opened_at" < MAKE_TIMESTAMP(2024, 4, 1, 0, 0, 0.0)
      ) AS "t16"
      INNER JOIN "memtable_1" AS "t2"
        ON "t16"."_bucket" = "t2"."p_start"
    ) AS "t17"
  ) AS "t18"
) AS "t19"
GROUP BY
  1,
  2;

-- query 2
SELECT
  "t0"."id",
  "t0"."name",
  "t0"."tier",
  "t0"."slo_availability"
FROM "service" AS "t0";
